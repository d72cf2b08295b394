import { OPENMETRICS_EOF, openMetricsBody } from '../../src/exposition/encoding.js';

/** A whole OpenMetrics document from Prometheus text, as a scrape of one part should read: what tests compare with. */
export function toOpenMetrics(text: string): string {
  return `${openMetricsBody(text)}${OPENMETRICS_EOF}`;
}
