import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { encodePart, type ExpositionPart } from '../src/exposition/encoding.js';
import { toOpenMetrics } from './support/openMetrics.js';
import { createApp } from '../src/http/app.js';
import { OPENMETRICS_TEXT, PROMETHEUS_TEXT } from '../src/http/negotiation.js';
import { createLogger } from '../src/log.js';

const TEXT = '# HELP up_total Ups.\n# TYPE up_total counter\nup_total 2\n\n# HELP g G.\n# TYPE g gauge\ng 1\n';
const GZIP_OPENMETRICS = { accept: 'application/openmetrics-text;version=1.0.0', 'accept-encoding': 'gzip' };

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request as sent (method, path and headers untouched), the body as it came over the wire. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }); });
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

describe('the telemetry path', () => {
  let server: Server | undefined;
  const logged: string[] = [];

  /** The exporter's HTTP API on a free port, serving `exposition` at /metrics. */
  async function serve(exposition: () => Promise<readonly ExpositionPart[]>): Promise<number> {
    const app = createApp({
      version: 'test',
      telemetryPath: '/metrics',
      ready: () => true,
      exposition,
      landing: () => Promise.resolve({ collection: undefined, awsRequests: { requests: 0, errors: 0, throttled: 0 }, now: 0 }),
      reload: () => Promise.resolve({ ok: true, problems: [] }),
    }, createLogger('error', 'json', { write: (line) => { logged.push(line); } }));
    server = createServer(app);
    await new Promise<void>((resolve) => { server?.listen(0, '127.0.0.1', resolve); });
    return (server.address() as AddressInfo).port;
  }

  afterEach(async () => {
    await new Promise<void>((resolve) => { server?.close(() => { resolve(); }); });
    server = undefined;
    logged.length = 0;
  });

  it('answers GET with the negotiated format and encoding, and HEAD with the same headers and no body', async () => {
    const port = await serve(() => Promise.resolve([encodePart(TEXT)]));
    const got = await send(port, 'GET', '/metrics', GZIP_OPENMETRICS);
    expect(got.status).to.equal(200);
    expect(got.headers).to.include({
      'content-type': OPENMETRICS_TEXT, vary: 'Accept, Accept-Encoding', 'content-encoding': 'gzip', 'content-length': String(got.body.length),
    });
    expect(got.headers).to.not.have.any.keys('x-powered-by', 'etag');
    expect(gunzipSync(got.body).toString('utf8')).to.equal(toOpenMetrics(TEXT));

    const head = await send(port, 'HEAD', '/metrics', GZIP_OPENMETRICS);
    expect(head.status).to.equal(200);
    expect(head.body).to.have.length(0);
    const { date: _, ...headers } = got.headers;
    expect(head.headers).to.include(headers);

    const plain = await send(port, 'GET', '/metrics');
    expect(plain.headers).to.include({ 'content-type': PROMETHEUS_TEXT, 'content-length': String(Buffer.byteLength(TEXT)) });
    expect(plain.headers).to.not.have.any.keys('content-encoding');
    expect(plain.body.toString('utf8')).to.equal(TEXT);
  });

  it('ignores the query string, and answers other methods and spellings of the path as express routes them', async () => {
    const port = await serve(() => Promise.resolve([encodePart(TEXT)]));
    expect((await send(port, 'GET', '/metrics?debug=1')).body.toString('utf8')).to.equal(TEXT);
    // Express's routing is case-insensitive and takes a trailing slash.
    expect((await send(port, 'GET', '/Metrics/')).body.toString('utf8')).to.equal(TEXT);
    const post = await send(port, 'POST', '/metrics');
    expect(post.status, 'another method on a known path, as Prometheus answers it').to.equal(405);
    expect(post.headers).to.include({ allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    const options = await send(port, 'OPTIONS', '/metrics');
    expect(options.status).to.equal(200);
    expect(options.headers.allow).to.equal('GET, HEAD');
  });

  it('writes a body of many buffers whole, gzipped or not', async () => {
    const big = (name: string): string => `# TYPE ${name} gauge\n${Array.from({ length: 20_000 }, (_, i) => `${name}{i="${String(i)}"} ${String(i)}\n`).join('')}`;
    const texts = [big('a'), big('b')];
    const port = await serve(() => Promise.resolve(texts.map(encodePart)));
    expect((await send(port, 'GET', '/metrics')).body.toString('utf8')).to.equal(texts.join(''));
    expect(gunzipSync((await send(port, 'GET', '/metrics', { 'accept-encoding': 'gzip' })).body).toString('utf8')).to.equal(texts.join(''));
  });

  it('answers 500 and logs why when the exposition cannot be had, and serves the next scrape', async () => {
    let fail = true;
    const port = await serve(() => (fail ? Promise.reject(new Error('registry broke')) : Promise.resolve([encodePart(TEXT)])));
    expect((await send(port, 'GET', '/metrics')).status).to.equal(500);
    expect(logged.join('')).to.contain('registry broke');
    fail = false;
    expect((await send(port, 'GET', '/metrics')).body.toString('utf8')).to.equal(TEXT);
  });
});
