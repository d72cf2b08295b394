import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Shard } from '../collect/shard.js';
import { HEALTHY_PATH, READY_PATH } from '../http/probes.js';
import type { LogFormat, LogLevel } from '../log.js';

/** What `--config.check` does beyond validating the files. */
export type ConfigCheck = 'config' | 'discover' | 'aws';

export interface Flags {
  readonly configFile: string;
  /** False runs the exporter; otherwise check this much and exit (see {@link ConfigCheck}). */
  readonly configCheck: false | ConfigCheck;
  /** `--web.listen-address` as given, for naming it in messages. */
  readonly listenAddress: string;
  /** Undefined host listens on every interface. */
  readonly listenHost: string | undefined;
  readonly listenPort: number;
  readonly telemetryPath: string;
  /** TLS and basic-auth configuration (exporter-toolkit format); undefined for plain HTTP without authentication. */
  readonly webConfigFile: string | undefined;
  /** POST /-/reload is served only when this is on, as in Prometheus. */
  readonly enableLifecycle: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly demo: boolean;
  /** The port of the demo's AWS simulator, on 127.0.0.1; undefined picks a free one. Only with `demo`. */
  readonly demoAwsPort: number | undefined;
  /** This instance's share of the targets, when several instances split them. */
  readonly shard: Shard | undefined;
  readonly version: boolean;
  readonly help: boolean;
}

/** One command-line flag, as the usage text and the flags table (docs/configuration.md) show it. */
export interface FlagDefinition {
  readonly name: string;
  /** The value's placeholder in the usage (`PATH`); absent for a switch. */
  readonly value?: string;
  /** Shown as the default; absent when there is none (a switch is off by default). */
  readonly default?: string;
  readonly help: string;
}

/** Every flag the exporter takes, in the order the usage and the docs list them. */
export const FLAG_DEFINITIONS: readonly FlagDefinition[] = [
  { name: 'config.file', value: 'PATH', default: 'config.yaml', help: 'The configuration file.' },
  { name: 'config.check', value: '[=discover|aws]', help: 'Validate the configuration (and the web configuration), print the problems and exit 0 (valid) or 2 (invalid), or 1 when a certificate, key or CA file the web configuration names cannot be read or used; starts nothing. `=discover` also runs the discoveries against AWS and lists every target it would watch; `=aws` also makes each read call of every target once and prints, per IAM action, whether AWS allowed it (exit 1 when one failed).' },
  { name: 'web.listen-address', value: 'ADDR', default: ':10102', help: 'Where to listen for HTTP requests: `HOST:PORT`, or `:PORT` for every interface.' },
  { name: 'web.telemetry-path', value: 'PATH', default: '/metrics', help: 'Where the metrics are served.' },
  { name: 'web.config.file', value: 'PATH', help: 'TLS and basic authentication, in the Prometheus exporter-toolkit format.' },
  { name: 'web.enable-lifecycle', help: 'Serve `POST /-/reload` (otherwise 403); SIGHUP reloads either way.' },
  { name: 'log.level', value: 'LEVEL', default: 'info', help: '`debug`, `info`, `warn` or `error`.' },
  { name: 'log.format', value: 'FORMAT', default: 'logfmt', help: '`logfmt` or `json`. Logs go to standard error in every mode; standard output carries only what a command prints as its result (`--help`, `--version`, the `--config.check` reports).' },
  { name: 'demo', help: 'Run against the built-in AWS simulator, with a fast schedule.' },
  { name: 'demo.aws-port', value: 'PORT', help: 'With `--demo`: the port on 127.0.0.1 its AWS simulator listens on, for other commands to use as a sandbox (docs/demo.md). Default: a free port.' },
  { name: 'shard.count', value: 'N', default: '1', help: 'Split the targets among N instances; 1 takes them all.' },
  { name: 'shard.index', value: 'I', default: '0', help: 'Which of those instances this one is, 0 to N-1.' },
  { name: 'version', help: 'Print the version and exit.' },
  { name: 'help', help: 'Print this help and exit.' },
];

/** `--name=VALUE`, or `--name` for a switch. */
function spelling(flag: FlagDefinition): string {
  if (flag.value === undefined) return `--${flag.name}`;
  return flag.value.startsWith('[') ? `--${flag.name}${flag.value}` : `--${flag.name}=${flag.value}`;
}

const USAGE_INDENT = 35;
const USAGE_WIDTH = 110;

/** A flag's help for the terminal: without Markdown's code marks, wrapped under its own column. */
function usageLines(flag: FlagDefinition): string {
  const text = `${flag.help.replaceAll('`', '')}${flag.default === undefined ? '' : ` (default "${flag.default}")`}`;
  const lines: string[] = [];
  let line = `  ${spelling(flag)}`.padEnd(USAGE_INDENT);
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > USAGE_WIDTH && line.trim() !== '') {
      lines.push(line.trimEnd());
      line = ' '.repeat(USAGE_INDENT);
    }
    line += line.endsWith(' ') ? word : ` ${word}`;
  }
  return [...lines, line].join('\n');
}

