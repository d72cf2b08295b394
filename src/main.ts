#!/usr/bin/env node
import { parseFlags, UsageError, USAGE, type Flags } from './cli/flags.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import type { ExporterConfig } from './config/types.js';
import { DEMO_CREDENTIALS, startDemo } from './demo.js';
import { startExporter } from './exporter.js';
import { createLogger } from './log.js';
import { REVISION, VERSION } from './version.js';

/** Exit code for a command line or configuration the exporter cannot run with. */
const EXIT_BAD_INPUT = 2;
/** SIGTERM/SIGINT must end the process within this, whatever is in flight. */
const SHUTDOWN_GRACE_MS = 4000;

async function main(argv: readonly string[]): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`aws-resolution-exporter: ${err.message}\n\n${USAGE}`);
    process.exit(EXIT_BAD_INPUT);
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (flags.version) {
    process.stdout.write(`aws-resolution-exporter ${VERSION} (revision ${REVISION}, node ${process.version})\n`);
    return;
  }

  const logger = createLogger(flags.logLevel, flags.logFormat);
  let config: ExporterConfig;
  let stopDemo = async (): Promise<void> => {};
  if (flags.demo) {
    const demo = await startDemo();
    config = demo.config;
    stopDemo = () => demo.simulator.close();
    logger.info({ simulator: demo.simulator.url }, 'demo: built-in AWS simulator started');
  } else {
    try {
      config = await loadConfigFile(flags.configFile);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`${err.lines.join('\n')}\n`);
      process.exit(EXIT_BAD_INPUT);
    }
    if (flags.configCheck) {
      process.stdout.write(`${flags.configFile}: OK (${config.targets.length} targets)\n`);
      return;
    }
  }

  const exporter = await startExporter({
    config,
    logger,
    host: flags.listenHost,
    port: flags.listenPort,
    telemetryPath: flags.telemetryPath,
    schedule: true,
    ...(flags.demo ? { credentials: DEMO_CREDENTIALS } : {}),
  });
  if (flags.demo) process.stdout.write(`\nDemo running: open ${exporter.url}/ (metrics at ${exporter.url}${flags.telemetryPath}). Ctrl-C stops it.\n\n`);

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    void Promise.all([exporter.stop(), stopDemo()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => { shutdown('SIGTERM'); });
  process.once('SIGINT', () => { shutdown('SIGINT'); });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`aws-resolution-exporter: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
