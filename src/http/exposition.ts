import { once } from 'node:events';
import { promisify } from 'node:util';
import { constants, crc32, createDeflateRaw, deflateRawSync, gzip, inflateRaw, type DeflateRaw } from 'node:zlib';

const gzipAsync = promisify(gzip);
const inflateRawAsync = promisify(inflateRaw);

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
  return `${openMetricsBody(text)}# EOF\n`;
}

/** {@link toOpenMetrics} without the final `# EOF`, for a part that other parts follow. */
export function openMetricsBody(text: string): string {
  const counters = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+)_total counter$/gm)) if (match[1]) counters.add(match[1]);
  const lines = text.split('\n').filter((line) => line !== '').map((line) => {
    const meta = /^# (HELP|TYPE) (\S+)_total( .*)?$/.exec(line);
    return meta?.[2] !== undefined && counters.has(meta[2]) ? `# ${meta[1] ?? ''} ${meta[2]}${meta[3] ?? ''}` : line;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export async function maybeGzip(body: string, gzipIt: boolean): Promise<Buffer> {
  const bytes = Buffer.from(body, 'utf8');
  return gzipIt ? gzipAsync(bytes) : bytes;
}

/**
 * One format of one part of the exposition, encoded once and served many times. The bytes are kept raw-deflated
 * and ended by a sync flush (byte-aligned, no final block), with their CRC-32 and length, so the parts of a
 * response can be spliced into a single gzip member without compressing anything at scrape time.
 */
export interface EncodedText {
  readonly deflated: Buffer;
  readonly crc: number;
  readonly length: number;
  /**
   * The plain bytes: kept for a small part; for a large one inflated (off the event loop) when first asked for
   * (a scraper that refuses gzip), then kept as long as the part.
   */
  plain(): Promise<Buffer>;
}

/** A part of the exposition (the collection's series, or the exporter's own) in both formats. */
export interface ExpositionPart {
  readonly text: EncodedText;
  /** The OpenMetrics rendering, without `# EOF` (the response adds it after the last part). */
  readonly openMetrics: EncodedText;
}

/** Deflate flushed but not finished: what a part is stored as. */
const SYNC_FLUSHED = { finishFlush: constants.Z_SYNC_FLUSH } as const;

/**
 * Encodes a small part (the exporter's own metrics: a few kilobytes) as it is first needed: a scraper asks for
 * one format and one encoding, so the others are never made.
 */
export function encodeText(text: string): EncodedText {
  const bytes = Buffer.from(text, 'utf8');
  let deflated: Buffer | undefined;
  let crc: number | undefined;
  return {
    get deflated() { return (deflated ??= deflateRawSync(bytes, SYNC_FLUSHED)); },
    get crc() { return (crc ??= crc32(bytes)); },
    length: bytes.length,
    plain: () => Promise.resolve(bytes),
  };
}

/** A small part from its Prometheus text; each format is encoded when first asked for. */
export function encodePart(prometheusText: string): ExpositionPart {
  let text: EncodedText | undefined;
  let openMetrics: EncodedText | undefined;
  return {
    get text() { return (text ??= encodeText(prometheusText)); },
    get openMetrics() { return (openMetrics ??= encodeText(openMetricsBody(prometheusText))); },
  };
}

/**
 * Encodes a large part written piece by piece: the text is never held whole, and deflating runs on the libuv
 * thread pool, so neither memory nor the event loop carries the whole exposition at once.
 */
export class StreamEncoder {
  private readonly deflate: DeflateRaw;
  private readonly output: Buffer[] = [];
  private crc = 0;
  private length = 0;
  private failure: Error | undefined;

  constructor() {
    this.deflate = createDeflateRaw(SYNC_FLUSHED);
    this.deflate.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.deflate.on('error', (err) => { this.failure = err; });
  }

  /** Adds text; resolves at once unless the deflater is behind (then when it caught up). */
  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (text === '') return;
    const bytes = Buffer.from(text, 'utf8');
    this.crc = crc32(bytes, this.crc);
    this.length += bytes.length;
    if (!this.deflate.write(bytes)) await once(this.deflate, 'drain');
  }

  async finish(): Promise<EncodedText> {
    if (this.failure) throw this.failure;
    const ended = once(this.deflate, 'end');
    this.deflate.end();
    await ended;
    const deflated = Buffer.concat(this.output);
    let plain: Promise<Buffer> | undefined;
    return {
      deflated,
      crc: this.crc,
      length: this.length,
      plain: () => (plain ??= inflateRawAsync(deflated, SYNC_FLUSHED)),
    };
  }
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final block with fixed Huffman codes: ends the spliced deflate stream. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
const EOF = encodeText('# EOF\n');

/**
 * A body up to this size is served as one buffer (built once, served until a part changes): for a small body the
 * writes, not the bytes, are the cost. A larger one goes out as its parts, never copied.
 */
const JOINED_BODY_MAX_BYTES = 256 * 2 ** 10;

/** The bodies served last, per format and encoding: the same parts are served many times until one of them changes. */
const bodies: { readonly texts: readonly EncodedText[]; readonly gzip: boolean; readonly body: Promise<Buffer[]> }[] = [];

/**
 * The response body of a scrape, as the buffers to write in order: the parts in the asked format, ended by
 * `# EOF` for OpenMetrics, and when gzip is accepted, wrapped in one gzip member spliced from the stored deflate
 * streams (header, each part's deflate, an empty final block, and the CRC-32 and length of the whole).
 */
export function responseBody(parts: readonly ExpositionPart[], openMetrics: boolean, gzipIt: boolean): Promise<Buffer[]> {
  const texts = parts.map((part) => (openMetrics ? part.openMetrics : part.text));
  if (openMetrics) texts.push(EOF);
  const known = bodies.find((entry) => entry.gzip === gzipIt && entry.texts.length === texts.length && entry.texts.every((text, i) => text === texts[i]));
  if (known) return known.body;
  const body = assemble(texts, gzipIt);
  bodies.unshift({ texts, gzip: gzipIt, body });
  bodies.length = Math.min(bodies.length, 4);
  body.catch(() => {
    const at = bodies.findIndex((entry) => entry.body === body);
    if (at >= 0) bodies.splice(at, 1);
  });
  return body;
}

async function assemble(texts: readonly EncodedText[], gzipIt: boolean): Promise<Buffer[]> {
  let chunks: Buffer[];
  if (gzipIt) {
    let crc = 0;
    let length = 0;
    for (const text of texts) {
      crc = crc32Combine(crc, text.crc, text.length);
      length += text.length;
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc, 0);
    trailer.writeUInt32LE(length % 2 ** 32, 4);
    chunks = [GZIP_HEADER, ...texts.map((text) => text.deflated), FINAL_EMPTY_BLOCK, trailer];
  } else {
    chunks = await Promise.all(texts.map((text) => text.plain()));
  }
  const size = chunks.reduce((total, chunk) => total + chunk.length, 0);
  return size <= JOINED_BODY_MAX_BYTES ? [Buffer.concat(chunks, size)] : chunks;
}

/**
 * CRC-32 of A followed by B from the CRC-32 of each and B's length: zlib's crc32_combine (multiplying by
 * x^(8·len2) in GF(2), with the matrix for one zero bit squared up to the length).
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  square(even, odd);
  square(odd, even);
  let crc = crcA >>> 0;
  let remaining = lengthB;
  for (;;) {
    square(even, odd);
    if (remaining % 2 === 1) crc = times(even, crc);
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
    square(odd, even);
    if (remaining % 2 === 1) crc = times(odd, crc);
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
  }
  return (crc ^ crcB) >>> 0;
}

function times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0, v = vector >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= matrix[i] ?? 0;
  return sum >>> 0;
}

function square(result: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) result[n] = times(matrix, matrix[n] ?? 0);
}
