import type { ChunkWriter } from '../exposition/chunkWriter.js';
import type { Labels } from './family.js';

/**
 * Sample lines as prom-client writes them, written straight into the exposition's bytes: a rendering writes
 * hundreds of thousands, and a string per line (then its encoding) was most of a rendering's garbage.
 */

/**
 * `name{labels} value` and a newline; the braces only around labels. NaN is written `Nan`, as prom-client writes
 * it (Prometheus parses it either way).
 */
export function writeSample(writer: ChunkWriter, name: string, labels: Labels, value: number): void {
  writer.writeString(name);
  let first = true;
  for (const label in labels) {
    writer.writeString(first ? '{' : ',');
    first = false;
    writer.writeString(label);
    writer.writeString('="');
    writer.writeString(escapeLabelValue(labels[label] ?? ''));
    writer.writeString('"');
  }
  writer.writeString(first ? ' ' : '} ');
  if (Number.isFinite(value)) writer.writeNumber(value);
  else writer.writeString(Number.isNaN(value) ? 'Nan' : value < 0 ? '-Inf' : '+Inf');
  writer.writeString('\n');
}

/** `name="value"` pairs in the labels' own order, as a sample line holds them. */
export function formatLabels(labels: Labels): string {
  let formatted = '';
  for (const [name, value] of Object.entries(labels)) {
    formatted += `${formatted === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return formatted;
}

const NEEDS_ESCAPE = /[\\\n"]/;

/** The value itself (no copy) unless it holds a character to escape. */
function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? escapeString(value).replace(/"/g, '\\"') : value;
}

/** Backslashes and newlines escaped, as in HELP text and label values. */
export function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
