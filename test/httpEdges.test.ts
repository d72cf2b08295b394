/**
 * What the exporter answers beyond its routes, as Prometheus's own server does: plain text with the right status,
 * never express's HTML pages or a stack.
 */
import { expect } from 'chai';
import { parseConfig } from '../src/config/load.js';
import { manualSchedule, type RunningExporter, startExporter } from '../src/exporter.js';
import { createLogger } from '../src/log.js';
import { IDLE_CONFIG } from './support/idleConfig.js';
import { request, type Reply } from './support/request.js';

const PLAIN_TEXT = 'text/plain; charset=utf-8';

describe('answers beyond the routes', () => {
  let running: RunningExporter;
  const send = (method: string, path: string): Promise<Reply> => request(running.url, { method, path });

  before(async () => {
    running = await startExporter({
      config: parseConfig(IDLE_CONFIG, 'config.yaml'),
      logger: createLogger('error', 'json', { write: () => undefined }),
      host: '127.0.0.1',
      port: 0,
      telemetryPath: '/metrics',
      scheduler: manualSchedule,
    });
  });

  after(async () => {
    await running.stop();
  });

  it('answers GET /-/reload 405 with Allow: POST, in plain text', async () => {
    const reply = await send('GET', '/-/reload');
    expect(reply).to.deep.include({ status: 405, body: 'Method Not Allowed\n' });
    expect(reply.headers).to.include({ allow: 'POST', 'content-type': PLAIN_TEXT });
  });

  it('answers another method on each known path 405 with the methods it serves', async () => {
    for (const [method, path, allow] of [
      ['POST', '/-/healthy', 'GET, HEAD'],
      ['PUT', '/-/ready', 'GET, HEAD'],
      ['DELETE', '/metrics', 'GET, HEAD'],
      ['POST', '/', 'GET, HEAD'],
      ['POST', '/grafana/', 'GET, HEAD'],
      ['DELETE', '/grafana/aws-resolution-exporter.json', 'GET, HEAD'],
    ] as const) {
      const reply = await send(method, path);
      expect(reply.status, `${method} ${path}`).to.equal(405);
      expect(reply.headers, `${method} ${path}`).to.include({ allow, 'content-type': PLAIN_TEXT });
    }
    const options = await send('OPTIONS', '/-/reload');
    expect(options).to.deep.include({ status: 200, body: 'POST' });
    expect(options.headers.allow).to.equal('POST');
  });

  it('answers an unknown path 404 in plain text, not express\'s HTML page', async () => {
    for (const method of ['GET', 'POST', 'OPTIONS']) {
      const reply = await send(method, '/no/such/page');
      expect(reply, method).to.deep.include({ status: 404, body: 'Not Found\n' });
      expect(reply.headers['content-type'], method).to.equal(PLAIN_TEXT);
    }
    expect(await send('HEAD', '/no/such/page')).to.deep.include({ status: 404, body: '' });
  });

  it('answers a path express cannot decode 400 in plain text, without a stack', async () => {
    const reply = await send('GET', '/grafana/%E0%A4%A');
    expect(reply).to.deep.include({ status: 400, body: 'Bad Request\n' });
    expect(reply.headers['content-type']).to.equal(PLAIN_TEXT);
  });
});
