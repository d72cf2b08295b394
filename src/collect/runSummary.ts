import type { JobSummary } from '../aws/types.js';
import { byNewestStart, newestFirst } from './jobWindow.js';
import type { JobDetailByKind } from '../aws/types.js';
import type { KindSpec } from './kinds.js';
import type { CollectedJob, FinishedJob, LatestJob, RunHistory, RunSummary, Volumes } from './snapshot.js';
import { epochSeconds } from '../model/time.js';
import type { TargetKind } from '../model/kinds.js';

/** Runs the history and the volume medians look at: enough for a median, few enough to follow a change. */
export const RECENT_RUNS = 10;

/**
 * Successful runs whose details a target's first collection reads when nothing saved holds their counts: the
 * newest and 4 before it, enough for the volume medians to exist at once. The most Gets that reading costs.
 */
export const SEED_SUCCESSES = 5;

/** One job as this collection knows it: its list item, overlaid with its detail where that was read. */
interface Run<D> {
  readonly id: string;
  readonly status: string | undefined;
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly known: Partial<D>;
}

/** A successful run's key counts and rates, kept between collections (Entity Resolution lists no counts). */
export interface SuccessVolumes {
  readonly id: string;
  readonly end: number;
  readonly volumes: Readonly<Record<string, number>>;
}

/** What the summary carries over from one collection to the next (and through the state file). */
export interface RunMemory {
  readonly earliestStart: number | undefined;
  /** Newest first, at most {@link RECENT_RUNS} + 1: the newest and the runs its median is taken over. */
  readonly successVolumes: readonly SuccessVolumes[];
}

export const EMPTY_RUN_MEMORY: RunMemory = { earliestStart: undefined, successVolumes: [] };

/**
 * The target-level view of a collection: the newest job, the newest finished one, the failures in a row,
 * the cadence and durations of recent runs, and the volumes of the newest success against its predecessors.
 * All of it comes from the list page and the details already read, so it holds in summary mode too.
 */
export function summarizeRuns<K extends TargetKind>(
  spec: KindSpec<K>,
  listed: readonly JobSummary<JobDetailByKind[K]>[],
  details: readonly CollectedJob<JobDetailByKind[K]>[],
  memory: RunMemory,
  now: number,
): { summary: RunSummary; memory: RunMemory } {
  const runs = mergeRuns(spec, listed, details);
  const started = runs.filter((run): run is Run<JobDetailByKind[K]> & { start: number } => run.start !== undefined && run.start <= now);
  const finished = runs.filter((run) => run.status !== undefined && spec.statuses.terminal.has(run.status));
  const successes = finished.filter((run) => run.status !== undefined && spec.statuses.success.has(run.status));
  const earliest = Math.min(memory.earliestStart ?? Number.POSITIVE_INFINITY, ...started.map((run) => run.start));
  const successVolumes = recordVolumes(spec, successes, memory.successVolumes);
  const newestFinished = finished[0];
  const summary: RunSummary = {
    latestStatus: runs[0]?.status,
    latest: runs[0] && latestJob(spec, runs[0], now),
    latestFinished: newestFinished && finishedJob(spec, newestFinished),
    consecutiveFailures: newestFinished && leadingCount(finished, (run) => run.status !== undefined && spec.statuses.failed.has(run.status)),
    earliestStart: Number.isFinite(earliest) ? earliest : undefined,
    history: history(started, successes),
    volumes: volumesOf(successVolumes),
  };
  return { summary, memory: { earliestStart: summary.earliestStart, successVolumes } };
}

/** The newest job that finished, by its list item's status: the one whose detail the alerts' annotations need. */
export function newestFinishedListed<K extends TargetKind>(spec: KindSpec<K>, listed: readonly JobSummary<JobDetailByKind[K]>[]): JobSummary<JobDetailByKind[K]> | undefined {
  return listedIn(listed, spec.statuses.terminal)[0];
}

/** The newest `count` jobs that succeeded, by their list items' status. */
export function newestSuccessesListed<K extends TargetKind>(spec: KindSpec<K>, listed: readonly JobSummary<JobDetailByKind[K]>[], count: number): JobSummary<JobDetailByKind[K]>[] {
  return listedIn(listed, spec.statuses.success).slice(0, count);
}

/** Listed jobs in one of `statuses`, newest first; a job listed twice (the list moved while it was paged) counts once. */
function listedIn<D>(listed: readonly JobSummary<D>[], statuses: ReadonlySet<string>): JobSummary<D>[] {
  const unique = new Map(listed.filter((job) => job.status !== undefined && statuses.has(job.status)).map((job) => [job.id, job]));
  return newestFirst([...unique.values()]);
}

