import { isNotFound, type ErrorReport } from '../aws/errors.js';
import type { JobSource, JobSummary } from '../aws/types.js';
import { listJobWindow, selectWindow, type WindowSpec } from './jobWindow.js';
import type { JobDetailByKind } from '../aws/types.js';
import type { KindSpec } from './kinds.js';
import { EMPTY_RUN_MEMORY, knownVolumes, newestFinishedListed, newestSuccessesListed, SEED_SUCCESSES, summarizeRuns, type RunMemory } from './runSummary.js';
import type { CollectedJob, TargetSnapshot } from './snapshot.js';
import type { TargetKind } from '../model/kinds.js';
import { epochSeconds } from '../model/time.js';
import type { TargetIdentity } from '../model/target.js';

export interface WindowSettings {
  readonly lookbackSeconds: number;
  /** Jobs exported per target; 0 exports the summary series only. */
  readonly maxJobs: number;
}

interface KnownJob<D> {
  readonly detail: D;
  readonly terminal: boolean;
}

/**
 * What a collector learnt, in a form that survives a restart (see stateFile.ts): the jobs of its window with
 * their details, the jobs counted, the counters and the last outcomes. Details keep the SDK's Dates.
 */
export interface TargetState {
  readonly jobs: readonly { readonly id: string; readonly detail: unknown; readonly terminal: boolean }[];
  readonly counted: readonly (readonly [string, number])[];
  readonly counters: { readonly finishedByStatus: readonly (readonly [string, number])[]; readonly statisticSums: readonly (readonly [string, number])[] } | undefined;
  readonly lastSuccessEnd: number | undefined;
  readonly lastFailureEnd: number | undefined;
  readonly assumeNewestFirst: boolean;
  /** Absent in a state file written before it existed. */
  readonly runMemory?: RunMemory;
  /** See TargetCollector's `windowFloor`; absent in a state file written before it existed. */
  readonly windowFloor?: number | undefined;
}

interface MutableCounters {
  readonly finishedByStatus: Map<string, number>;
  readonly statisticSums: Map<string, number>;
}

/**
 * Collects one target incrementally and keeps what it learnt between collections: the details of the jobs in
 * its window (a finished one is never fetched again), the jobs already counted, and the counters.
 */
export class TargetCollector<K extends TargetKind> {
  private known = new Map<string, KnownJob<JobDetailByKind[K]>>();
  /** Job id → start (epoch s) of every job counted as finished, kept while it could still be in the window. */
  private readonly counted = new Map<string, number>();
  private counters: MutableCounters | undefined;
  private lastSuccessEnd: number | undefined;
  private lastFailureEnd: number | undefined;
  private assumeNewestFirst = true;
  private runMemory: RunMemory = EMPTY_RUN_MEMORY;
  /**
   * Start (epoch s) below which the last window read held no job. A job older than that appears only when a
   * reload widened the window (lookback, max_jobs_per_target): whatever it did happened before the exporter
   * looked, or was counted then and forgotten at the cutoff, so it is history, not news.
   */
  private windowFloor: number | undefined;
  private last: TargetSnapshot<K> | undefined;

  constructor(
    private readonly spec: KindSpec<K>,
    private settings: WindowSettings,
  ) {}

  /** A reload may change the window; what was learnt stays. */
  updateSettings(settings: WindowSettings): void {
    this.settings = settings;
  }

  /** What this collector has learnt, to be saved. */
  exportState(): TargetState {
    return {
      jobs: [...this.known].map(([id, job]) => ({ id, detail: job.detail, terminal: job.terminal })),
      // Infinity (a counted job without a start) has no JSON form; such a job stays counted while listed anyway.
      counted: [...this.counted].filter(([, start]) => Number.isFinite(start)),
      counters: this.counters && { finishedByStatus: [...this.counters.finishedByStatus], statisticSums: [...this.counters.statisticSums] },
      lastSuccessEnd: this.lastSuccessEnd,
      lastFailureEnd: this.lastFailureEnd,
      assumeNewestFirst: this.assumeNewestFirst,
      runMemory: this.runMemory,
      windowFloor: this.windowFloor,
    };
  }

