import { parseArgs } from 'node:util';
import type { Shard } from '../collect/shard.js';
import type { LogFormat, LogLevel } from '../log.js';

export interface Flags {
  readonly configFile: string;
  /** `config`: validate the file; `discover`: also run the discoveries against AWS and print what would be watched. */
  readonly configCheck: false | 'config' | 'discover';
  /** Undefined host listens on every interface. */
  readonly listenHost: string | undefined;
  readonly listenPort: number;
  readonly telemetryPath: string;
  /** TLS and basic-auth configuration (exporter-toolkit format); undefined for plain HTTP without authentication. */
  readonly webConfigFile: string | undefined;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly demo: boolean;
  /** This instance's share of the targets, when several instances split them. */
  readonly shard: Shard | undefined;
  readonly version: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: aws-resolution-exporter [flags]

Prometheus exporter for Amazon Connect Customer Profiles identity-resolution jobs and
AWS Entity Resolution matching and ID-mapping jobs.

Flags:
  --config.file=PATH           configuration file (default "config.yaml")
  --config.check               validate the configuration file, then exit 0 (valid) or 2 (invalid)
  --config.check=discover      ...and run its discoveries against AWS, printing every target it would watch
  --web.listen-address=ADDR    address to listen on for HTTP requests (default ":10102")
  --web.telemetry-path=PATH    path under which to expose metrics (default "/metrics")
  --web.config.file=PATH       web configuration file for TLS and basic auth (exporter-toolkit format)
  --log.level=LEVEL            debug, info, warn or error (default "info")
  --log.format=FORMAT          logfmt or json (default "logfmt")
  --demo                       run against the built-in AWS simulator, with a fast schedule
  --shard.count=N              split the targets among N instances (default 1: this one takes all)
  --shard.index=I              which of them this instance is, 0 to N-1 (default 0)
  --version                    print the version and exit
  --help                       print this help and exit
`;

/** A command line the exporter cannot run with; main prints it with the usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json'];

/** Parses Prometheus-style flags (`--name=value` or `--name value`). */
export function parseFlags(argv: readonly string[]): Flags {
  let values;
  try {
    ({ values } = parseArgs({
      // --config.check is a switch that may take one value; parseArgs has no such type, so the value form is spelled out.
      args: argv.map((arg) => (arg === '--config.check=discover' ? '--config.check-discover' : arg)),
      strict: true,
      allowPositionals: false,
      options: {
        'config.file': { type: 'string', default: 'config.yaml' },
        'config.check': { type: 'boolean', default: false },
        'config.check-discover': { type: 'boolean', default: false },
        'web.listen-address': { type: 'string', default: ':10102' },
        'web.telemetry-path': { type: 'string', default: '/metrics' },
        'web.config.file': { type: 'string', default: '' },
        'log.level': { type: 'string', default: 'info' },
        'log.format': { type: 'string', default: 'logfmt' },
        demo: { type: 'boolean', default: false },
        'shard.count': { type: 'string', default: '1' },
        'shard.index': { type: 'string', default: '0' },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const [listenHost, listenPort] = parseListenAddress(values['web.listen-address']);
  const telemetryPath = values['web.telemetry-path'];
  if (!telemetryPath.startsWith('/') || telemetryPath === '/') throw new UsageError(`--web.telemetry-path must start with / and not be / itself, got "${telemetryPath}"`);
  return {
    configFile: values['config.file'],
    configCheck: values['config.check-discover'] ? 'discover' : values['config.check'] && 'config',
    listenHost,
    listenPort,
    telemetryPath,
    webConfigFile: values['web.config.file'] === '' ? undefined : values['web.config.file'],
    logLevel: oneOf('--log.level', values['log.level'], LOG_LEVELS),
    logFormat: oneOf('--log.format', values['log.format'], LOG_FORMATS),
    demo: values.demo,
    shard: parseShard(values['shard.index'], values['shard.count']),
    version: values.version,
    help: values.help,
  };
}

/** Undefined for the default single shard; an empty or partial number is an error, never shard 0 by accident. */
function parseShard(indexText: string, countText: string): Shard | undefined {
  if (!/^\d+$/.test(countText) || Number(countText) < 1) throw new UsageError(`--shard.count must be a whole number >= 1, got "${countText}"`);
  const count = Number(countText);
  if (!/^\d+$/.test(indexText) || Number(indexText) >= count) throw new UsageError(`--shard.index must be a whole number from 0 to ${count - 1} (--shard.count - 1), got "${indexText}"`);
  return count === 1 ? undefined : { index: Number(indexText), count };
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
