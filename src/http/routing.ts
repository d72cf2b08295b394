import type { ErrorRequestHandler, IRouter, RequestHandler } from 'express';
import type { Logger } from '../log.js';
import { sendPlainText } from './plainText.js';

/**
 * What the routes answer beyond their handlers, as Prometheus's own router does: another method on a known path
 * is 405 with `Allow`, an unknown path 404, a failing handler 500; all in plain text.
 */

/** The handler of each method a path serves; GET serves HEAD too. */
export interface MethodHandlers {
  readonly GET?: RequestHandler;
  readonly POST?: RequestHandler;
}

/**
 * Serves `path` with `handlers`. Any other method is answered 405 with the `Allow` header, except OPTIONS, which
 * is answered 200 with it, as express does for the paths it routes.
 */
export function serveMethods(router: IRouter, path: string, handlers: MethodHandlers): void {
  const route = router.route(path);
  const allowed: string[] = [];
  if (handlers.GET) {
    route.get(handlers.GET);
    allowed.push('GET', 'HEAD');
  }
  if (handlers.POST) {
    route.post(handlers.POST);
    allowed.push('POST');
  }
  const allow = allowed.join(', ');
  route.all((req, res) => {
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') sendPlainText(res, 200, allow);
    else sendPlainText(res, 405);
  });
}

/** The last route: no path matched. */
export const notFound: RequestHandler = (_req, res) => {
  sendPlainText(res, 404);
};

/**
 * Express's error handler, in place of its HTML page (with a stack outside production): a client's error such as
 * a malformed path keeps its 4xx status, anything else is a 500, logged.
 */
export function plainErrors(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const status = (err as { status?: unknown }).status;
    const clientError = typeof status === 'number' && status >= 400 && status < 500;
    if (!clientError) logger.error({ err, path: req.originalUrl }, 'request failed');
    // Part of an answer is out already: only closing the connection tells the client it is incomplete.
    if (res.headersSent) res.destroy();
    else sendPlainText(res, clientError ? status : 500);
  };
}
