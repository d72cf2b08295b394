import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
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
export function oneLine(text: string): string {
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
 * Parses YAML and validates it against a schema, applying its defaults.
 * An empty document is an empty object.
 * @param fileName how to name the file in error lines, exactly as the user gave it.
 * @throws ConfigError listing every problem found; YAML syntax errors are listed alone, as the data past them is unreliable.
 */
export function parseYamlFile<S extends z.ZodType>(text: string, fileName: string, schema: S): z.output<S> {
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
  const result = schema.safeParse(data, { error: describeIssue });
  if (!result.success) throw new ConfigError(issueLines(result.error.issues).map((line) => `${fileName}: ${oneLine(line)}`));
  return result.data;
}

/**
 * Reads a configuration file's text.
 * @throws ConfigError naming the file when it cannot be read.
 */
export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw unreadableFile(path, error);
  }
}

/** The ConfigError for a configuration file that cannot be read, `error` being what reading it threw. */
export function unreadableFile(path: string, error: unknown): ConfigError {
  return new ConfigError([`${path}: (file): cannot read: ${oneLine((error as Error).message)}`]);
}

/** Parses and validates the exporter's configuration; see {@link parseYamlFile}. An empty one has no targets. */
export function parseConfig(text: string, fileName: string): ExporterConfig {
  return parseYamlFile(text, fileName, configSchema);
}

/**
 * Reads and parses a configuration file; see {@link parseConfig}. A relative `state_file` is taken relative to the file.
 * @throws ConfigError also when the file cannot be read.
 */
export async function loadConfigFile(path: string): Promise<ExporterConfig> {
  const config = parseConfig(await readConfigText(path), path);
  // As Prometheus does with the files its config names: relative to the config file, not to the working directory.
  return config.stateFile === undefined ? config : { ...config, stateFile: resolve(dirname(path), config.stateFile) };
}