/** The key counts and rates a run's known members tell: its detail's, or its list item's (Customer Profiles lists JobStats). */
export function knownVolumes<K extends TargetKind>(spec: KindSpec<K>, known: Partial<JobDetailByKind[K]>): Record<string, number> {
  const volumes: Record<string, number> = {};
  for (const [name, read] of Object.entries({ ...spec.volumes, ...spec.rates })) {
    const value = read(known);
    if (value !== undefined && Number.isFinite(value)) volumes[name] = value;
  }
  return volumes;
}

function mergeRuns<K extends TargetKind>(spec: KindSpec<K>, listed: readonly JobSummary<JobDetailByKind[K]>[], details: readonly CollectedJob<JobDetailByKind[K]>[]): Run<JobDetailByKind[K]>[] {
  const detailById = new Map(details.map((job) => [job.id, job.detail]));
  const runs = new Map<string, Run<JobDetailByKind[K]>>();
  for (const job of listed) {
    const detail = detailById.get(job.id);
    // A detail read after the list page is the fresher view; a member it lacks may still be on the list item.
    runs.set(job.id, {
      id: job.id,
      status: (detail && spec.status(detail)) ?? job.status,
      start: epochSeconds((detail && spec.startTime(detail)) ?? job.startTime),
      end: epochSeconds((detail && spec.endTime(detail)) ?? job.endTime),
      known: { ...job.item, ...detail },
    });
  }
  return byNewestStart([...runs.values()], (run) => run.start);
}

function latestJob<K extends TargetKind>(spec: KindSpec<K>, run: Run<JobDetailByKind[K]>, now: number): LatestJob {
  const waited = run.start === undefined ? undefined : Math.max(0, now - run.start);
  const status = run.status ?? '';
  return {
    start: run.start,
    end: run.end,
    queuedSeconds: spec.statuses.queued.has(status) ? waited : undefined,
    runningSeconds: spec.statuses.running.has(status) ? waited : undefined,
  };
}

function finishedJob<K extends TargetKind>(spec: KindSpec<K>, run: Run<JobDetailByKind[K]>): FinishedJob {
  return { id: run.id, status: run.status ?? '', message: spec.message(run.known) };
}

function leadingCount<T>(items: readonly T[], matches: (item: T) => boolean): number {
  const firstOther = items.findIndex((item) => !matches(item));
  return firstOther < 0 ? items.length : firstOther;
}

function history<D>(started: readonly (Run<D> & { start: number })[], successes: readonly Run<D>[]): RunHistory {
  return {
    // One more start than runs: RECENT_RUNS gaps between them.
    starts: started.slice(0, RECENT_RUNS + 1).map((run) => run.start),
    successDurations: successes
      .flatMap((run) => (run.start !== undefined && run.end !== undefined && run.end >= run.start ? [run.end - run.start] : []))
      .slice(0, RECENT_RUNS),
  };
}

/** The newest successful runs' key counts and rates: those read now, and those remembered from earlier collections. */
function recordVolumes<K extends TargetKind>(spec: KindSpec<K>, successes: readonly Run<JobDetailByKind[K]>[], remembered: readonly SuccessVolumes[]): SuccessVolumes[] {
  const byId = new Map(remembered.map((entry) => [entry.id, entry]));
  for (const run of successes) {
    if (run.end === undefined) continue;
    const volumes = knownVolumes(spec, run.known);
    if (Object.keys(volumes).length > 0) byId.set(run.id, { id: run.id, end: run.end, volumes });
  }
  return [...byId.values()].sort((a, b) => b.end - a.end).slice(0, RECENT_RUNS + 1);
}

function volumesOf(successVolumes: readonly SuccessVolumes[]): Volumes | undefined {
  const [newest, ...before] = successVolumes;
  if (newest === undefined) return undefined;
  const median = new Map<string, number>();
  for (const name of Object.keys(newest.volumes)) {
    const values = before.flatMap((entry) => (entry.volumes[name] === undefined ? [] : [entry.volumes[name]]));
    const middle = medianOf(values);
    if (middle !== undefined) median.set(name, middle);
  }
  return { last: new Map(Object.entries(newest.volumes)), median };
}

/** The median (the mean of the two middle values for an even count), or undefined for none. */
export function medianOf(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[half] : ((sorted[half - 1] ?? 0) + (sorted[half] ?? 0)) / 2;
}

