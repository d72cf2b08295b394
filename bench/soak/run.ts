import { targetKey } from '../../src/model/target.js';
import type { TargetConfig } from '../../src/config/types.js';
import type { FleetSpec } from '../../src/simulator/index.js';
import { SeededRandom } from '../../src/simulator/random.js';
import { PROMETHEUS_SCRAPE_HEADERS } from '../measure.js';
import { mean, RssWatch, settledMemory } from '../memory.js';
import { names } from '../scenarios.js';
import type { WindowFacts } from '../simulatorProcess.js';
import { startWorld, type World } from '../world.js';
import { LONGEST_LOOKBACK_SECONDS, TargetChurn, type ChurnState, type ChurnStep, type PoolTarget } from './churn.js';
import { parseSamples } from './exposition.js';
import { FaultPlan } from './faults.js';
import { FinishLedger } from './ledger.js';
import type { SoakResult } from './verdict.js';
import { compareWithTruth } from './verify.js';
import type { TargetKind } from '../../src/model/kinds.js';

const POOL_PER_KIND = 6;
const BY_KIND = ([['identity_resolution', 'domain'], ['matching', 'matching'], ['id_mapping', 'idmapping']] as const)
  .map(([kind, prefix]) => names(prefix, POOL_PER_KIND).map((name): PoolTarget => ({ kind, name })));
/** Interleaved by kind, so the targets watched at first are of every kind. */
const POOL: readonly PoolTarget[] = Array.from({ length: POOL_PER_KIND }, (_, i) => BY_KIND.map((targets) => targets[i]!)).flat();
const namesOf = (kind: TargetKind): string[] => POOL.filter((target) => target.kind === kind).map((target) => target.name);
/** Every kind starts a job each simulated hour, which runs 18 to 42 minutes. */
const FLEET: FleetSpec = {
  domains: namesOf('identity_resolution'),
  matchingWorkflows: namesOf('matching'),
  idMappingWorkflows: namesOf('id_mapping'),
  historyJobsPerTarget: 20,
  runningFraction: 0.3,
  jobIntervalSeconds: 3600,
};
const WATCHED_AT_START = 12;
const WATCHED_AT_LEAST = 4;
/**
 * Simulated time per collection: each target starts a job every 6 collections, which runs 2 to 4, and a job
 * stays in the window (the newest 4 to 15 jobs, within a lookback of 4 to 12 h) for 24 to 72.
 */
const STEP_SECONDS = 600;
const CHURN_EVERY_COLLECTIONS = 20;
/**
 * The warm-up: the first fifth of the run, and at least this many collections, as resident memory first
 * falls and climbs back by up to 6 % over the first two hundred or so (malloc arenas, code space) before it
 * holds: read every 20 collections on Node 22, it went 130.8, 133.9 at 100, 134.8 at 200, then 136.9 at 540.
 */
const WARM_UP_SHARE = 0.2;
const WARM_UP_COLLECTIONS = 200;
/**
 * Collections under the warm-up's configuration again before the end's readings: a job stays in a window for
 * 24 collections at least, so by then every window holds what it held at the warm-up's.
 */
const SAME_WORKLOAD_COLLECTIONS = 30;
/** Resident memory moves from one collection to the next: each reading is the mean of this many, one per collection. */
const RSS_SAMPLES = 10;
/** Clean collections after the faults stop, at most, until every target is up. */
const SETTLE_COLLECTIONS = 5;
const PROGRESS_EVERY_MS = 30_000;

export interface SoakOptions {
  readonly minutes: number;
  readonly seed: string;
  /** Where progress lines go (to stderr from the command line). */
  readonly progress: (line: string) => void;
}

