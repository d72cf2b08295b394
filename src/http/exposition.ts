import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

export const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_TEXT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** True when the scraper's Accept header asks for OpenMetrics (Prometheus does, by default). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/** True when the client accepts gzip (and does not refuse it with q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding.trim().toLowerCase() === 'gzip' || coding.trim() === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * Rewrites Prometheus text exposition as OpenMetrics 1.0: a counter family is named without its `_total`
 * (its samples keep it), families are not separated by blank lines, and the text ends with `# EOF`.
 * prom-client can write OpenMetrics itself, but only by renaming its counters in place, which would then break
 * the text format for every later scrape of the same registry.
 */
export function toOpenMetrics(text: string): string {
  const counters = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+)_total counter$/gm)) if (match[1]) counters.add(match[1]);
  const lines = text.split('\n').filter((line) => line !== '').map((line) => {
    const meta = /^# (HELP|TYPE) (\S+)_total( .*)?$/.exec(line);
    return meta?.[2] !== undefined && counters.has(meta[2]) ? `# ${meta[1] ?? ''} ${meta[2]}${meta[3] ?? ''}` : line;
  });
  return `${lines.join('\n')}\n# EOF\n`;
}

export async function maybeGzip(body: string, gzipIt: boolean): Promise<Buffer> {
  const bytes = Buffer.from(body, 'utf8');
  return gzipIt ? gzipAsync(bytes) : bytes;
}
