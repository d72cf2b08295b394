import type { ChunkWriter } from '../exposition/chunkWriter.js';
import type { Labels } from './family.js';

/**
 * Sample lines as prom-client writes them, written straight into the exposition's bytes: a rendering writes
 * hundreds of thousands, and a string per line (then its encoding) was most of a rendering's garbage.
 */

/**
 * `name{labels} value` and a newline; the braces only around labels, the last label (`label="labelValue"`) after
 * the others when given apart (see Emit). NaN is written `Nan`, as prom-client writes it (Prometheus parses it
 * either way).
 */
export function writeSample(writer: ChunkWriter, name: string, labels: Labels, label: string | undefined, labelValue: string | undefined, value: number): void {
  writer.writeString(name);
  let separator = '{';
  for (const labelName in labels) {
    writeLabel(writer, separator, labelName, labels[labelName] ?? '');
    separator = ',';
  }
  if (label !== undefined) {
    writeLabel(writer, separator, label, labelValue ?? '');
    separator = ',';
  }
  writer.writeString(separator === '{' ? ' ' : '} ');
  if (Number.isFinite(value)) writer.writeNumber(value);
  else writer.writeString(Number.isNaN(value) ? 'Nan' : value < 0 ? '-Inf' : '+Inf');
  writer.writeString('\n');
}

function writeLabel(writer: ChunkWriter, separator: string, name: string, value: string): void {
  writer.writeString(separator);
  writer.writeString(name);
  writer.writeString('="');
  writer.writeString(escapeLabelValue(value));
  writer.writeString('"');
}

/** `name="value"` pairs in the labels' own order, the last one given apart (see Emit), as a sample line holds them. */
export function formatLabels(labels: Labels, label: string | undefined, labelValue: string | undefined): string {
  let formatted = '';
  const pairs: [string, string][] = label === undefined ? Object.entries(labels) : [...Object.entries(labels), [label, labelValue ?? '']];
  for (const [name, value] of pairs) formatted += `${formatted === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
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