export const USAGE = `usage: aws-resolution-exporter [flags]

Prometheus exporter for Amazon Connect Customer Profiles identity-resolution jobs and
AWS Entity Resolution matching and ID-mapping jobs.

Flags:
${FLAG_DEFINITIONS.map(usageLines).join('\n')}
`;

/** The flags table (Markdown) of docs/configuration.md, kept equal to {@link FLAG_DEFINITIONS} by `npm run render-docs`. */
export function flagsTable(): string {
  // A | inside a cell, even in code, ends the cell unless escaped.
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = FLAG_DEFINITIONS.map((flag) => `| \`${cell(spelling(flag))}\` | ${flag.default === undefined ? '' : `\`${flag.default}\``} | ${cell(flag.help)} |`);
  return ['| Flag | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

/** A command line the exporter cannot run with; main prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json'];
const CHECK_MODES: readonly ConfigCheck[] = ['config', 'discover', 'aws'];
const CHECK_WITH_VALUE = /^--config\.check=(.*)$/s;

/** parseArgs's options, from the definitions: a flag with a value is a string, one without a switch. */
function parseArgsOptions(): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(FLAG_DEFINITIONS.map((flag) => [
    flag.name,
    flag.value === undefined || flag.value.startsWith('[')
      ? { type: 'boolean', default: false, ...(flag.name === 'help' ? { short: 'h' } : {}) }
      // No default where none is documented, so a flag that was not given is told from one given empty.
      : { type: 'string', ...(flag.default === undefined ? {} : { default: flag.default }) },
  ]));
}

/** Parses Prometheus-style flags (`--name=value` or `--name value`). */
export function parseFlags(argv: readonly string[]): Flags {
  // --config.check is a switch that may take a value, which parseArgs cannot express: the value form is taken out first.
  const checkValues = argv.flatMap((arg) => CHECK_WITH_VALUE.exec(arg)?.[1] ?? []);
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv.filter((arg) => !CHECK_WITH_VALUE.test(arg)), strict: true, allowPositionals: false, options: parseArgsOptions() }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const given = (name: string): string | undefined => (values[name] === undefined ? undefined : String(values[name]));
  const text = (name: string): string => given(name) ?? '';
  const on = (name: string): boolean => values[name] === true;
  const [listenHost, listenPort] = parseListenAddress(text('web.listen-address'));
  const telemetryPath = text('web.telemetry-path');
  if (!telemetryPath.startsWith('/') || telemetryPath === '/') throw new UsageError(`--web.telemetry-path must start with / and not be / itself, got "${telemetryPath}"`);
  // The probes answer there without credentials, so metrics at either path would be unreachable, or unprotected.
  if (telemetryPath === HEALTHY_PATH || telemetryPath === READY_PATH) throw new UsageError(`--web.telemetry-path must not be a probe's path (${HEALTHY_PATH}, ${READY_PATH}), got "${telemetryPath}"`);
  const checkValue = checkValues.at(-1);
  return {
    configFile: text('config.file'),
    configCheck: checkValue !== undefined ? oneOf('--config.check', checkValue, CHECK_MODES) : on('config.check') && 'config',
    listenAddress: text('web.listen-address'),
    listenHost,
    listenPort,
    telemetryPath,
    webConfigFile: text('web.config.file') === '' ? undefined : text('web.config.file'),
    enableLifecycle: on('web.enable-lifecycle'),
    logLevel: oneOf('--log.level', text('log.level'), LOG_LEVELS),
    logFormat: oneOf('--log.format', text('log.format'), LOG_FORMATS),
    demo: on('demo'),
    demoAwsPort: parseDemoAwsPort(given('demo.aws-port'), on('demo')),
    shard: parseShard(text('shard.index'), text('shard.count')),
    version: on('version'),
    help: on('help'),
  };
}

/** Undefined for the default single shard; an empty or partial number is an error, never shard 0 by accident. */
function parseShard(indexText: string, countText: string): Shard | undefined {
  if (!/^\d+$/.test(countText) || Number(countText) < 1) throw new UsageError(`--shard.count must be a whole number >= 1, got "${countText}"`);
  const count = Number(countText);
  if (!/^\d+$/.test(indexText) || Number(indexText) >= count) throw new UsageError(`--shard.index must be a whole number from 0 to ${count - 1} (--shard.count - 1), got "${indexText}"`);
  return count === 1 ? undefined : { index: Number(indexText), count };
}

/** Undefined when not given: the simulator then takes a free port. */
function parseDemoAwsPort(value: string | undefined, demo: boolean): number | undefined {
  if (value === undefined) return undefined;
  // Only the demo starts a simulator: elsewhere the flag is a mistake to point out, not a setting to ignore.
  if (!demo) throw new UsageError('--demo.aws-port needs --demo: only the demo starts an AWS simulator');
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new UsageError(`--demo.aws-port must be a port number from 1 to 65535, got "${value}"`);
  return Number(value);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return match;
}

/** `:10102`, `0.0.0.0:10102`, `localhost:10102` or `[::1]:10102`. */
export function parseListenAddress(address: string): [host: string | undefined, port: number] {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`--web.listen-address must be HOST:PORT or :PORT, got "${address}"`);
  const host = match[1] ?? match[2];
  return [host === '' ? undefined : host, port];
}
