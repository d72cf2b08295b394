import type { IncomingMessage } from 'node:http';

/**
 * Whether `req` is a GET or HEAD of exactly one of `paths`, a query string aside. The path is taken as sent, not
 * decoded nor normalised: `/-/HEALTHY`, `/metrics/`, `//metrics` or an absolute URL are other paths.
 */
export function isExactRead(req: IncomingMessage, paths: ReadonlySet<string>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return paths.has(query < 0 ? url : url.slice(0, query));
}
