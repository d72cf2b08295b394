import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import express, { type Express, type Request, type Response } from 'express';
import { toOpenMetrics } from '../exposition/encoding.js';
import type { ExporterView } from './exporterView.js';
import { createGrafanaRouter } from './grafanaRoutes.js';
import { landingPage } from './landing.js';
import { acceptsGzip, OPENMETRICS_TEXT, PROMETHEUS_TEXT, wantsOpenMetrics } from './negotiation.js';
import { HEALTHY_PATH, READY_PATH } from './probes.js';
import { ResponseBodies } from './responseBodies.js';

const gzipAsync = promisify(gzip);

async function maybeGzip(body: string, gzipIt: boolean): Promise<Buffer> {
  const bytes = Buffer.from(body, 'utf8');
  return gzipIt ? gzipAsync(bytes) : bytes;
}

/** How the HTTP API is served, from the command line. */
export interface AppOptions {
  /** Serves POST /-/reload (`--web.enable-lifecycle`); off, it answers 403, as Prometheus does. */
  readonly enableLifecycle?: boolean;
}

export const LIFECYCLE_DISABLED = 'Lifecycle APIs are not enabled: start with --web.enable-lifecycle to allow POST /-/reload';

/** The exporter's HTTP API: metrics, health, readiness and the landing page. */
export function createApp(view: ExporterView, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  const bodies = new ResponseBodies();

  // The probes come first, so that no other route (a --web.telemetry-path of /-/ready, say) answers their paths:
  // basic authentication lets requests for exactly these paths through (server.ts).
  app.get(HEALTHY_PATH, (_req, res) => {
    res.type('text/plain').send('Healthy\n');
  });

  app.get(READY_PATH, (_req, res) => {
    if (view.ready()) res.type('text/plain').send('Ready\n');
    else res.status(503).type('text/plain').send('Not ready: the first collection has not finished yet\n');
  });

  app.get(view.telemetryPath, async (req: Request, res: Response) => {
    const exposition = await view.metricsText();
    const openMetrics = wantsOpenMetrics(req.get('accept'));
    const gzipIt = acceptsGzip(req.get('accept-encoding'));
    const body = typeof exposition === 'string'
      ? [await maybeGzip(openMetrics ? toOpenMetrics(exposition) : exposition, gzipIt)]
      : (await bodies.body(exposition, openMetrics, gzipIt)).chunks;
    res.set('Content-Type', openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT);
    res.set('Vary', 'Accept, Accept-Encoding');
    if (gzipIt) res.set('Content-Encoding', 'gzip');
    res.set('Content-Length', String(body.reduce((length, chunk) => length + chunk.length, 0)));
    const [only] = body;
    if (body.length === 1) {
      res.end(only);
      return;
    }
    // A large body's buffers go out as they are stored, in one write, never copied into one.
    res.cork();
    for (const chunk of body) res.write(chunk);
    res.end();
  });

  // Prometheus's convention: POST /-/reload re-reads the configuration; 500 with the problems when it is invalid.
  // It changes what the exporter does, so, as in Prometheus, it is served only when asked for.
  app.post('/-/reload', async (_req, res) => {
    if (options.enableLifecycle !== true) {
      res.status(403).type('text/plain').send(`${LIFECYCLE_DISABLED}\n`);
      return;
    }
    const outcome = await view.reload();
    if (outcome.ok) res.type('text/plain').send('Reloaded\n');
    else res.status(500).type('text/plain').send(`Reload failed, the running configuration stays:\n${outcome.problems.join('\n')}\n`);
  });

  app.use(createGrafanaRouter(view.grafanaDashboardsDir));

  app.get('/', (_req, res) => {
    res.type('html').send(landingPage({ version: view.version, telemetryPath: view.telemetryPath, ...view.landing() }));
  });

  return app;
}
