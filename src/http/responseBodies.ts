import { encodeText, OPENMETRICS_EOF, type EncodedText, type ExpositionPart } from '../exposition/encoding.js';
import { gzipMember } from './gzipMember.js';

const EOF = encodeText(OPENMETRICS_EOF);

/**
 * A body up to this size is served as one buffer (built once, served until a part changes): for a small body the
 * writes, not the bytes, are the cost. A larger one goes out as its parts, never copied.
 */
const JOINED_BODY_MAX_BYTES = 256 * 2 ** 10;

/** Bodies kept: both formats, gzipped or not, of the parts served now. */
const KEPT_BODIES = 4;

/** A response body as the buffers to write in order, and their total length. */
export interface ResponseBody {
  readonly chunks: readonly Buffer[];
  readonly length: number;
}

interface KeptBody {
  /** The encoded texts the body was made of, in order; each is one format of one part, so they tell the format too. */
  readonly texts: readonly EncodedText[];
  readonly gzip: boolean;
  readonly body: Promise<ResponseBody>;
}

/**
 * The bodies served last, per format and encoding: the same parts are served many times until one of them
 * changes. Each metrics handler has its own, so exporters sharing a process never evict each other's.
 */
export class ResponseBodies {
  private readonly kept: KeptBody[] = [];

  /**
   * The response body of a scrape: the parts in the asked format, ended by `# EOF` for OpenMetrics, and when gzip
   * is accepted, wrapped in one gzip member spliced from the stored deflate streams.
   */
  body(parts: readonly ExpositionPart[], openMetrics: boolean, gzip: boolean): Promise<ResponseBody> {
    const texts = parts.map((part) => (openMetrics ? part.openMetrics : part.text));
    if (openMetrics) texts.push(EOF);
    const known = this.kept.find((entry) => entry.gzip === gzip && entry.texts.length === texts.length && entry.texts.every((text, i) => text === texts[i]));
    if (known) return known.body;
    const body = assemble(texts, gzip);
    this.kept.unshift({ texts, gzip, body });
    this.kept.length = Math.min(this.kept.length, KEPT_BODIES);
    body.catch(() => {
      const at = this.kept.findIndex((entry) => entry.body === body);
      if (at >= 0) this.kept.splice(at, 1);
    });
    return body;
  }
}

async function assemble(texts: readonly EncodedText[], gzip: boolean): Promise<ResponseBody> {
  const chunks = gzip ? gzipMember(texts) : await Promise.all(texts.map((text) => text.plain()));
  const length = chunks.reduce((total, chunk) => total + chunk.length, 0);
  return { chunks: length <= JOINED_BODY_MAX_BYTES ? [Buffer.concat(chunks, length)] : chunks, length };
}
