import { encodeText, OPENMETRICS_EOF, type EncodedText, type ExpositionPart } from '../exposition/encoding.js';
import { gzipMember } from './gzipMember.js';

const EOF = encodeText(OPENMETRICS_EOF);

/**
 * A body up to this size is served as one buffer (built once, served until a part changes): for a small body the
 * writes, not the bytes, are the cost. A larger one goes out as its parts, never copied; uncompressed, it is not
 * kept either: every scraper that matters asks for gzip, and a 35 MiB plain copy per format would sit in memory
 * for a scraper that may never come back.
 */
const SMALL_BODY_MAX_BYTES = 256 * 2 ** 10;

/** Bodies kept per first part and format: gzipped and not, the latest of each. */
const KEPT_BODIES = 2;

/** A response body as the buffers to write in order, and their total length. */
export interface ResponseBody {
  readonly chunks: readonly Buffer[];
  readonly length: number;
}

interface KeptBody {
  /** The encoded texts the body was made of, in order. */
  readonly texts: readonly EncodedText[];
  readonly gzip: boolean;
  readonly body: Promise<ResponseBody>;
}

/**
 * The bodies served last, per format and encoding: the same parts are served many times until one of them
 * changes. They are kept by the first part's encoded text (the collection's series), weakly, so a body goes
 * as soon as that part is replaced: no scrape has to come first to evict it. Each metrics handler has its own,
 * so exporters sharing a process never evict each other's.
 */
export class ResponseBodies {
  private readonly kept = new WeakMap<EncodedText, KeptBody[]>();

  /**
   * The response body of a scrape: the parts in the asked format, ended by `# EOF` for OpenMetrics, and when gzip
   * is accepted, wrapped in one gzip member spliced from the stored deflate streams.
   */
  body(parts: readonly ExpositionPart[], openMetrics: boolean, gzip: boolean): Promise<ResponseBody> {
    const texts = parts.map((part) => (openMetrics ? part.openMetrics : part.text));
    if (openMetrics) texts.push(EOF);
    const [first] = texts;
    if (first === undefined) return assemble(texts, gzip);
    let kept = this.kept.get(first);
    if (!kept) this.kept.set(first, (kept = []));
    const list = kept;
    const known = list.find((entry) => entry.gzip === gzip && entry.texts.length === texts.length && entry.texts.every((text, i) => text === texts[i]));
    if (known) return known.body;
    const body = assemble(texts, gzip);
    const entry = { texts, gzip, body };
    list.unshift(entry);
    list.length = Math.min(list.length, KEPT_BODIES);
    const forget = (): void => {
      const at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
    };
    // A large plain body is shared by the scrapes that asked while it was being inflated, then let go.
    body.then((done) => { if (!gzip && done.length > SMALL_BODY_MAX_BYTES) forget(); }, forget);
    return body;
  }
}

async function assemble(texts: readonly EncodedText[], gzip: boolean): Promise<ResponseBody> {
  const chunks = gzip ? gzipMember(texts) : await Promise.all(texts.map((text) => text.plain()));
  const length = chunks.reduce((total, chunk) => total + chunk.length, 0);
  return { chunks: length <= SMALL_BODY_MAX_BYTES ? [Buffer.concat(chunks, length)] : chunks, length };
}