  /**
   * Continues from a saved state, as if the collector had never stopped: finished jobs are not fetched again,
   * counters go on from their values, and a job that finished meanwhile is counted once, at the next collection.
   */
  restoreState(state: TargetState): void {
    this.known = new Map(state.jobs.map((job) => [job.id, { detail: job.detail as JobDetailByKind[K], terminal: job.terminal }]));
    this.counted.clear();
    for (const [id, start] of state.counted) this.counted.set(id, start);
    this.counters = state.counters && { finishedByStatus: new Map(state.counters.finishedByStatus), statisticSums: new Map(state.counters.statisticSums) };
    this.lastSuccessEnd = state.lastSuccessEnd;
    this.lastFailureEnd = state.lastFailureEnd;
    this.assumeNewestFirst = state.assumeNewestFirst;
    this.runMemory = state.runMemory ?? EMPTY_RUN_MEMORY;
    this.windowFloor = state.windowFloor;
  }

  /** The last snapshot this collector published, if any. */
  get snapshot(): TargetSnapshot<K> | undefined {
    return this.last;
  }

  /**
   * Reads the target and returns its new snapshot. Errors propagate, with the state untouched: call
   * {@link failed} to publish the last known series with `up` = false.
   */
  async collect(identity: TargetIdentity<K>, source: JobSource<JobDetailByKind[K]>, now: number, signal?: AbortSignal): Promise<TargetSnapshot<K>> {
    const cutoff = now - this.settings.lookbackSeconds;
    // Summary series (latest status, counters) still need the newest job, even when none is exported per job.
    const window = { cutoff, size: Math.max(this.settings.maxJobs, 1) };
    const listed = await listJobWindow(source, window, this.assumeNewestFirst, signal);
    const inWindow = selectWindow(listed.jobs, window);
    const fetched = await this.fetchDetails(source, inWindow, signal);
    const details = fetched.map((job) => job.detail);
    // The alerts name the newest finished job and its message, and Entity Resolution lists neither message nor
    // counts: when a newer job has started before the exporter saw this one finish (summary mode), its detail
    // is read here, once, since a finished job is never read again.
    const newestFinished = newestFinishedListed(this.spec, listed.jobs);
    const extra = newestFinished && !inWindow.some((job) => job.id === newestFinished.id) ? await this.fetchDetails(source, [newestFinished], signal) : [];
    const firstCollection = this.counters === undefined;
    const seeded = firstCollection ? await this.seedVolumes(source, listed.jobs, [...fetched, ...extra], signal) : [];

    const counters = this.counters ?? this.emptyCounters();
    for (const { id, detail } of fetched) this.countIfNewlyFinished(id, detail, counters, !firstCollection);
    this.noteOutcomes(listed.jobs, details);
    for (const [id, start] of this.counted) if (start < cutoff) this.counted.delete(id);

    this.known = new Map([...fetched, ...extra].map(({ id, detail }) => [id, { detail, terminal: this.isTerminal(detail) }]));
    this.counters = counters;
    this.windowFloor = floorOf(inWindow, window);
    this.assumeNewestFirst = listed.newestFirst;
    const runs = summarizeRuns(this.spec, listed.jobs, [...fetched, ...extra, ...seeded], this.runMemory, now);
    this.runMemory = runs.memory;
    this.last = {
      identity,
      up: true,
      dataTime: now,
      lastSuccessTime: now,
      lastError: undefined,
      jobs: fetched.slice(0, this.settings.maxJobs),
      latestStatus: runs.summary.latestStatus,
      lastSuccessEnd: this.lastSuccessEnd,
      lastFailureEnd: this.lastFailureEnd,
      counters: { finishedByStatus: new Map(counters.finishedByStatus), statisticSums: new Map(counters.statisticSums) },
      runs: runs.summary,
    };
    return this.last;
  }

  /** Publishes the last known series of a target whose collection failed, marked down. */
  failed(identity: TargetIdentity<K>, error: ErrorReport): TargetSnapshot<K> {
    const previous = this.last;
    this.last = {
      identity,
      up: false,
      dataTime: previous?.dataTime,
      lastSuccessTime: previous?.lastSuccessTime,
      lastError: error,
      jobs: previous?.jobs ?? [],
      latestStatus: previous?.latestStatus,
      lastSuccessEnd: previous?.lastSuccessEnd,
      lastFailureEnd: previous?.lastFailureEnd,
      counters: previous?.counters,
      runs: previous?.runs,
    };
    return this.last;
  }

