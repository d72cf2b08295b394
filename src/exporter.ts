import type { AddressInfo } from 'node:net';
import cron from 'node-cron';
import { AccountResolver } from './aws/accounts.js';
import { AwsClients, type AwsCredentials } from './aws/clients.js';
import { CallPacer } from './aws/pacing.js';
import { sdkSources } from './aws/sourceFactory.js';
import { Poller } from './collect/poller.js';
import type { Shard } from './collect/shard.js';
import { FailureLog } from './collect/failureLog.js';
import { loadState, saveState } from './collect/stateFile.js';
import { describeError } from './aws/errors.js';
import type { CollectionSnapshot } from './collect/snapshot.js';
import { ConfigError } from './config/load.js';
import { scheduleIntervalSeconds } from './config/schedule.js';
import type { ExporterConfig } from './config/types.js';
import { createApp } from './http/app.js';
import type { ReloadOutcome } from './http/exporterView.js';
import { listen } from './http/listen.js';
import { createWebServer } from './http/server.js';
import type { WebConfig } from './http/webConfig.js';
import type { Logger } from './log.js';
import { SelfMetrics } from './metrics/selfMetrics.js';
import { SnapshotMetrics } from './metrics/snapshotMetrics.js';
import { REVISION, VERSION } from './version.js';

export interface ExporterOptions {
  readonly config: ExporterConfig;
  readonly logger: Logger;
  /** Host to listen on; undefined listens on every interface. */
  readonly host: string | undefined;
  /** 0 picks a free port. */
  readonly port: number;
  readonly telemetryPath: string;
  /** Runs collections on the config's schedule: {@link cronScheduler}, or a test's own that ticks when it says. */
  readonly scheduler: Scheduler;
  /** Attempts per AWS call, the first included (the SDK's retries). */
  readonly maxAttempts?: number;
  /** Wall clock in epoch milliseconds. */
  readonly now?: () => number;
  /** Fixed credentials (the demo's); otherwise the SDK's default provider chain. */
  readonly credentials?: AwsCredentials;
  /** This instance's share of the targets (`--shard.*`); undefined takes them all. */
  readonly shard?: Shard | undefined;
  /** Reads the configuration file again, for reloads; undefined when there is none (the demo). */
  readonly loadConfig?: () => Promise<ExporterConfig>;
  /** TLS and basic authentication (`--web.config.file`); plain HTTP without authentication when absent. */
  readonly webConfig?: WebConfig;
  /** Serves POST /-/reload (`--web.enable-lifecycle`); off by default, when it answers 403. SIGHUP reloads either way. */
  readonly enableLifecycle?: boolean;
}

/** The state file's writes are one thing that fails or not, whichever file the configuration names. */
const STATE_FILE_WRITES = 'state_file';

/** Calls `tick` on each time a cron expression names, until stopped. */
export type Scheduler = (expression: string, tick: () => void) => { stop(): Promise<void> | void };

/** node-cron's schedule; a tick while a collection still runs is skipped and counted by the poller, not by node-cron. */
export const cronScheduler: Scheduler = (expression, tick) => {
  const task = cron.schedule(expression, tick, { name: 'collection', noOverlap: false });
  return { stop: () => task.destroy() };
};

/** Never ticks: collections run when collect() is called (tests, the bench). */
export const manualSchedule: Scheduler = () => ({ stop: () => undefined });

export interface RunningExporter {
  /** http://HOST:PORT of the listening server, https:// when the web config turns TLS on. */
  readonly url: string;
  /** Runs one collection now (undefined when one is already running); the first is the caller's to start. */
  collect(): Promise<CollectionSnapshot> | undefined;
  /**
   * Reads the configuration again and applies it (targets, window, schedule, rate, endpoint), then collects.
   * An invalid one is rejected with its problems and the running one stays.
   */
  reload(): Promise<ReloadOutcome>;
  /** Stops the schedule, abandons any collection in flight and closes the server. */
  stop(): Promise<void>;
}

