import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { ExporterView } from './exporterView.js';
import { acceptsGzip, OPENMETRICS_TEXT, PROMETHEUS_TEXT, wantsOpenMetrics } from './negotiation.js';
import { ResponseBodies, type ResponseBody } from './responseBodies.js';

/** Answers one request with the exposition. */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Answers scrapes: the exposition in the format and encoding the scraper asks for, from the bodies kept by this
 * handler (HEAD gets the same headers, Node sends no body). It writes to node:http itself: a scrape is the one
 * request that comes many times a second, and a framework's per-request work would cost more than serving it.
 */
export function createMetricsHandler(view: ExporterView, logger: Logger): MetricsHandler {
  const bodies = new ResponseBodies();
  return (req, res) => {
    const openMetrics = wantsOpenMetrics(req.headers.accept);
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    view.exposition()
      .then((parts) => bodies.body(parts, openMetrics, gzip))
      .then((body) => { send(res, body, openMetrics, gzip); })
      .catch((err: unknown) => {
        logger.error({ err }, 'could not serve the metrics');
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error\n');
      });
  };
}

function send(res: ServerResponse, body: ResponseBody, openMetrics: boolean, gzip: boolean): void {
  res.writeHead(200, {
    'Content-Type': openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT,
    Vary: 'Accept, Accept-Encoding',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    'Content-Length': body.length,
  });
  const [only] = body.chunks;
  if (body.chunks.length === 1) {
    res.end(only);
    return;
  }
  // A large body's buffers go out as they are stored, in one write, never copied into one.
  res.cork();
  for (const chunk of body.chunks) res.write(chunk);
  res.end();
}
