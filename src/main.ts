#!/usr/bin/env node
import { parseFlags, UsageError, USAGE, type Flags } from './cli/flags.js';
import { blameFlag, StartFailure } from './cli/startFailure.js';
import { requireRegions } from './check/region.js';
import { requireWritableStateFile } from './check/stateFile.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import type { AwsCredentials } from './aws/clients.js';
import type { ExporterConfig } from './config/types.js';
import { cronScheduler, startExporter } from './exporter.js';
import { ListenError } from './http/listen.js';
import { loadWebConfigFile, TlsFilesError } from './http/webConfig.js';
import { createLogger } from './log.js';
import { isSupportedNode, REVISION, SUPPORTED_NODE, VERSION } from './version.js';

/** Exit code for a command line or configuration the exporter cannot run with. */
const EXIT_BAD_INPUT = 2;
/** Exit code of `--config.check=discover` or `=aws` when AWS could not be read or refused a call. */
const EXIT_AWS_FAILED = 1;
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
  // SIGHUP re-reads the configuration, as Prometheus and its exporters do; until the exporter runs it is ignored
  // rather than ending the process, which is its default.
  let reload = (): void => { logger.warn('SIGHUP before start-up finished: ignored'); };
  process.on('SIGHUP', () => { reload(); });

  // Both files are checked before either stops the start, so one run reports every problem.
  const problems: string[] = [];
  const webConfigFile = flags.webConfigFile;
  const webConfig = webConfigFile === undefined ? undefined : await loadOrCollect(() => loadWebConfigFile(webConfigFile).catch(blameFlag(`--web.config.file=${webConfigFile}`, TlsFilesError)), problems);

  let config: ExporterConfig;
  let credentials: AwsCredentials | undefined;
  /** What the demo prints under its banner: how to use its simulator from other commands. */
  let demoSandbox: string | undefined;
  if (flags.demo) {
    if (problems.length > 0) exitWithProblems(problems);
    // Loaded only for --demo: a production run never loads the simulator.
    const { DEMO_CREDENTIALS, sandboxInstructions, startDemo } = await import('./demo.js');
    // Without the flag the port is 0, a free one, which cannot be in use.
    const demo = await startDemo(flags.demoAwsPort).catch(blameFlag(`--demo.aws-port=${flags.demoAwsPort ?? 0}`, ListenError));
    config = demo.config;
    credentials = DEMO_CREDENTIALS;
    demoSandbox = sandboxInstructions(demo.simulator.url);
    stopActions.push(() => demo.simulator.close());
    logger.info({ simulator: demo.simulator.url }, 'demo: built-in AWS simulator started');
  } else {
    const loaded = await loadOrCollect(() => loadRunnableConfig(flags.configFile), problems);
    if (loaded === undefined || problems.length > 0) exitWithProblems(problems);
    config = loaded;
    if (flags.configCheck) {
      process.stdout.write(`${flags.configFile}: OK (${config.targets.length} targets)\n`);
      if (webConfigFile !== undefined) process.stdout.write(`${webConfigFile}: OK\n`);
      if (flags.configCheck !== 'config') {
        // Loaded only for these dry runs, like the demo: a plain check never reaches AWS.
        const { lines, ok } = flags.configCheck === 'discover'
          ? await (await import('./check/discovery.js')).checkDiscovery(config, logger, flags.shard)
          : await (await import('./check/aws.js')).preflight(config, logger);
        process.stdout.write(`${lines.join('\n')}\n`);
        if (!ok) process.exit(EXIT_AWS_FAILED);
      }
      return;
    }
  }

  if (!isSupportedNode(process.version)) {
    logger.warn({ node: process.version, supported: SUPPORTED_NODE }, 'this Node.js line is not supported (past its end of life, or not tested yet)');
  }
  const exporter = await startExporter({
    config,
    logger,
    host: flags.listenHost,
    port: flags.listenPort,
    telemetryPath: flags.telemetryPath,
    scheduler: cronScheduler,
    shard: flags.shard,
    enableLifecycle: flags.enableLifecycle,
    ...(credentials ? { credentials } : {}),
    ...(webConfig ? { webConfig } : {}),
    ...(flags.demo ? {} : { loadConfig: () => loadRunnableConfig(flags.configFile) }),
  }).catch(blameFlag(`--web.listen-address=${flags.listenAddress}`, ListenError));
  stopActions.push(() => exporter.stop());
  // The first collection starts now, not at the schedule's first tick: /-/ready waits for it.
  void exporter.collect();
  reload = () => { void exporter.reload(); };
  if (demoSandbox !== undefined) process.stdout.write(`\nDemo running: open ${exporter.url}/ (metrics at ${exporter.url}${flags.telemetryPath}). Ctrl-C stops it.\n\n${demoSandbox}\n`);
}

/** The configuration file, refused also when a target would have no region to call, or the state file no directory to go to. */
async function loadRunnableConfig(file: string): Promise<ExporterConfig> {
  const config = await loadConfigFile(file);
  await requireRegions(config, file);
  await requireWritableStateFile(config, file);
  return config;
}

/** Prints one line per configuration problem and exits 2. */
function exitWithProblems(problems: readonly string[]): never {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(EXIT_BAD_INPUT);
}

/** Runs `load`; a ConfigError's lines go to `problems` instead of propagating, and the result is then undefined. */
async function loadOrCollect<T>(load: () => Promise<T>, problems: string[]): Promise<T | undefined> {
  try {
    return await load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.lines);
    return undefined;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // A StartFailure is the user's to fix and says all in its line; anything else is a bug, and its stack helps.
  const text = err instanceof StartFailure ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`aws-resolution-exporter: ${text}\n`);
  process.exit(1);
});