/** Wires config, AWS clients, poller, metrics and the HTTP server together, and starts them. */
export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const self = new SelfMetrics({ version: VERSION, revision: REVISION });
  const snapshotMetrics = new SnapshotMetrics();
  self.configLoaded(true, now() / 1000);
  let latest: CollectionSnapshot | undefined;

  let config = options.config;
  // The resolver needs the clients, and the clients label their calls with the accounts the resolver finds.
  const clients: AwsClients = new AwsClients({
    settings: config,
    maxAttempts: options.maxAttempts,
    credentials: options.credentials,
    observe: (attempt) => { self.awsAttempt(attempt); },
    accountOf: (role): string | undefined => accounts.known(role),
  });
  const accounts = new AccountResolver(clients);
  const pacer = new CallPacer(config.rateLimit, config.concurrency);
  const poller = new Poller(config, {
    sources: sdkSources(clients),
    accounts,
    pacer,
    shard: options.shard,
    logger,
    now,
    observer: {
      collectionFinished: async (snapshot) => {
        // Saved before served: a counter a scrape has seen survives a kill -9, so Prometheus never sees it go back.
        await persistState();
        snapshotMetrics.publish(snapshot);
        self.collectionFinished(snapshot);
        // The collection ends once its series are rendered: a scrape after it, or after /-/ready says so, sees them.
        await snapshotMetrics.rendered();
        latest = snapshot;
      },
      collectionSkipped: () => { self.collectionSkipped(); },
      refreshFinished: (ok, discovered) => { self.refreshFinished(ok, discovered); },
    },
  });

  // Logged when writes start failing, hourly while they go on, and when they succeed again: not at every collection.
  const stateWrites = new FailureLog(logger, {
    failed: 'could not write the state file: counters will restart from the last good one',
    recovered: 'state file written again',
    level: 'error',
    codeField: 'code',
  }, now);
  const persistState = async (): Promise<void> => {
    const path = config.stateFile;
    if (path === undefined) return;
    try {
      await saveState(path, poller.exportState(), now());
      self.stateWritten(true);
      stateWrites.succeeded(STATE_FILE_WRITES, { state_file: path });
    } catch (err) {
      self.stateWritten(false);
      stateWrites.failed(STATE_FILE_WRITES, { state_file: path }, err);
    }
  };
  if (config.stateFile !== undefined) await restoreState(config.stateFile, poller, logger, now());

  const app = createApp({
    version: VERSION,
    telemetryPath: options.telemetryPath,
    ready: () => latest !== undefined,
    // Both parts come from caches: the collection's series as last rendered, the exporter's own as of the last second.
    exposition: async () => [snapshotMetrics.part(), await self.part()],
    landing: async () => ({ collection: latest, awsRequests: await self.awsRequestCounts(), now: now() / 1000 }),
    reload: () => reload(),
  }, logger, { enableLifecycle: options.enableLifecycle ?? false });
  const tls = options.webConfig?.tls !== undefined;
  const server = await listen(createWebServer(app, options.webConfig, logger), options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${tls ? 'https' : 'http'}://${host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ address: `${host}:${address.port}`, tls, targets: config.targets.length, shard: options.shard && `${options.shard.index}/${options.shard.count}` }, 'listening');
  if (!tls && (options.webConfig?.basicAuthUsers.size ?? 0) > 0) logger.warn('basic authentication without TLS: passwords cross the network in clear text');

  const runCollection = (): Promise<CollectionSnapshot> | undefined => {
    const running = poller.collect();
    running?.catch((err: unknown) => { logger.error({ err }, 'collection crashed'); });
    return running;
  };
  let task: ReturnType<Scheduler> | undefined;
  const schedule = (): void => {
    self.scheduleIntervalSeconds(scheduleIntervalSeconds(config.schedule));
    task = options.scheduler(config.schedule, () => { void runCollection(); });
  };
  schedule();

  const reload = async (): Promise<ReloadOutcome> => {
    if (!options.loadConfig) return { ok: false, problems: ['there is no configuration file to reload (demo mode)'] };
    let next: ExporterConfig;
    try {
      next = await options.loadConfig();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      self.configLoaded(false, now() / 1000);
      logger.error({ problems: err.lines }, 'configuration reload failed: keeping the running configuration');
      return { ok: false, problems: err.lines };
    }
    const previous = config;
    config = next;
    clients.reconfigure(next);
    pacer.reconfigure(next.rateLimit, next.concurrency);
    poller.reconfigure(next);
    if (next.schedule !== previous.schedule) {
      await task?.stop();
      schedule();
    }
    self.configLoaded(true, now() / 1000);
    logger.info({ targets: next.targets.length }, 'configuration reloaded');
    // Collected now, not at the next tick: targets added start, and targets removed lose their series at once.
    await poller.whenIdle();
    await runCollection();
    return { ok: true, problems: [] };
  };

  return {
    url,
    collect: runCollection,
    reload,
    async stop() {
      await task?.stop();
      clients.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      });
    },
  };
}

/** Continues from the state file, if there is a usable one; start-up never fails on it. */
async function restoreState(path: string, poller: Poller, logger: Logger, nowMs: number): Promise<void> {
  try {
    const loaded = await loadState(path, nowMs);
    const restored = poller.restoreState(loaded.state);
    if (loaded.outcome === 'set-aside') logger.error({ state_file: path, problem: loaded.problem, moved_to: loaded.movedTo }, 'state file unusable: set aside, starting afresh');
    else logger.info({ state_file: path, targets_restored: restored }, loaded.outcome === 'loaded' ? 'state restored' : 'no state file yet: starting afresh');
  } catch (err) {
    logger.error({ state_file: path, err: describeError(err) }, 'could not read the state file: starting afresh');
  }
}
