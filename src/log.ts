import { Writable } from 'node:stream';
import logfmt from 'logfmt';
import { pino, stdTimeFunctions, type Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';
export type { Logger };

/** Log lines go here: standard error, so that standard output carries only a command's result; tests pass a sink. */
export interface LogDestination {
  write(line: string): void;
}

/**
 * The exporter's one logger: pino, writing JSON lines, or logfmt (the Prometheus ecosystem's default) by
 * re-encoding each pino line with the logfmt library. Errors go under `err` as their name and message only,
 * so request signatures and credentials can never reach a log line through an SDK error object.
 */
export function createLogger(level: LogLevel, format: LogFormat, destination: LogDestination = process.stderr): Logger {
  const options = {
    level,
    base: null,
    timestamp: stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)) },
  };
  if (format === 'json') return pino(options, destination);
  return pino(options, logfmtStream(destination));
}

function logfmtStream(destination: LogDestination): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) destination.write(`${logfmt.stringify(JSON.parse(line) as Record<string, unknown>)}\n`);
      }
      done();
    },
  });
}
