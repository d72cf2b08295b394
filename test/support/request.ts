import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export const REQUEST_TIMEOUT = 'request timed out';

/**
 * One request (GET unless `options` says otherwise) on a fresh connection: no agent, so no TLS session reuse
 * between cases. `options` carries ca/cert/key/auth, and `path` to send a path as it is, not as a URL would
 * normalise it.
 */
export function request(url: string, options: https.RequestOptions = {}): Promise<Reply> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }); });
      res.on('error', reject);
    });
    req.setTimeout(5000, () => { req.destroy(new Error(REQUEST_TIMEOUT)); });
    req.on('error', reject);
    req.end();
  });
}
