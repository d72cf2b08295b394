import { pages } from '../aws/pagination.js';
import type { JobSource, JobSummary } from '../aws/types.js';
import { epochSeconds } from '../model/time.js';

export interface WindowSpec {
  /** Epoch seconds: jobs that started before this are out of the window. */
  readonly cutoff: number;
  /** How many newest jobs the window holds. */
  readonly size: number;
}

export interface ListedJobs {
  /** Every summary read, in the order AWS returned them. */
  readonly jobs: readonly JobSummary[];
  /** False when a start time rose from one job to the next, so the pages cannot be cut short. */
  readonly newestFirst: boolean;
}

/**
 * Reads a target's job list page by page, and stops as soon as the window is covered, while the list is
 * newest-first. Once a page shows the order is not newest-first (or `assumeNewestFirst` is false because an
 * earlier read showed that), every page is read, since the window's jobs could be on any of them.
 */
export async function listJobWindow(source: JobSource<unknown>, window: WindowSpec, assumeNewestFirst: boolean, signal?: AbortSignal): Promise<ListedJobs> {
  const jobs: JobSummary[] = [];
  let newestFirst = true;
  let previousStart: number | undefined;
  let inWindow = 0;
  let reachedOlderJobs = false;
  for await (const page of pages((token) => source.listJobs(token, signal), (listed) => listed.nextToken)) {
    for (const job of page.jobs) {
      jobs.push(job);
      const start = epochSeconds(job.startTime);
      if (start === undefined || start >= window.cutoff) inWindow++;
      else reachedOlderJobs = true;
      if (start !== undefined) {
        if (previousStart !== undefined && start > previousStart) newestFirst = false;
        previousStart = start;
      }
    }
    const covered = inWindow >= window.size || reachedOlderJobs;
    if (covered && newestFirst && assumeNewestFirst) break;
  }
  return { jobs, newestFirst };
}

/**
 * The window's jobs, newest first: started within the lookback (or not started yet), at most `size` of them.
 * A job listed twice (the list moved while it was paged) counts once.
 */
export function selectWindow(jobs: readonly JobSummary[], window: WindowSpec): JobSummary[] {
  const unique = new Map(jobs.map((job) => [job.id, job]));
  return newestFirst([...unique.values()])
    .filter((job) => { const start = epochSeconds(job.startTime); return start === undefined || start >= window.cutoff; })
    .slice(0, window.size);
}

/** Sorted by start time (epoch seconds), newest first; one with no start yet (pending) counts as the newest. */
export function byNewestStart<T>(items: readonly T[], start: (item: T) => number | undefined): T[] {
  const key = (item: T): number => start(item) ?? Number.POSITIVE_INFINITY;
  return [...items].sort((a, b) => key(b) - key(a));
}

/** Jobs sorted by start time, newest first; a job with no start time yet (pending) counts as the newest. */
export function newestFirst<J extends JobSummary>(jobs: readonly J[]): J[] {
  return byNewestStart(jobs, (job) => epochSeconds(job.startTime));
}
