import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { ExporterConfig } from '../src/config/types.js';
import { manualSchedule, startExporter, type RunningExporter } from '../src/exporter.js';
import type { ReloadOutcome } from '../src/http/exporterView.js';
import { createLogger, type Logger } from '../src/log.js';
import { DEFAULT_REGION, specNames, type FleetSpec, type TargetSpec } from '../src/simulator/index.js';
import { RemoteSimulator } from './simulatorClient.js';

export const CREDENTIALS = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench-secret-key-not-real' };

export interface WorldOptions {
  readonly fleet: FleetSpec;
  readonly lookbackSeconds: number;
  readonly maxJobsPerTarget: number;
  readonly concurrency: number;
  readonly rateLimit: number;
  readonly latencyMs: number;
  /** Per-operation TPS quota the simulator enforces; undefined: none. */
  readonly quota: number | undefined;
  /** The simulator's seed (its job history, its faults' draws); default the bench's. */
  readonly seed?: string;
  /** The targets the exporter watches at start; default every target of the fleet. */
  readonly watched?: WatchedTargets;
  /** Config-file settings over the world's own, e.g. `collection_timeout`. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** `request_timeout` below the whole seconds a config file can say, so a hanging call costs little wall time. */
  readonly requestTimeoutSeconds?: number;
  /** Keeps a state file (in a temporary folder), as a pod set up as the README says does; default none. */
  readonly stateFile?: boolean;
}

/** Targets by name; each is watched in every region of the fleet. */
export type WatchedTargets = Pick<FleetSpec, 'domains' | 'matchingWorkflows' | 'idMappingWorkflows'>;

/**
 * The simulator (in its own process) and the exporter (in this one, reaching it through the real SDK clients),
 * on loopback ports, sharing a simulated clock the bench moves.
 */
export interface World {
  readonly simulator: RemoteSimulator;
  readonly exporter: RunningExporter;
  /** The configuration the exporter runs: the one it started with, or the last one reloaded. */
  readonly config: ExporterConfig;
  /** Warnings and errors the exporter logged (the first 100). */
  readonly problems: string[];
  /** Simulated epoch seconds. */
  now(): number;
  /** Moves the simulated clock on, for the simulator and the exporter alike. */
  advance(seconds: number): Promise<void>;
  /** Runs one collection and returns its wall time in seconds. */
  collect(): Promise<number>;
  /** Collections run so far (the last one's number, counting from 1), reloads' collections aside. */
  collections(): number;
  /** Watches these targets with these settings (over the world's), through the exporter's reload path, which collects. */
  reload(watched: WatchedTargets, settings?: Readonly<Record<string, unknown>>): Promise<ReloadOutcome>;
  /** A second exporter of the running configuration, on the same simulator and clock; the caller stops it. */
  startControl(): Promise<RunningExporter>;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  let clockMs = Math.floor(Date.now() / 1000) * 1000;
  const simulator = await RemoteSimulator.start({ fleet: options.fleet, latencyMs: options.latencyMs, quota: options.quota ?? null, clockMs, ...(options.seed === undefined ? {} : { seed: options.seed }) });
  // Through the config parser, as a user's file would be: every setting the bench leaves out gets its default.
  const configOf = (watched: WatchedTargets, settings: Readonly<Record<string, unknown>>): ExporterConfig => {
    const parsed = parseConfig(JSON.stringify({ ...configFile(options, watched, simulator.url), ...settings }), 'bench.yaml');
    return options.requestTimeoutSeconds === undefined ? parsed : { ...parsed, requestTimeoutSeconds: options.requestTimeoutSeconds };
  };
  const stateDir = options.stateFile === true ? mkdtempSync(join(tmpdir(), 'bench-state-')) : undefined;
  const baseSettings = { ...(stateDir === undefined ? {} : { state_file: join(stateDir, 'state.json') }), ...options.settings };
  let config = configOf(options.watched ?? options.fleet, baseSettings);
  let next = config;
  const problems: string[] = [];
  const launch = (logger: Logger): Promise<RunningExporter> => startExporter({
    config,
    logger,
    host: '127.0.0.1',
    port: 0,
    telemetryPath: '/metrics',
    scheduler: manualSchedule,
    now: () => clockMs,
    credentials: CREDENTIALS,
    loadConfig: () => Promise.resolve(next),
  });
  const exporter = await launch(createLogger('warn', 'json', { write: (line) => { if (problems.length < 100) problems.push(line); } }));
  let collections = 0;
  return {
    simulator,
    exporter,
    get config() { return config; },
    problems,
    now: () => clockMs / 1000,
    async collect() {
      const started = performance.now();
      const running = exporter.collect();
      if (!running) throw new Error('a collection was already running');
      collections++;
      await running;
      return (performance.now() - started) / 1000;
    },
    collections: () => collections,
    async advance(seconds) {
      clockMs += seconds * 1000;
      await simulator.setClock(clockMs);
    },
    async reload(watched, settings = {}) {
      next = configOf(watched, { ...baseSettings, ...settings });
      const outcome = await exporter.reload();
      if (outcome.ok) config = next;
      return outcome;
    },
    startControl: () => launch(createLogger('error', 'json', { write: () => undefined })),
    async close() {
      await exporter.stop();
      await simulator.close();
      if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The exporter's config file (as JSON, which is YAML) for a world: the watched targets, in every region of the fleet. */
function configFile(options: WorldOptions, watched: WatchedTargets, endpointUrl: string): Record<string, unknown> {
  const regions = options.fleet.regions ?? [DEFAULT_REGION];
  const entries = (targets: readonly (string | TargetSpec)[] = []): { name: string; region: string }[] => regions.flatMap((region) => specNames(targets).map((name) => ({ name, region })));
  return {
    lookback: `${options.lookbackSeconds}s`,
    max_jobs_per_target: options.maxJobsPerTarget,
    concurrency: options.concurrency,
    rate_limit: options.rateLimit,
    // The bench runs collections itself; wide's cold one takes minutes at the quota.
    collection_timeout: '1h',
    region: DEFAULT_REGION,
    endpoint_url: endpointUrl,
    customer_profiles: { domains: entries(watched.domains) },
    entity_resolution: { matching_workflows: entries(watched.matchingWorkflows), id_mapping_workflows: entries(watched.idMappingWorkflows) },
  };
}