/**
 * Runs the exporter (in this process) against the simulator (in its own) at high time speed for the given
 * minutes, with target churn and random faults, then stops the faults, lets it settle, and compares it with
 * the simulator's truth.
 */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const crashes: string[] = [];
  const stopWatching = watchCrashes(crashes);
  const rng = new SeededRandom(`${options.seed}\u0000soak`);
  const churn = new TargetChurn(POOL, WATCHED_AT_START, WATCHED_AT_LEAST, rng);
  const world = await startWorld({
    fleet: FLEET,
    seed: options.seed,
    watched: churn.watched,
    lookbackSeconds: LONGEST_LOOKBACK_SECONDS,
    maxJobsPerTarget: 10,
    concurrency: 8,
    rateLimit: 100_000,
    latencyMs: 0,
    quota: undefined,
    // A hung call costs a quarter of a second per attempt; a collection never comes near its deadline.
    requestTimeoutSeconds: 0.25,
    settings: { collection_timeout: '1m' },
  });
  try {
    return await new Soak(world, churn, new FaultPlan(world.simulator, rng), crashes, options).run();
  } finally {
    await world.close();
    stopWatching();
  }
}

/** Counts what would have ended the process, and so restarted the exporter: uncaught exceptions and unhandled rejections. */
function watchCrashes(crashes: string[]): () => void {
  const crashed = (err: unknown): void => { crashes.push(`crash: ${String(err)}`); };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  return () => {
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
  };
}

class Soak {
  private readonly ledger = new FinishLedger(LONGEST_LOOKBACK_SECONDS);
  private readonly mismatches: string[] = [];
  private collections = 0;
  private sinceChurn = 0;
  /** Targets the last collection read successfully. */
  private lastUp = 0;

  constructor(
    private readonly world: World,
    private readonly churn: TargetChurn,
    private readonly faults: FaultPlan,
    private readonly crashes: string[],
    private readonly options: SoakOptions,
  ) {
    for (const target of world.config.targets) this.ledger.watch(targetKey(target));
  }

  async run(): Promise<SoakResult> {
    await this.faults.start();
    const watch = new RssWatch();
    const started = performance.now();
    const runMs = this.options.minutes * 60_000;
    const rss = { warmUp: [] as number[], end: [] as number[] };
    let progressAt = started + PROGRESS_EVERY_MS;
    let elapsed = 0;
    let warmUpState: ChurnState | undefined;
    let sameWorkloadSince: number | undefined;
    while (rss.end.length < RSS_SAMPLES) {
      await this.step(sameWorkloadSince === undefined);
      elapsed = performance.now() - started;
      const warmedUp = elapsed >= runMs * WARM_UP_SHARE && this.collections >= WARM_UP_COLLECTIONS;
      if (warmedUp && rss.warmUp.length < RSS_SAMPLES) {
        warmUpState ??= this.churn.state;
        rss.warmUp.push((await settledMemory()).rss);
      } else if (warmUpState !== undefined && rss.warmUp.length === RSS_SAMPLES && elapsed >= runMs) {
        // Memory follows the workload (how many targets, how wide their windows): the end is read under the
        // warm-up's configuration again, once the windows have refilled under it, so that growth means a leak.
        if (sameWorkloadSince === undefined) {
          sameWorkloadSince = this.collections;
          await this.reloadTo(this.churn.returnTo(warmUpState));
        } else if (this.collections - sameWorkloadSince >= SAME_WORKLOAD_COLLECTIONS) {
          rss.end.push((await settledMemory()).rss);
        }
      }
      if (performance.now() >= progressAt) {
        progressAt += PROGRESS_EVERY_MS;
        this.options.progress(`soak: ${(elapsed / 60_000).toFixed(1)}/${this.options.minutes} min, ${this.collections} collections, ${this.ledger.finished} jobs finished`);
      }
    }
    const running = watch.stop();
    await this.faults.stop();
    const faultsInjected = await this.faults.injected();
    await this.settle();
    const mismatches = [...this.mismatches, ...await this.compare()];
    return {
      minutes: elapsed / 60_000,
      collections: this.collections,
      jobsFinished: this.ledger.finished,
      churn: { ...this.churn.counts },
      faultsInjected,
      mismatches,
      crashes: this.crashes,
      rss: { warmUp: mean(rss.warmUp), end: mean(rss.end), peak: running.peak },
    };
  }

