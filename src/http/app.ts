import express, { type Express, type Request, type Response } from 'express';
import { acceptsGzip, maybeGzip, OPENMETRICS_TEXT, PROMETHEUS_TEXT, toOpenMetrics, wantsOpenMetrics } from './exposition.js';
import { landingPage, type LandingPageInput } from './landing.js';

/** What the HTTP side reads from the running exporter. */
export interface ExporterView {
  readonly version: string;
  readonly telemetryPath: string;
  /** False until the first collection has finished. */
  ready(): boolean;
  /** The whole exposition in Prometheus text format. */
  metricsText(): Promise<string>;
  landing(): Omit<LandingPageInput, 'version' | 'telemetryPath'>;
}

/** The exporter's HTTP API: metrics, health, readiness and the landing page. */
export function createApp(view: ExporterView): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.get(view.telemetryPath, async (req: Request, res: Response) => {
    const text = await view.metricsText();
    const openMetrics = wantsOpenMetrics(req.get('accept'));
    const gzipIt = acceptsGzip(req.get('accept-encoding'));
    const body = await maybeGzip(openMetrics ? toOpenMetrics(text) : text, gzipIt);
    res.set('Content-Type', openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT);
    res.set('Vary', 'Accept, Accept-Encoding');
    if (gzipIt) res.set('Content-Encoding', 'gzip');
    res.send(body);
  });

  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('Healthy\n');
  });

  app.get('/-/ready', (_req, res) => {
    if (view.ready()) res.type('text/plain').send('Ready\n');
    else res.status(503).type('text/plain').send('Not ready: the first collection has not finished yet\n');
  });

  app.get('/', (_req, res) => {
    res.type('html').send(landingPage({ version: view.version, telemetryPath: view.telemetryPath, ...view.landing() }));
  });

  return app;
}
