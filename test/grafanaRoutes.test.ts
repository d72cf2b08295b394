import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createApp } from '../src/http/app.js';
import { BUNDLED_DASHBOARDS_DIR } from '../src/http/grafanaRoutes.js';
import { createLogger } from '../src/log.js';

async function serve(grafanaDashboardsDir?: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createApp({
    version: 'test',
    telemetryPath: '/metrics',
    ready: () => true,
    exposition: () => Promise.resolve([]),
    landing: () => Promise.resolve({ collection: undefined, awsRequests: { requests: 0, errors: 0, throttled: 0 }, now: 0 }),
    reload: () => Promise.resolve({ ok: true, problems: [] }),
    ...(grafanaDashboardsDir === undefined ? {} : { grafanaDashboardsDir }),
  }, createLogger('error', 'json', { write: () => undefined }));
  const server = createServer(app);
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.close(() => { resolve(); }); }) };
}

describe('dashboards served by the exporter', () => {
  it('lists every bundled dashboard at /grafana/ and returns each file byte for byte', async () => {
    const files = readdirSync(BUNDLED_DASHBOARDS_DIR).filter((file) => file.endsWith('.json'));
    expect(files).to.have.length.of.at.least(3);
    const server = await serve();
    try {
      const index = await (await fetch(`${server.url}/grafana/`)).text();
      for (const file of files) {
        const onDisk = readFileSync(join(BUNDLED_DASHBOARDS_DIR, file), 'utf8');
        expect(index).to.contain(`href="${file}"`);
        expect(index).to.contain((JSON.parse(onDisk) as { title: string }).title);
        const response = await fetch(`${server.url}/grafana/${file}`);
        expect(response.headers.get('content-type')).to.match(/^application\/json/);
        expect(await response.text()).to.equal(onDisk);
      }
    } finally {
      await server.close();
    }
  });

  it('redirects /grafana to /grafana/, answers 404 for anything not listed, and never reads outside the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboards-'));
    writeFileSync(join(dir, 'one.json'), JSON.stringify({ title: 'One <b>', uid: 'one' }));
    writeFileSync(join(dir, 'notes.txt'), 'not a dashboard');
    const server = await serve(dir);
    try {
      const redirect = await fetch(`${server.url}/grafana`, { redirect: 'manual' });
      expect(redirect.status).to.equal(301);
      expect(new URL(redirect.headers.get('location') ?? '', `${server.url}/grafana`).pathname).to.equal('/grafana/');
      const index = await (await fetch(`${server.url}/grafana/`)).text();
      expect(index).to.contain('One &lt;b&gt;').and.not.contain('notes.txt');
      for (const path of ['notes.txt', 'missing.json', '..%2Fpackage.json', '%2E%2E%2Fpackage.json']) {
        expect((await fetch(`${server.url}/grafana/${path}`)).status, path).to.equal(404);
      }
    } finally {
      await server.close();
    }
  });
});
