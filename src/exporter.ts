import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cron, { type ScheduledTask } from 'node-cron';
import { AccountResolver } from './aws/accounts.js';
import { AwsClients, type AwsCredentials } from './aws/clients.js';
import { CallPacer } from './aws/pacing.js';
import { Poller } from './collect/poller.js';
import type { CollectionSnapshot } from './collect/snapshot.js';
import type { ExporterConfig } from './config/types.js';
import { createApp } from './http/app.js';
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
  /** Runs collections on the config's schedule; tests turn it off and call collect() themselves. */
  readonly schedule: boolean;
  /** Per HTTP attempt to AWS, in milliseconds. */
  readonly requestTimeoutMs?: number;
  /** Attempts per AWS call, the first included (the SDK's retries). */
  readonly maxAttempts?: number;
  /** Wall clock in epoch milliseconds. */
  readonly now?: () => number;
  /** Fixed credentials (the demo's); otherwise the SDK's default provider chain. */
  readonly credentials?: AwsCredentials;
}

export interface RunningExporter {
  /** http://HOST:PORT of the listening server. */
  readonly url: string;
  /** Runs one collection now (undefined when one is already running). */
  collect(): Promise<CollectionSnapshot> | undefined;
  /** Stops the schedule, abandons any collection in flight and closes the server. */
  stop(): Promise<void>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 3;

/** Wires config, AWS clients, poller, metrics and the HTTP server together, and starts them. */
export async function startExporter(options: ExporterOptions): Promise<RunningExporter> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const self = new SelfMetrics({ version: VERSION, revision: REVISION });
  const snapshotMetrics = new SnapshotMetrics();
  self.configLoaded(true, now() / 1000);
  let latest: CollectionSnapshot | undefined;

  const clients = new AwsClients({
    endpointUrl: config.endpointUrl,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    credentials: options.credentials,
    observe: (attempt) => { self.awsAttempt(attempt); },
  });
  const poller = new Poller(config, {
    clients,
    accounts: new AccountResolver(clients),
    pacer: new CallPacer(config.rateLimit, config.concurrency),
    logger,
    now,
    observer: {
      collectionFinished: (snapshot) => {
        latest = snapshot;
        snapshotMetrics.publish(snapshot);
        self.collectionFinished(snapshot);
      },
      collectionSkipped: () => { self.collectionSkipped(); },
    },
  });

  const app = createApp({
    version: VERSION,
    telemetryPath: options.telemetryPath,
    ready: () => latest !== undefined,
    metricsText: async () => (await snapshotMetrics.text()) + (await self.text()),
    landing: () => ({ targets: latest?.targets ?? [], lastCollection: latest?.finishedAt }),
  });
  const server = await listen(app, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '[::]' || host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  logger.info({ address: `${host}:${address.port}`, targets: config.targets.length }, 'listening');

  const runCollection = (): Promise<CollectionSnapshot> | undefined => {
    const running = poller.collect();
    running?.catch((err: unknown) => { logger.error({ err }, 'collection crashed'); });
    return running;
  };
  let task: ScheduledTask | undefined;
  if (options.schedule) {
    task = cron.schedule(config.schedule, () => { void runCollection(); }, { name: 'collection', noOverlap: false });
    const [first, second] = task.getNextRuns(2);
    if (first && second) self.scheduleIntervalSeconds((second.getTime() - first.getTime()) / 1000);
    void runCollection();
  }

  return {
    url,
    collect: runCollection,
    async stop() {
      await task?.destroy();
      clients.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      });
    },
  };
}

function listen(app: ReturnType<typeof createApp>, host: string | undefined, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      if (err) reject(err);
      else resolve(server);
    };
    const server = host === undefined ? app.listen(port, done) : app.listen(port, host, done);
  });
}
