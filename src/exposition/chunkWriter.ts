/** Bytes handed on at a time: a write's own cost is lost in this many bytes, and the buffers stay few. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Hands a chunk of written bytes on; calls `consumed` once nothing reads them any more (zlib holds the bytes it
 * was given until its write completes), after which the buffer under them is written over.
 */
export type ChunkConsumer = (bytes: Buffer, consumed: () => void) => void;

/**
 * Text written straight into reused buffers as UTF-8 bytes, with no string built for it on the way: building a
 * large exposition as strings, then encoding them, made garbage many times the exposition's size. While the
 * chunks handed on are still being read, writing goes on in another buffer; the writer's owner waits for them
 * ({@link caughtUp}) so that only a few buffers ever exist.
 */
export class ChunkWriter {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;
  private readonly spare: Buffer[] = [];
  private handedOn = 0;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly consume: ChunkConsumer) {}

  /** Whether more than one chunk is still being read: the owner should wait ({@link caughtUp}) before writing on. */
  get behind(): boolean {
    return this.handedOn > 1;
  }

  /** Resolves once at most one chunk is still being read. */
  async caughtUp(): Promise<void> {
    while (this.behind) await new Promise<void>((resolve) => { this.wakeUp = resolve; });
  }

  /** Writes text as UTF-8, as Buffer.from(text) encodes it (a lone surrogate as U+FFFD). */
  writeString(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) this.writeByte(code);
      else i = this.writeMultiByte(text, i, code);
    }
  }

  /** Writes a number as JavaScript prints it (`${value}`), without making that string for an integer. */
  writeNumber(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.writeString(`${value}`);
      return;
    }
    let rest = Math.abs(value);
    let digits = 1;
    for (let left = rest; left >= 10; left = (left - (left % 10)) / 10) digits++;
    if (value < 0) this.writeByte(0x2d);
    if (this.at + digits > CHUNK_BYTES) this.handOn();
    for (let i = this.at + digits - 1; i >= this.at; i--) {
      const digit = rest % 10;
      this.chunk[i] = 0x30 + digit;
      rest = (rest - digit) / 10;
    }
    this.at += digits;
  }

  /** Hands on what is written so far, so that bytes written past the writer (to one consumer only) follow it. */
  flush(): void {
    if (this.at > 0) this.handOn();
  }

  private writeByte(byte: number): void {
    if (this.at === CHUNK_BYTES) this.handOn();
    this.chunk[this.at++] = byte;
  }

  /** Writes the code point at `i` (one or two UTF-16 units) and returns the index of its last unit. */
  private writeMultiByte(text: string, i: number, code: number): number {
    let point = code;
    let last = i;
    if (code >= 0xd800 && code <= 0xdfff) {
      const low = text.charCodeAt(i + 1);
      const paired = code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
      point = paired ? 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00) : 0xfffd;
      if (paired) last = i + 1;
    }
    if (point < 0x800) {
      this.writeByte(0xc0 | (point >> 6));
    } else if (point < 0x10000) {
      this.writeByte(0xe0 | (point >> 12));
      this.writeByte(0x80 | ((point >> 6) & 0x3f));
    } else {
      this.writeByte(0xf0 | (point >> 18));
      this.writeByte(0x80 | ((point >> 12) & 0x3f));
      this.writeByte(0x80 | ((point >> 6) & 0x3f));
    }
    this.writeByte(0x80 | (point & 0x3f));
    return last;
  }

  private handOn(): void {
    const chunk = this.chunk;
    this.handedOn++;
    this.consume(chunk.subarray(0, this.at), () => {
      this.handedOn--;
      this.spare.push(chunk);
      if (!this.behind) this.wakeUp?.();
    });
    this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.at = 0;
  }
}
