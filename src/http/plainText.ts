import { STATUS_CODES, type ServerResponse } from 'node:http';

/**
 * Answers `status` with a plain-text `body` (the status's reason phrase by default), as every answer but the
 * metrics, the landing page and the dashboards is: never an HTML error page, never a stack.
 */
export function sendPlainText(res: ServerResponse, status: number, body = `${STATUS_CODES[status] ?? String(status)}\n`): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
