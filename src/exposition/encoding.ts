import { once } from 'node:events';
import { promisify } from 'node:util';
import { constants, crc32, createDeflateRaw, deflateRawSync, inflateRaw, type DeflateRaw } from 'node:zlib';

const inflateRawAsync = promisify(inflateRaw);

/** The line that ends an OpenMetrics exposition. */
export const OPENMETRICS_EOF = '# EOF\n';

/**
 * Rewrites Prometheus text exposition as the body of an OpenMetrics 1.0 part: a counter family is named without
 * its `_total` (its samples keep it) and families are not separated by blank lines; the response adds `# EOF`
 * after the last part. prom-client can write OpenMetrics itself, but only by renaming its counters in place,
 * which would then break the text format for every later scrape of the same registry.
 */
export function openMetricsBody(text: string): string {
  const counters = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+)_total counter$/gm)) if (match[1]) counters.add(match[1]);
  const lines = text.split('\n').filter((line) => line !== '').map((line) => {
    const meta = /^# (HELP|TYPE) (\S+)_total( .*)?$/.exec(line);
    return meta?.[2] !== undefined && counters.has(meta[2]) ? `# ${meta[1] ?? ''} ${meta[2]}${meta[3] ?? ''}` : line;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
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
   * The plain bytes: kept for a small part; for a large one inflated (off the event loop) each time a scraper that
   * refuses gzip asks, and not kept: holding them would double the part's memory for a rare scraper.
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

  /**
   * Adds bytes, which must not change until `consumed` is called: the deflater reads them later, off the event
   * loop. The writer bounds how much is waiting; a failure is thrown by the next write or by {@link finish}.
   */
  write(bytes: Uint8Array, consumed?: () => void): void {
    if (this.failure) throw this.failure;
    if (bytes.length === 0) {
      consumed?.();
      return;
    }
    this.crc = crc32(bytes, this.crc);
    this.length += bytes.length;
    this.deflate.write(bytes, () => consumed?.());
  }

  async finish(): Promise<EncodedText> {
    if (this.failure) throw this.failure;
    const ended = once(this.deflate, 'end');
    this.deflate.end();
    await ended;
    const deflated = Buffer.concat(this.output);
    return {
      deflated,
      crc: this.crc,
      length: this.length,
      // Not shared here: the response bodies already share one body among the scrapes that ask at the same time.
      plain: () => inflateRawAsync(deflated, SYNC_FLUSHED),
    };
  }
}
