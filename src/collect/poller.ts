import { setMaxListeners } from 'node:events';
import type { ExporterConfig, TargetConfig } from '../config/types.js';
import type { ErrorReport } from '../aws/errors.js';
import type { Logger } from '../log.js';
import type { AnyTargetSnapshot, CollectionSnapshot } from './snapshot.js';
import { expectationsOf } from './expectations.js';
import { FailureLog, targetContext } from './failureLog.js';
import { Refresher } from './refresh.js';
import { isMine, type Shard } from './shard.js';
import type { TargetState } from './targetCollector.js';
import { targetKey } from '../model/target.js';
import { createTargetRunner, TargetCollectionError, type TargetDependencies, type TargetRunner } from './targets.js';
import { scheduledIntervalOf } from '../model/weeklySchedule.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a collection's unfinished targets were abandoned: it ran past `collection_timeout`. */
export class CollectionDeadlineError extends Error {
  override readonly name = 'CollectionDeadlineExceeded';
  constructor(seconds: number) {
    super(`the collection ran past its deadline of ${seconds}s (collection_timeout)`);
  }
}

/** Told about every collection, to publish it and count it. */
export interface CollectionObserver {
  /** The collection ends when the promise returned (if any) settles: publishing it is part of it. */
  collectionFinished(snapshot: CollectionSnapshot): Promise<void> | undefined;
  collectionSkipped(): void;
  /** A refresh (discovery, domain and workflow facts) ran; `ok` is false when any of its reads failed. */
  refreshFinished(ok: boolean, discovered: readonly TargetConfig[] | undefined): void;
}

export interface PollerDependencies extends TargetDependencies {
  /** This instance's share of the targets; undefined takes them all. */
  readonly shard?: Shard | undefined;
  readonly logger: Logger;
  readonly observer: CollectionObserver;
  /** Wall clock in epoch milliseconds. */
  readonly now: () => number;
}

/**
 * Runs collections: every target at once (the call pacer caps what reaches AWS), one collection at a time.
 * A target's failure is its own: it is published down with its last known series, the others as they are.
 */
export class Poller {
  private runners = new Map<string, TargetRunner>();
  private running: Promise<CollectionSnapshot> | undefined;
  private collectionTimeoutMs = Number.POSITIVE_INFINITY;
  private config: ExporterConfig;
  private discovered: readonly TargetConfig[] = [];
  /** Targets found by a discovery that failed at the last refresh (kept as found before), by key, with why. */
  private staleDiscovered: ReadonlyMap<string, ErrorReport> = new Map();
  /** Each watched target's config by key: a runner kept through a reload keeps its state, not its old config. */
  private configs = new Map<string, TargetConfig>();
  /** Collections since the last refresh; a refresh is due when it reaches the configured period. */
  private sinceRefresh = Number.POSITIVE_INFINITY;
  private readonly refresher: Refresher;
  private discoveryOk = true;
  /** Saved states not yet claimed by a target (one discovery has still to find). */
  private savedState = new Map<string, TargetState>();
  private readonly failures: FailureLog;

  constructor(
    config: ExporterConfig,
    private readonly deps: PollerDependencies,
  ) {
    this.config = config;
    this.refresher = new Refresher(deps);
    this.failures = new FailureLog(deps.logger, { failed: 'target collection failed', recovered: 'target recovered' });
    this.reconfigure(config);
  }

  /**
   * Applies a new config: targets kept keep their state, new ones start fresh, removed ones are forgotten.
   * The next collection refreshes discovery and facts, as the discoveries may have changed.
   */
  reconfigure(config: ExporterConfig): void {
    this.config = config;
    this.sinceRefresh = Number.POSITIVE_INFINITY;
    // setTimeout fires at once for anything above 2^31 - 1 ms (about 24.8 days): a yearly schedule's deadline is capped there.
    this.collectionTimeoutMs = Math.min(config.collectionTimeoutSeconds * 1000, MAX_TIMER_MS);
    this.applyTargets();
  }

  /** Runners for the configured targets and the discovered ones, each target once (listed ones first). */
  private applyTargets(): void {
    const { config } = this;
    const settings = { lookbackSeconds: config.lookbackSeconds, maxJobs: config.maxJobsPerTarget };
    const next = new Map<string, TargetRunner>();
    const configs = new Map<string, TargetConfig>();
    for (const target of [...config.targets, ...this.discovered]) {
      const key = targetKey(target);
      if (next.has(key)) continue;
      configs.set(key, target);
      let runner = this.runners.get(key);
      if (!runner) {
        runner = createTargetRunner(target, settings, this.deps);
        this.restoreInto(key, runner);
      }
      runner.updateSettings(settings);
      next.set(key, runner);
    }
    this.runners = next;
    this.configs = configs;
  }

  /** Every target's collector state, by target key, to be saved. */
  exportState(): Map<string, TargetState> {
    return new Map([...this.runners].map(([key, runner]) => [key, runner.exportState()]));
  }

  /**
   * Continues each target from its saved state, if there is one: the configured ones now, discovered ones when
   * discovery finds them again. Returns how many continued now.
   */
  restoreState(state: ReadonlyMap<string, TargetState>): number {
    this.savedState = new Map(state);
    const before = this.savedState.size;
    for (const [key, runner] of this.runners) this.restoreInto(key, runner);
    return before - this.savedState.size;
  }

  private restoreInto(key: string, runner: TargetRunner): void {
    const saved = this.savedState.get(key);
    if (saved === undefined) return;
    runner.restoreState(saved);
    this.savedState.delete(key);
  }

