import { createHash } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import type { TargetState } from './targetCollector.js';

/** Names the file's kind, so a file of anything else is recognised and set aside rather than misread. */
const FORMAT = 'aws-resolution-exporter-state';
/** Bumped when the layout changes; a file of another version is set aside, never half-understood. */
const VERSION = 1;

/** What survives a restart: each target's collector state, by the target's key. */
export type ExporterState = ReadonlyMap<string, TargetState>;

interface StateDocument {
  readonly format: string;
  readonly version: number;
  readonly writtenAt: number;
  readonly targets: Record<string, TargetState>;
  readonly sha256: string;
}

/** What loading found: the state, or why the file was set aside (and where it went). */
export type LoadedState =
  | { readonly outcome: 'loaded'; readonly state: ExporterState }
  | { readonly outcome: 'missing'; readonly state: ExporterState }
  | { readonly outcome: 'set-aside'; readonly state: ExporterState; readonly problem: string; readonly movedTo: string };

/** Dates (SDK output) survive JSON as `{"$date": epochMs}`; JSON alone would turn them into strings. */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { $date: raw.getTime() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as { $date?: unknown }).$date === 'number') {
    return new Date((value as { $date: number }).$date);
  }
  return value;
}

function checksum(body: Omit<StateDocument, 'sha256'>): string {
  return createHash('sha256').update(JSON.stringify(body, replacer)).digest('hex');
}

/** Why `doc` is not a state file this version can trust, or undefined when it is one. */
function problemOf(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return 'not a JSON object';
  const { format, version, writtenAt, targets, sha256 } = doc as Partial<StateDocument>;
  if (format !== FORMAT) return `not a state file of this exporter (format ${JSON.stringify(format)})`;
  if (version !== VERSION) return `state file version ${JSON.stringify(version)}, this exporter reads version ${VERSION}`;
  if (typeof writtenAt !== 'number' || typeof targets !== 'object' || typeof sha256 !== 'string') return 'members missing or of the wrong type';
  // The checksum is over the text as it was written, Dates included, so it is checked on the revived document.
  if (checksum({ format, version, writtenAt, targets }) !== sha256) return 'checksum mismatch: the file was changed or cut short';
  return undefined;
}

/**
 * Reads the state file. A missing file is an empty state. A corrupt, truncated or foreign one is renamed to
 * `<file>.corrupt-<epoch ms>` (kept for inspection, never overwritten) and the exporter starts from an empty
 * state: losing history is better than counting wrong, and start-up never fails on it.
 */
export async function loadState(path: string, now: number): Promise<LoadedState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { outcome: 'missing', state: new Map() };
    throw err;
  }
  let doc: unknown;
  let problem: string | undefined;
  try {
    doc = JSON.parse(text, reviver);
    problem = problemOf(doc);
  } catch (err) {
    problem = `not JSON: ${(err as Error).message}`;
  }
  if (problem === undefined) return { outcome: 'loaded', state: new Map(Object.entries((doc as StateDocument).targets)) };
  const movedTo = `${path}.corrupt-${now}`;
  await rename(path, movedTo);
  return { outcome: 'set-aside', state: new Map(), problem, movedTo };
}

/** The text is written this many characters at a time, so no full-size byte copy of it is ever made. */
const WRITE_CHARS = 2 ** 20;

/**
 * Writes the state atomically: a complete temporary file, flushed to disk, then renamed over the old one,
 * so a crash at any moment leaves either the old file or the new one, never a torn one. The document is
 * stringified once: the checksum is over the body's text, which the file holds as is, the `sha256` member
 * spliced in before its closing brace.
 */
export async function saveState(path: string, state: ExporterState, now: number): Promise<void> {
  const body = JSON.stringify({ format: FORMAT, version: VERSION, writtenAt: now, targets: Object.fromEntries(state) }, replacer);
  const hash = createHash('sha256');
  const temporary = `${path}.tmp-${process.pid}`;
  const file = await open(temporary, 'w', 0o600);
  try {
    const end = body.length - 1;
    for (let at = 0; at < end;) {
      const next = pieceEnd(body, at, end);
      const bytes = Buffer.from(body.slice(at, next), 'utf8');
      hash.update(bytes);
      await file.write(bytes);
      at = next;
    }
    hash.update(body.slice(end));
    await file.write(`,"sha256":"${hash.digest('hex')}"}`);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

/** Where the piece of `text` from `at` ends: {@link WRITE_CHARS} on, or `end`, never between a surrogate pair's halves. */
function pieceEnd(text: string, at: number, end: number): number {
  const next = Math.min(at + WRITE_CHARS, end);
  const last = text.charCodeAt(next - 1);
  return next < end && last >= 0xd800 && last <= 0xdbff ? next + 1 : next;
}
