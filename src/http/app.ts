import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from '../log.js';
import { isExactRead } from './exactRead.js';
import type { ExporterView } from './exporterView.js';
import { createGrafanaRouter } from './grafanaRoutes.js';
import { landingPage } from './landing.js';
import { oncePerSecond } from './oncePerSecond.js';
import { createMetricsHandler, type MetricsHandler } from './metricsHandler.js';
import { sendPlainText } from './plainText.js';
import { HEALTHY_PATH, PROBE_PATHS, READY_PATH } from './probes.js';
import { notFound, plainErrors, serveMethods } from './routing.js';

/** How the HTTP API is served, from the command line. */
export interface AppOptions {
  /** Serves POST /-/reload (`--web.enable-lifecycle`); off, it answers 403, as Prometheus does. */
  readonly enableLifecycle?: boolean;
}

export const LIFECYCLE_DISABLED = 'Lifecycle APIs are not enabled: start with --web.enable-lifecycle to allow POST /-/reload';

/**
 * The exporter's HTTP API: metrics, health, readiness, reload, dashboards and the landing page. A GET or HEAD of
 * exactly the telemetry path goes straight to the metrics handler; everything else goes through express, which
 * also routes the telemetry path's other spellings and methods (`/metrics/`, OPTIONS, a 405 for POST). Whatever no
 * route serves is answered in plain text: 405 with `Allow` for another method, 404 for an unknown path.
 */
export function createApp(view: ExporterView, logger: Logger, options: AppOptions = {}): RequestListener {
  const serveMetrics = createMetricsHandler(view, logger);
  const app = createRoutes(view, serveMetrics, options, logger);
  // A telemetry path that is a probe's (refused on the command line) stays the probe's, as express routes it.
  const telemetryPaths: ReadonlySet<string> = new Set(PROBE_PATHS.has(view.telemetryPath) ? [] : [view.telemetryPath]);
  return (req, res) => {
    if (isExactRead(req, telemetryPaths)) serveMetrics(req, res);
    else app(req, res);
  };
}

function createRoutes(view: ExporterView, serveMetrics: MetricsHandler, options: AppOptions, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  // The probes come first, so that no other route (a --web.telemetry-path of /-/ready, say) answers their paths:
  // basic authentication lets requests for exactly these paths through (server.ts).
  serveMethods(app, HEALTHY_PATH, {
    GET: (_req, res) => { sendPlainText(res, 200, 'Healthy\n'); },
  });

  serveMethods(app, READY_PATH, {
    GET: (_req, res) => {
      if (view.ready()) sendPlainText(res, 200, 'Ready\n');
      else sendPlainText(res, 503, 'Not ready: the first collection has not finished yet\n');
    },
  });

  serveMethods(app, view.telemetryPath, { GET: serveMetrics });

  // Prometheus's convention: POST /-/reload re-reads the configuration; 500 with the problems when it is invalid.
  // It changes what the exporter does, so, as in Prometheus, it is served only when asked for.
  serveMethods(app, '/-/reload', {
    POST: async (_req, res) => {
      if (options.enableLifecycle !== true) {
        sendPlainText(res, 403, `${LIFECYCLE_DISABLED}\n`);
        return;
      }
      const outcome = await view.reload();
      if (outcome.ok) sendPlainText(res, 200, 'Reloaded\n');
      else sendPlainText(res, 500, `Reload failed, the running configuration stays:\n${outcome.problems.join('\n')}\n`);
    },
  });

  app.use(createGrafanaRouter(view.grafanaDashboardsDir));

  const statusPage = oncePerSecond(async () => landingPage({ version: view.version, telemetryPath: view.telemetryPath, ...await view.landing() }));
  serveMethods(app, '/', {
    GET: async (_req, res) => {
      res.type('html').send(await statusPage());
    },
  });

  app.use(notFound);
  app.use(plainErrors(logger));
  return app;
}
