import { setMaxListeners } from 'node:events';
import { awsErrorName, describeError } from '../aws/errors.js';
import type { ExporterConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { AnyTargetSnapshot, CollectionSnapshot } from './snapshot.js';
import { isMine, type Shard } from './shard.js';
import type { TargetState } from './targetCollector.js';
import { createTargetRunner, TargetCollectionError, targetKey, type TargetDependencies, type TargetRunner } from './targets.js';

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

  constructor(
    config: ExporterConfig,
    private readonly deps: PollerDependencies,
  ) {
    this.reconfigure(config);
  }

  /** Applies a new config: targets kept keep their state, new ones start fresh, removed ones are forgotten. */
  reconfigure(config: ExporterConfig): void {
    const settings = { lookbackSeconds: config.lookbackSeconds, maxJobs: config.maxJobsPerTarget };
    // setTimeout fires at once for anything above 2^31 - 1 ms (about 24.8 days): a yearly schedule's deadline is capped there.
    this.collectionTimeoutMs = Math.min(config.collectionTimeoutSeconds * 1000, MAX_TIMER_MS);
    const next = new Map<string, TargetRunner>();
    for (const target of config.targets) {
      const key = targetKey(target);
      const runner = this.runners.get(key) ?? createTargetRunner(target, settings, this.deps);
      runner.updateSettings(settings);
      next.set(key, runner);
    }
    this.runners = next;
  }

  /** Every target's collector state, by target key, to be saved. */
  exportState(): Map<string, TargetState> {
    return new Map([...this.runners].map(([key, runner]) => [key, runner.exportState()]));
  }

  /** Continues each configured target from its saved state, if there is one; call before the first collection. */
  restoreState(state: ReadonlyMap<string, TargetState>): number {
    let restored = 0;
    for (const [key, runner] of this.runners) {
      const saved = state.get(key);
      if (saved === undefined) continue;
      runner.restoreState(saved);
      restored++;
    }
    return restored;
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
      const mine = await this.runnersOfThisShard();
      targets = await Promise.all(mine.map((runner) => this.collectTarget(runner, now, deadline.signal)));
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
    try {
      return await runner.collect(now, signal);
    } catch (err) {
      if (!(err instanceof TargetCollectionError)) throw err;
      const { kind, target, accountId, region } = err.snapshot.identity;
      this.deps.logger.warn({ kind, target, aws_account_id: accountId, aws_region: region, aws_error: awsErrorName(err.cause), err: describeError(err.cause) }, 'target collection failed');
      return err.snapshot;
    }
  }
}
