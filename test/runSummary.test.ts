import { expect } from 'chai';
import type { IdentityResolutionJobDetail, JobSummary, MatchingJobDetail } from '../src/aws/types.js';
import { identityResolutionSpec, matchingSpec } from '../src/collect/kinds.js';
import { EMPTY_RUN_MEMORY, medianOf, summarizeRuns } from '../src/collect/runSummary.js';
import type { CollectedJob } from '../src/collect/snapshot.js';

const NOW = 1_800_000_000;
const HOUR = 3600;
const at = (seconds: number): Date => new Date(seconds * 1000);

/** A matching job listed `hoursAgo` hours before NOW, running for `minutes` (none: unfinished). */
function listed(id: string, hoursAgo: number, status: string, minutes?: number): JobSummary<MatchingJobDetail> {
  const start = NOW - hoursAgo * HOUR;
  return { id, status, startTime: at(start), endTime: minutes === undefined ? undefined : at(start + minutes * 60) };
}

function detail(job: JobSummary<MatchingJobDetail>, metrics?: MatchingJobDetail['metrics'], errorMessage?: string): CollectedJob<MatchingJobDetail> {
  return {
    id: job.id,
    detail: {
      jobId: job.id, status: job.status as MatchingJobDetail['status'], startTime: job.startTime, endTime: job.endTime,
      ...(metrics ? { metrics } : {}), ...(errorMessage ? { errorDetails: { errorMessage } } : {}),
    },
  };
}