  /** Details keyed by the listed id (every member of a Get answer is optional, JobId included). */
  private async fetchDetails(source: JobSource<JobDetailByKind[K]>, jobs: readonly JobSummary<JobDetailByKind[K]>[], signal: AbortSignal | undefined): Promise<CollectedJob<JobDetailByKind[K]>[]> {
    const fetched = await Promise.all(jobs.map(async ({ id }) => {
      const known = this.known.get(id);
      if (known?.terminal) return { id, detail: known.detail };
      try {
        return { id, detail: await source.getJob(id, signal) };
      } catch (err) {
        // Deleted between List and Get: gone from AWS, so gone from the window; the rest of the target is fine.
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }));
    return fetched.filter((job) => job !== undefined);
  }

  /**
   * Summary mode reads one new job a collection, so the volume medians would fill one run at a time: a fresh
   * exporter would miss a volume drop for weeks of a weekly workflow. So when a target is first seen with no
   * saved medians, the newest successes on the pages already listed are read too (at most SEED_SUCCESSES Gets,
   * none for a job already read or whose list item tells its counts, as Customer Profiles' do). They are
   * history, not news: neither counted nor exported per job.
   */
  private async seedVolumes(source: JobSource<JobDetailByKind[K]>, listed: readonly JobSummary<JobDetailByKind[K]>[], read: readonly CollectedJob<JobDetailByKind[K]>[], signal: AbortSignal | undefined): Promise<CollectedJob<JobDetailByKind[K]>[]> {
    if (this.runMemory.successVolumes.length >= SEED_SUCCESSES) return [];
    const readIds = new Set(read.map((job) => job.id));
    const unread = newestSuccessesListed(this.spec, listed, SEED_SUCCESSES)
      .filter((job) => !readIds.has(job.id) && Object.keys(knownVolumes(this.spec, job.item ?? {})).length === 0);
    return this.fetchDetails(source, unread, signal);
  }

  private countIfNewlyFinished(id: string, detail: JobDetailByKind[K], counters: MutableCounters, countIt: boolean): void {
    const status = this.spec.status(detail);
    if (status === undefined || !this.spec.statuses.terminal.has(status) || this.counted.has(id)) return;
    const start = epochSeconds(this.spec.startTime(detail));
    this.counted.set(id, start ?? Number.POSITIVE_INFINITY);
    // Jobs already finished at the first collection are history, not news: counting them would spike on restart.
    if (!countIt || (start !== undefined && this.windowFloor !== undefined && start < this.windowFloor)) return;
    counters.finishedByStatus.set(status, (counters.finishedByStatus.get(status) ?? 0) + 1);
    for (const [name, statistic] of Object.entries(this.spec.counterStatistics)) {
      const value = statistic(detail);
      if (value !== undefined) counters.statisticSums.set(name, (counters.statisticSums.get(name) ?? 0) + value);
    }
  }

  /** Last success and failure come from every job read, not only the window: a list page is history for free. */
  private noteOutcomes(summaries: readonly JobSummary[], details: readonly JobDetailByKind[K][]): void {
    const outcomes = [
      ...summaries.map((job) => ({ status: job.status, end: epochSeconds(job.endTime) })),
      ...details.map((job) => ({ status: this.spec.status(job), end: epochSeconds(this.spec.endTime(job)) })),
    ];
    for (const { status, end } of outcomes) {
      if (status === undefined || end === undefined) continue;
      if (this.spec.statuses.success.has(status)) this.lastSuccessEnd = Math.max(this.lastSuccessEnd ?? end, end);
      if (this.spec.statuses.failure.has(status)) this.lastFailureEnd = Math.max(this.lastFailureEnd ?? end, end);
    }
  }

  private isTerminal(detail: JobDetailByKind[K]): boolean {
    const status = this.spec.status(detail);
    return status !== undefined && this.spec.statuses.terminal.has(status);
  }

  private emptyCounters(): MutableCounters {
    return {
      finishedByStatus: new Map([...this.spec.statuses.terminal].map((status) => [status, 0])),
      statisticSums: new Map(Object.keys(this.spec.counterStatistics).map((name) => [name, 0])),
    };
  }
}

/** Where a window read ends on the old side: its oldest job's start when it is full, else the lookback's cutoff. */
function floorOf(jobs: readonly JobSummary[], window: WindowSpec): number {
  const oldest = jobs.length >= window.size ? epochSeconds(jobs.at(-1)?.startTime) : undefined;
  return oldest ?? window.cutoff;
}
