import type { Shard } from '../../src/collect/shard.js';
import type { CollectionSnapshot } from '../../src/collect/snapshot.js';
import type { ExporterConfig, TargetConfig } from '../../src/config/types.js';
import { manualSchedule, type RunningExporter, startExporter } from '../../src/exporter.js';
import { createLogger } from '../../src/log.js';
import { specNames, startSimulator, type FleetSpec, type SimulatorOptions, type Simulator, type TargetSpec } from '../../src/simulator/index.js';
import type { TargetKind } from '../../src/model/kinds.js';
import { targetRef } from '../../src/model/target.js';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIATESTHARNESS00001', secretAccessKey: 'harness-secret-key-never-logged' };
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/** A clock the test moves: the simulator's jobs and the exporter's lookback both read it. */
export class ManualClock {
  constructor(public ms = Math.floor(Date.now() / 1000) * 1000) {}
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface HarnessOptions {
  readonly fleet: FleetSpec;
  readonly targets?: readonly TargetConfig[];
  readonly config?: Partial<ExporterConfig>;
  readonly simulator?: Omit<SimulatorOptions, 'fleet' | 'now'>;
  readonly maxAttempts?: number;
  /** Shared with another harness to run two side by side (one faulted, one as control). */
  readonly clock?: ManualClock;
  /** This exporter's share of the targets. */
  readonly shard?: Shard;
  /** What a reload reads; without it, reloads are refused as in the demo. */
  readonly loadConfig?: () => Promise<ExporterConfig>;
  /** Serves POST /-/reload (`--web.enable-lifecycle`). */
  readonly enableLifecycle?: boolean;
}

/** The simulator and the exporter on ephemeral loopback ports, the exporter reaching AWS through the real SDK clients. */
export class Harness {
  private constructor(
    readonly simulator: Simulator,
    public exporter: RunningExporter,
    readonly clock: ManualClock,
    readonly logLines: string[],
    private readonly startExporterAgain: () => Promise<RunningExporter>,
    /** The configuration the exporter started with, for a reload to vary. */
    readonly config: ExporterConfig,
  ) {}

  static async start(options: HarnessOptions): Promise<Harness> {
    const clock = options.clock ?? new ManualClock();
    const simulator = await startSimulator({ seed: 7, ...options.simulator, fleet: options.fleet, now: clock.now });
    const targets = options.targets ?? targetsOf(options.fleet);
    const logLines: string[] = [];
    const config: ExporterConfig = {
      schedule: '0 0 1 1 *',
      requestTimeoutSeconds: 10,
      collectionTimeoutSeconds: 60,
      stateFile: undefined,
      discovery: [],
      refreshEveryCollections: 10,
      lookbackSeconds: 30 * 86_400,
      maxJobsPerTarget: 10,
      concurrency: 8,
      rateLimit: 1000,
      region: REGION,
      endpointUrl: simulator.url,
      targets,
      expect: {},
      ...options.config,
    };
    const start = (): Promise<RunningExporter> => startExporter({
      config,
      logger: createLogger('debug', 'json', { write: (line) => { logLines.push(line); } }),
      host: '127.0.0.1',
      port: 0,
      telemetryPath: '/metrics',
      scheduler: manualSchedule,
      now: clock.now,
      credentials: TEST_CREDENTIALS,
      maxAttempts: options.maxAttempts ?? 1,
      ...(options.loadConfig ? { loadConfig: options.loadConfig } : {}),
      enableLifecycle: options.enableLifecycle ?? false,
      shard: options.shard,
    });
    return new Harness(simulator, await start(), clock, logLines, start, config);
  }

  /** Stops the exporter and starts a new one with the same configuration against the same simulated AWS. */
  async restartExporter(): Promise<void> {
    await this.exporter.stop();
    this.exporter = await this.startExporterAgain();
  }

  async collect(): Promise<CollectionSnapshot> {
    const running = this.exporter.collect();
    if (!running) throw new Error('a collection was already running');
    return running;
  }

  async scrape(headers: Record<string, string> = {}): Promise<string> {
    const response = await fetch(`${this.exporter.url}/metrics`, { headers });
    if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
    return response.text();
  }

  async close(): Promise<void> {
    await this.exporter.stop();
    await this.simulator.close();
  }
}

/** Every target of a fleet spec in its first account and region. */
export function targetsOf(fleet: FleetSpec): TargetConfig[] {
  const of = (kind: TargetKind, targets: readonly (string | TargetSpec)[] = []): TargetConfig[] => specNames(targets).map((name) => targetRef(kind, name, REGION));
  return [...of('identity_resolution', fleet.domains), ...of('matching', fleet.matchingWorkflows), ...of('id_mapping', fleet.idMappingWorkflows)];
}

/** The sample lines of one metric (exact text, for exact comparison), optionally only those with every given label. */
export function samples(text: string, name: string, labels: Record<string, string> = {}): string[] {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text.split('\n').filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && wanted.every((label) => line.includes(label)));
}

/** The value of the one series of `name` with the given labels; throws unless exactly one matches. */
export function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const lines = samples(text, name, labels);
  if (lines.length !== 1) throw new Error(`expected one ${name} series with ${JSON.stringify(labels)}, found ${lines.length}`);
  return Number(lines[0]?.slice(lines[0].lastIndexOf(' ') + 1));
}