describe('run summary (the target-level view the alerts stand on)', () => {
  it('describes the newest job: start, end, and its wait apart from its run time', () => {
    const queued = summarizeRuns(matchingSpec, [listed('b', 0.5, 'QUEUED'), listed('a', 2, 'SUCCEEDED', 30)], [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(queued.latest).to.deep.equal({ start: NOW - 1800, end: undefined, queuedSeconds: 1800, runningSeconds: undefined });
    const running = summarizeRuns(matchingSpec, [listed('b', 0.5, 'RUNNING'), listed('a', 2, 'SUCCEEDED', 30)], [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(running.latest).to.deep.equal({ start: NOW - 1800, end: undefined, queuedSeconds: undefined, runningSeconds: 1800 });
    const done = summarizeRuns(matchingSpec, [listed('a', 2, 'SUCCEEDED', 30)], [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(done.latest).to.deep.equal({ start: NOW - 2 * HOUR, end: NOW - 2 * HOUR + 1800, queuedSeconds: undefined, runningSeconds: undefined });
  });

  it('counts a pending job whose start is still ahead as waiting 0 s, and as the newest job', () => {
    const pending: JobSummary<IdentityResolutionJobDetail> = { id: 'p', status: 'PENDING', startTime: at(NOW + 600), endTime: undefined };
    const summary = summarizeRuns(identityResolutionSpec, [pending], [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(summary.latest?.queuedSeconds).to.equal(0);
    expect(summary.history.starts, 'a start in the future is no run yet').to.deep.equal([]);
  });

  it('counts the newest finished jobs that failed in a row, and names the newest with its message', () => {
    const jobs = [listed('d', 1, 'RUNNING'), listed('c', 2, 'FAILED', 5), listed('b', 3, 'FAILED', 5), listed('a', 4, 'SUCCEEDED', 30)];
    const summary = summarizeRuns(matchingSpec, jobs, [detail(jobs[1]!, undefined, 'S3 access denied')], EMPTY_RUN_MEMORY, NOW).summary;
    expect(summary.consecutiveFailures).to.equal(2);
    expect(summary.latestFinished).to.deep.equal({ id: 'c', status: 'FAILED', message: 'S3 access denied' });
    const recovered = summarizeRuns(matchingSpec, [listed('e', 0.5, 'SUCCEEDED', 10), ...jobs.slice(1)], [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(recovered.consecutiveFailures).to.equal(0);
    expect(summarizeRuns(matchingSpec, [listed('q', 0.1, 'QUEUED')], [], EMPTY_RUN_MEMORY, NOW).summary.consecutiveFailures, 'nothing finished yet').to.equal(undefined);
  });

  it('takes the fresher status of a detail read after the list page', () => {
    const jobs = [listed('b', 1, 'RUNNING'), listed('a', 2, 'SUCCEEDED', 30)];
    const summary = summarizeRuns(matchingSpec, jobs, [{ id: 'b', detail: { ...detail(jobs[0]!).detail, status: 'FAILED', endTime: at(NOW - 60) } }], EMPTY_RUN_MEMORY, NOW).summary;
    expect(summary.consecutiveFailures).to.equal(1);
    expect(summary.latest?.end).to.equal(NOW - 60);
  });

  it('does not count PARTIAL_SUCCESS as a failure in a row', () => {
    const jobs: JobSummary<IdentityResolutionJobDetail>[] = [
      { id: 'b', status: 'PARTIAL_SUCCESS', startTime: at(NOW - HOUR), endTime: at(NOW - 60), item: { Message: 'merge conflicts' } },
      { id: 'a', status: 'FAILED', startTime: at(NOW - 8 * HOUR), endTime: at(NOW - 7 * HOUR) },
    ];
    const summary = summarizeRuns(identityResolutionSpec, jobs, [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(summary.consecutiveFailures).to.equal(0);
    expect(summary.latestFinished).to.deep.equal({ id: 'b', status: 'PARTIAL_SUCCESS', message: 'merge conflicts' });
  });

  it('keeps the earliest start seen across collections, and the recent cadence and durations', () => {
    const jobs = [0, 1, 2, 3].map((h) => listed(`j${h}`, h + 1, 'SUCCEEDED', 20 + h));
    const first = summarizeRuns(matchingSpec, jobs, [], EMPTY_RUN_MEMORY, NOW);
    expect(first.summary.earliestStart).to.equal(NOW - 4 * HOUR);
    expect(first.summary.history).to.deep.equal({ starts: [1, 2, 3, 4].map((h) => NOW - h * HOUR), successDurations: [1200, 1260, 1320, 1380] });
    const later = summarizeRuns(matchingSpec, jobs.slice(0, 1), [], first.memory, NOW + HOUR);
    expect(later.summary.earliestStart, 'the view reached further back before').to.equal(NOW - 4 * HOUR);
  });

  it('keeps the newest successful run\'s key counts and the median of those before it, from details or a Customer Profiles list item', () => {
    const jobs = [listed('c', 1, 'SUCCEEDED', 10), listed('b', 2, 'SUCCEEDED', 10), listed('a', 3, 'SUCCEEDED', 10)];
    const details = [
      detail(jobs[0]!, { inputRecords: 10, totalRecordsProcessed: 10, matchIDs: 1 }),
      detail(jobs[1]!, { inputRecords: 100, totalRecordsProcessed: 100, matchIDs: 30 }),
      detail(jobs[2]!, { inputRecords: 200, totalRecordsProcessed: 200, matchIDs: 50 }),
    ];
    const { summary, memory } = summarizeRuns(matchingSpec, jobs, details, EMPTY_RUN_MEMORY, NOW);
    expect(Object.fromEntries(summary.volumes?.last ?? [])).to.deep.equal({ input_records: 10, records_processed: 10, match_ids: 1, match_rate: 0.1 });
    expect(Object.fromEntries(summary.volumes?.median ?? [])).to.deep.equal({ input_records: 150, records_processed: 150, match_ids: 40, match_rate: 0.275 });
    // An Entity Resolution list item has no counts: what was read before is remembered.
    const next = summarizeRuns(matchingSpec, jobs, [], memory, NOW + 60).summary;
    expect(next.volumes).to.deep.equal(summary.volumes);

    const profiles: JobSummary<IdentityResolutionJobDetail>[] = [1, 2].map((h) => ({
      id: `p${h}`, status: 'COMPLETED', startTime: at(NOW - h * 7 * 86_400), endTime: at(NOW - h * 7 * 86_400 + HOUR),
      item: { JobStats: { NumberOfProfilesReviewed: 1000 * h, NumberOfMatchesFound: 10 * h, NumberOfMergesDone: 5 * h } },
    }));
    const fromList = summarizeRuns(identityResolutionSpec, profiles, [], EMPTY_RUN_MEMORY, NOW).summary;
    expect(Object.fromEntries(fromList.volumes?.last ?? [])).to.deep.equal({ profiles_reviewed: 1000, matches_found: 10, merges_done: 5, match_rate: 0.005 });
    expect(Object.fromEntries(fromList.volumes?.median ?? [])).to.deep.equal({ profiles_reviewed: 2000, matches_found: 20, merges_done: 10, match_rate: 0.005 });
  });

  it('keeps the share of each run\'s input not processed and its median, the median of the shares rather than a share of medians', () => {
    const jobs = [listed('c', 1, 'SUCCEEDED', 10), listed('b', 2, 'SUCCEEDED', 10), listed('a', 3, 'SUCCEEDED', 10), listed('z', 4, 'SUCCEEDED', 10)];
    const details = [
      detail(jobs[0]!, { inputRecords: 500, totalRecordsProcessed: 350, recordsNotProcessed: 150, matchIDs: 300 }),
      detail(jobs[1]!, { inputRecords: 100, totalRecordsProcessed: 90, recordsNotProcessed: 10, matchIDs: 60 }),
      detail(jobs[2]!, { inputRecords: 1000, totalRecordsProcessed: 1000, recordsNotProcessed: 0, matchIDs: 600 }),
      detail(jobs[3]!, { inputRecords: 0, totalRecordsProcessed: 0, recordsNotProcessed: 0, matchIDs: 0 }),
    ];
    const { summary } = summarizeRuns(matchingSpec, jobs, details, EMPTY_RUN_MEMORY, NOW);
    expect(summary.volumes?.last.get('records_not_processed_ratio')).to.equal(0.3);
    // 0.1 and 0; the empty run has no share at all (nothing to divide by), so it does not drag the median down.
    expect(summary.volumes?.median.get('records_not_processed_ratio')).to.equal(0.05);
    expect(summary.volumes?.median.get('match_rate')).to.equal(0.6);
  });

  it('has no median before a second successful run', () => {
    const jobs = [listed('a', 1, 'SUCCEEDED', 10)];
    const summary = summarizeRuns(matchingSpec, jobs, [detail(jobs[0]!, { inputRecords: 5 })], EMPTY_RUN_MEMORY, NOW).summary;
    expect(Object.fromEntries(summary.volumes?.last ?? [])).to.deep.equal({ input_records: 5 });
    expect(summary.volumes?.median.size).to.equal(0);
  });

  it('takes the median of an odd or even count, and none of nothing', () => {
    expect(medianOf([3, 1, 2])).to.equal(2);
    expect(medianOf([4, 1, 3, 2])).to.equal(2.5);
    expect(medianOf([])).to.equal(undefined);
  });
});
