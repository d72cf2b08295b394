import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A response exactly as it came over the wire: status, the headers that shape the body, and the raw (still encoded) body. */
export interface CapturedResponse {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const KEPT_HEADERS = ['content-type', 'content-encoding', 'vary'];

/** GETs `url` and keeps the body as sent (no decompression). */
export function capture(url: string, headers: Readonly<Record<string, string>>): Promise<CapturedResponse> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          reject(new Error(`${url} answered ${String(res.statusCode)}`));
          return;
        }
        const kept: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const value = res.headers[name];
          if (typeof value === 'string') kept[name] = value;
        }
        resolve({ headers: kept, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

/**
 * The reference: a plain node:http server in the exporter's process (so a collection weighs on both alike) that
 * answers every request with a captured response from memory, no routing, no framework. What /metrics could do
 * at best with the same bytes.
 */
export async function startStaticServer(response: CapturedResponse): Promise<{ url: string; close(): Promise<void> }> {
  const headers = { ...response.headers, 'content-length': String(response.body.length) };
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(response.body);
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => { resolve(); });
      server.closeAllConnections();
    }),
  };
}
