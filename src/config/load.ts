import { readFile } from 'node:fs/promises';
import { isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { configSchema } from './schema.js';
import { describeIssue, issueLines } from './issues.js';
import type { ExporterConfig } from './types.js';

/** A configuration the exporter cannot run with; one line per problem, each starting with the file name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
}

/** Keeps a problem on one line even when it quotes YAML's or Node's multi-line text. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** The key of the map entry whose key starts at `offset`, for naming a duplicate key. */
function keyAt(doc: Document, offset: number): string | undefined {
  let key: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}

/** `FILE:LINE:COLUMN: problem` for a YAML syntax error, naming the key when it is a duplicate. */
function yamlErrorLine(fileName: string, error: YAMLError, doc: Document, lineCounter: LineCounter): string {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  const key = error.code === 'DUPLICATE_KEY' ? keyAt(doc, error.pos[0]) : undefined;
  const message = key === undefined ? error.message : `duplicate key ${JSON.stringify(key)} (YAML map keys must be unique)`;
  return `${fileName}:${line}:${col}: ${oneLine(message)}`;
}

/**
 * Parses and validates a YAML configuration, applying defaults.
 * An empty document is an empty configuration: no targets, all defaults.
 * @param fileName how to name the file in error lines, exactly as the user gave it.
 * @throws ConfigError listing every problem found; YAML syntax errors are listed alone, as the data past them is unreliable.
 */
export function parseConfig(text: string, fileName: string): ExporterConfig {
  const lineCounter = new LineCounter();
  // prettyErrors would append a multi-line source excerpt to each message; the LineCounter gives the position instead.
  // logLevel 'error' keeps yaml from printing process warnings (e.g. for map-valued keys) on stderr.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((error) => yamlErrorLine(fileName, error, doc, lineCounter)));
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (error) {
    // toJS throws for unresolvable aliases and alias-expansion bombs.
    throw new ConfigError([`${fileName}: (root): ${oneLine((error as Error).message)}`]);
  }
  const result = configSchema.safeParse(data, { error: describeIssue });
  if (!result.success) throw new ConfigError(issueLines(result.error.issues).map((line) => `${fileName}: ${oneLine(line)}`));
  return result.data;
}

/**
 * Reads and parses a configuration file; see {@link parseConfig}.
 * @throws ConfigError also when the file cannot be read.
 */
export async function loadConfigFile(path: string): Promise<ExporterConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: (file): cannot read: ${oneLine((error as Error).message)}`]);
  }
  return parseConfig(text, path);
}
