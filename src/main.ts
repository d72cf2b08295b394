#!/usr/bin/env node
import { parseFlags, UsageError, USAGE, type Flags } from './cli/flags.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import type { AwsCredentials } from './aws/clients.js';
import type { ExporterConfig } from './config/types.js';
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
  // Installed before anything starts, so a signal during start-up also ends the process cleanly.
  const stopActions: (() => Promise<void>)[] = [];
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    void Promise.allSettled(stopActions.map((stop) => stop())).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => { shutdown('SIGTERM'); });
  process.once('SIGINT', () => { shutdown('SIGINT'); });

  let config: ExporterConfig;
  let credentials: AwsCredentials | undefined;
  if (flags.demo) {
    // Loaded only for --demo: a production run never loads the simulator.
    const { DEMO_CREDENTIALS, startDemo } = await import('./demo.js');
    const demo = await startDemo();
    config = demo.config;
    credentials = DEMO_CREDENTIALS;
    stopActions.push(() => demo.simulator.close());
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
    ...(credentials ? { credentials } : {}),
  });
  stopActions.push(() => exporter.stop());
  if (flags.demo) process.stdout.write(`\nDemo running: open ${exporter.url}/ (metrics at ${exporter.url}${flags.telemetryPath}). Ctrl-C stops it.\n\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`aws-resolution-exporter: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
