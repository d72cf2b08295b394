import { describeError } from '../aws/errors.js';
import type { ExporterConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { AnyTargetSnapshot, CollectionSnapshot } from './snapshot.js';
import { createTargetRunner, TargetCollectionError, targetKey, type TargetDependencies, type TargetRunner } from './targets.js';

/** Told about every collection, to publish it and count it. */
export interface CollectionObserver {
  collectionFinished(snapshot: CollectionSnapshot): void;
  collectionSkipped(): void;
}

export interface PollerDependencies extends TargetDependencies {
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

  constructor(
    config: ExporterConfig,
    private readonly deps: PollerDependencies,
  ) {
    this.reconfigure(config);
  }

  /** Applies a new config: targets kept keep their state, new ones start fresh, removed ones are forgotten. */
  reconfigure(config: ExporterConfig): void {
    const settings = { lookbackSeconds: config.lookbackSeconds, maxJobs: config.maxJobsPerTarget };
    const next = new Map<string, TargetRunner>();
    for (const target of config.targets) {
      const key = targetKey(target);
      const runner = this.runners.get(key) ?? createTargetRunner(target, settings, this.deps);
      runner.updateSettings(settings);
      next.set(key, runner);
    }
    this.runners = next;
  }

  /** True while a collection runs. */
  get busy(): boolean {
    return this.running !== undefined;
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
    const targets = await Promise.all([...this.runners.values()].map((runner) => this.collectTarget(runner, now)));
    const finishedMs = this.deps.now();
    const snapshot: CollectionSnapshot = { targets, finishedAt: finishedMs / 1000, durationSeconds: (finishedMs - startedMs) / 1000 };
    this.deps.observer.collectionFinished(snapshot);
    const down = targets.filter((target) => !target.up).length;
    this.deps.logger.info({ duration_seconds: snapshot.durationSeconds, targets: targets.length, targets_down: down }, down ? 'collection finished with targets down' : 'collection finished');
    return snapshot;
  }

  private async collectTarget(runner: TargetRunner, now: number): Promise<AnyTargetSnapshot> {
    try {
      return await runner.collect(now);
    } catch (err) {
      if (!(err instanceof TargetCollectionError)) throw err;
      const { kind, target, accountId, region } = err.snapshot.identity;
      this.deps.logger.warn({ kind, target, aws_account_id: accountId, aws_region: region, err: describeError(err.cause) }, 'target collection failed');
      return err.snapshot;
    }
  }
}