  /** One collection: a churn step's (a reload collects), or one a simulated step later, faults drawn anew. */
  private async step(churning: boolean): Promise<void> {
    if (churning && ++this.sinceChurn >= CHURN_EVERY_COLLECTIONS) {
      this.sinceChurn = 0;
      await this.reloadTo(this.churn.next());
      return;
    }
    await this.faults.beforeCollection(this.collections + 1, this.world.config.targets.map((target) => target.name));
    await this.world.advance(STEP_SECONDS);
    await this.collect();
  }

  private async reloadTo(step: ChurnStep): Promise<void> {
    const before = new Set(this.world.config.targets.map(targetKey));
    await this.crashProof(async () => {
      const outcome = await this.world.reload(step.watched, step.settings);
      if (!outcome.ok) this.mismatches.push(`reload (${step.action}) rejected: ${outcome.problems.join('; ')}`);
    });
    // The ledger follows what the exporter runs, before it reads the reload's collection.
    const after = new Set(this.world.config.targets.map(targetKey));
    for (const key of before) if (!after.has(key)) this.ledger.unwatch(key);
    for (const key of after) if (!before.has(key)) this.ledger.watch(key);
    await this.noteCollection();
  }

  private async collect(): Promise<void> {
    await this.crashProof(() => this.world.collect());
    await this.noteCollection();
  }

  /** Runs a collection (or a reload, which collects): one that throws would have crashed the exporter's process. */
  private async crashProof(collection: () => Promise<unknown>): Promise<void> {
    try {
      await collection();
    } catch (err) {
      this.crashes.push(`collection crashed: ${String(err)}`);
    }
    this.collections++;
  }

  /** Notes which targets the last collection read, as Prometheus would scrape it, and their windows then. */
  private async noteCollection(): Promise<void> {
    const response = await fetch(`${this.world.exporter.url}/metrics`, { headers: PROMETHEUS_SCRAPE_HEADERS });
    const up = parseSamples(await response.text(), (name) => name === 'aws_resolution_exporter_target_up').filter((sample) => sample.value === 1);
    const read = this.world.config.targets.filter((target) => up.some((sample) => sample.labels.kind === target.kind
      && sample.labels.target === target.name && sample.labels.aws_region === target.region));
    this.lastUp = read.length;
    const windows = await this.windows(read);
    read.forEach((target, i) => { this.ledger.read(targetKey(target), windows[i]?.window ?? [], this.world.now()); });
  }

  /** The targets' windows under the running configuration, as the simulator shows them now. */
  private async windows(targets: readonly TargetConfig[]): Promise<WindowFacts[]> {
    const { config } = this.world;
    return targets.length === 0 ? [] : this.world.simulator.windows(targets, Math.max(config.maxJobsPerTarget, 1), this.world.now() - config.lookbackSeconds);
  }

  /** Clean collections, on the same simulated moment, until one reads every target. */
  private async settle(): Promise<void> {
    let collections = 0;
    do await this.collect();
    while (++collections < SETTLE_COLLECTIONS && this.lastUp < this.world.config.targets.length);
  }

  /** The soaked exporter against the simulator's windows now, a fresh exporter's reading of them, and the ledger's counts. */
  private async compare(): Promise<string[]> {
    const { targets } = this.world.config;
    const windows = await this.windows(targets);
    const control = await this.world.startControl();
    let controlText: string;
    try {
      await control.collect();
      controlText = await (await fetch(`${control.url}/metrics`)).text();
    } finally {
      await control.stop();
    }
    const soakedText = await (await fetch(`${this.world.exporter.url}/metrics`)).text();
    const truths = targets.map((target, i) => ({ target, window: windows[i]?.window ?? [], finished: this.ledger.expected(targetKey(target)) }));
    return compareWithTruth(truths, this.churn.unwatched, { soaked: soakedText, control: controlText });
  }
}