  /** Resolves once no collection runs (at once when none does). */
  async whenIdle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /**
   * Starts a collection, or, when the previous one still runs, skips this one (counted and logged) and
   * returns undefined: two collections at once would double the calls against the same quota.
   */
  collect(): Promise<CollectionSnapshot> | undefined {
    if (this.running) {
      this.deps.observer.collectionSkipped();
      this.deps.logger.warn('previous collection still running, skipping this one');
      return undefined;
    }
    const running = this.run().finally(() => {
      this.running = undefined;
    });
    this.running = running;
    return running;
  }

  private async run(): Promise<CollectionSnapshot> {
    const startedMs = this.deps.now();
    const now = startedMs / 1000;
    const deadline = new AbortController();
    // Every AWS call of the collection listens to this one signal: hundreds at once is normal, not a leak.
    setMaxListeners(0, deadline.signal);
    const timer = setTimeout(() => { deadline.abort(new CollectionDeadlineError(this.collectionTimeoutMs / 1000)); }, this.collectionTimeoutMs);
    let targets: AnyTargetSnapshot[];
    try {
      const round = this.refresher.round(deadline.signal);
      const refreshing = this.sinceRefresh >= this.config.refreshEveryCollections;
      if (refreshing) await this.discover(round);
      this.sinceRefresh = refreshing ? 1 : this.sinceRefresh + 1;
      const mine = await this.runnersOfThisShard();
      // Facts (GetDomain, Get*Workflow) are paced apart from the job calls, so they are read alongside them.
      const factsRead = refreshing ? this.refreshFacts(mine, round, now) : undefined;
      const collected = await Promise.all(mine.map((runner) => this.collectTarget(runner, now, deadline.signal)));
      this.failures.forgetAllBut(mine.map((runner) => targetKey(runner.config)));
      await factsRead;
      targets = collected.map((target, i) => this.withContext(target, mine[i]?.config));
    } finally {
      clearTimeout(timer);
    }
    const finishedMs = this.deps.now();
    const snapshot: CollectionSnapshot = { targets, finishedAt: finishedMs / 1000, durationSeconds: (finishedMs - startedMs) / 1000 };
    await this.deps.observer.collectionFinished(snapshot);
    const down = targets.filter((target) => !target.up).length;
    this.deps.logger.info({ duration_seconds: snapshot.durationSeconds, targets: targets.length, targets_down: down }, down ? 'collection finished with targets down' : 'collection finished');
    return snapshot;
  }

  /**
   * A target's snapshot with what the collection alone does not know: its facts, whether they (and the
   * discovery that found it) refreshed, and the thresholds it is held to.
   */
  private withContext(target: AnyTargetSnapshot, runnerConfig: TargetConfig | undefined): AnyTargetSnapshot {
    const key = runnerConfig && targetKey(runnerConfig);
    const facts = this.refresher.factsOf(target.identity);
    const discoveryError = key === undefined ? undefined : this.staleDiscovered.get(key);
    const config = key === undefined ? undefined : this.configs.get(key);
    return {
      ...target,
      facts,
      tagKeys: config?.tagLabels,
      refreshOk: discoveryError === undefined ? this.refresher.factsReadOk(target.identity) : false,
      refreshError: discoveryError ?? this.refresher.factsError(target.identity),
      expectations: expectationsOf({
        target: config?.expect,
        global: this.config.expect,
        scheduledInterval: target.identity.kind === 'identity_resolution' ? scheduledIntervalOf(facts?.domain) : undefined,
        history: target.runs?.history,
        recentMedians: target.runs?.volumes?.median,
        automatic: facts?.workflow?.incrementalRunType === 'IMMEDIATE',
      }),
    };
  }

  /**
   * Runs the discoveries and watches what they found from this collection on. With none (a reload removed
   * them) nothing is called, and what they found before is no longer watched.
   */
  private async discover(round: ReturnType<Refresher['round']>): Promise<void> {
    const { targets, stale, ok } = await this.refresher.discover(this.config.discovery, round);
    this.discovered = targets;
    this.staleDiscovered = new Map(stale.map(({ target, error }) => [targetKey(target), error]));
    this.applyTargets();
    this.discoveryOk = ok;
  }

  /** Reads GetDomain and Get*Workflow for this shard's targets, and reports the refresh. */
  private async refreshFacts(mine: readonly TargetRunner[], round: ReturnType<Refresher['round']>, now: number): Promise<void> {
    const watched = await Promise.all(mine.map((runner) => runner.identity().then((identity) => ({ identity, role: runner.config.role, name: runner.config.name }), () => undefined)));
    const factsOk = await this.refresher.refreshFacts(watched.filter((target) => target !== undefined), round, now);
    this.deps.observer.refreshFinished(factsOk && this.discoveryOk, this.config.discovery.length === 0 ? undefined : this.discovered);
    this.discoveryOk = true;
  }

  /**
   * The runners whose targets hash to this shard. A target whose account cannot be resolved yet stays in, so
   * its failure is reported (by every shard) rather than hidden by all of them.
   */
  private async runnersOfThisShard(): Promise<TargetRunner[]> {
    const runners = [...this.runners.values()];
    const { shard } = this.deps;
    if (shard === undefined) return runners;
    const mine = await Promise.all(runners.map((runner) => runner.identity().then((identity) => isMine(identity, shard), () => true)));
    return runners.filter((_runner, i) => mine[i]);
  }

  private async collectTarget(runner: TargetRunner, now: number, signal: AbortSignal): Promise<AnyTargetSnapshot> {
    const key = targetKey(runner.config);
    try {
      const snapshot = await runner.collect(now, signal);
      this.failures.succeeded(key, targetContext(snapshot.identity));
      return snapshot;
    } catch (err) {
      if (!(err instanceof TargetCollectionError)) throw err;
      this.failures.failed(key, targetContext(err.snapshot.identity), err.cause);
      return err.snapshot;
    }
  }
}
