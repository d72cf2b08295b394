import { expect } from 'chai';
import type { MatchingJobDetail } from '../src/aws/types.js';
import { matchingSpec } from '../src/collect/kinds.js';
import { SEED_SUCCESSES, type RunMemory } from '../src/collect/runSummary.js';
import { TargetCollector } from '../src/collect/targetCollector.js';
import { FakeJobSource } from './support/fakeSource.js';
import type { TargetIdentity } from '../src/model/target.js';

const NOW = 1_800_000_000;
const identity: TargetIdentity<'matching'> = { kind: 'matching', target: 'wf', accountId: '123456789012', region: 'us-east-1' };

function job(id: string, startAgo: number, status: string, processed?: number) {
  const startTime = new Date((NOW - startAgo) * 1000);
  const endTime = status === 'SUCCEEDED' || status === 'FAILED' ? new Date((NOW - startAgo + 60) * 1000) : undefined;
  const detail: MatchingJobDetail = {
    jobId: id, status: status as MatchingJobDetail['status'], startTime, endTime,
    ...(processed === undefined ? {} : { metrics: { totalRecordsProcessed: processed, recordsNotProcessed: 1 } }),
  };
  return { id, status, startTime, endTime, detail };
}

function finish(source: FakeJobSource<MatchingJobDetail>, id: string, status: 'SUCCEEDED' | 'FAILED', processed: number): void {
  source.jobs = source.jobs.map((j) => (j.id === id ? job(id, NOW - j.startTime!.getTime() / 1000, status, processed) : j));
}

describe('TargetCollector', () => {
  const settings = { lookbackSeconds: 7 * 86400, maxJobs: 10 };

  it('fetches every job once, then only unfinished ones', async () => {
    const source = new FakeJobSource([job('c', 100, 'RUNNING'), job('b', 2000, 'SUCCEEDED', 10), job('a', 3000, 'FAILED', 5)], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    await collector.collect(identity, source, NOW);
    expect(source.getCalls).to.deep.equal(['c', 'b', 'a']);
    source.getCalls.length = 0;
    await collector.collect(identity, source, NOW + 120);
    expect(source.getCalls).to.deep.equal(['c']);
  });

  it('does not count history at the first collection, then counts each finish exactly once', async () => {
    const source = new FakeJobSource([job('c', 100, 'RUNNING'), job('b', 2000, 'SUCCEEDED', 10)], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    const first = await collector.collect(identity, source, NOW);
    expect(Object.fromEntries(first.counters?.finishedByStatus ?? [])).to.deep.equal({ SUCCEEDED: 0, FAILED: 0 });
    expect(Object.fromEntries(first.counters?.statisticSums ?? [])).to.deep.equal({ records_processed: 0, records_not_processed: 0 });

    finish(source, 'c', 'SUCCEEDED', 40);
    const second = await collector.collect(identity, source, NOW + 120);
    expect(second.counters?.finishedByStatus.get('SUCCEEDED')).to.equal(1);
    expect(second.counters?.statisticSums.get('records_processed')).to.equal(40);
    expect(second.latestStatus).to.equal('SUCCEEDED');

    const third = await collector.collect(identity, source, NOW + 240);
    expect(third.counters?.finishedByStatus.get('SUCCEEDED')).to.equal(1);
    expect(third.counters?.statisticSums.get('records_processed')).to.equal(40);
  });

  it('counts a job first seen already finished after the first collection', async () => {
    const source = new FakeJobSource([job('b', 2000, 'SUCCEEDED', 10)], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    await collector.collect(identity, source, NOW);
    source.jobs.unshift(job('d', 50, 'FAILED', 3));
    const snapshot = await collector.collect(identity, source, NOW + 120);
    expect(snapshot.counters?.finishedByStatus.get('FAILED')).to.equal(1);
    expect(snapshot.lastFailureEnd).to.equal(NOW - 50 + 60);
    expect(snapshot.lastSuccessEnd).to.equal(NOW - 2000 + 60);
  });

  it('counts no history that a reload brings into the window by raising max_jobs_per_target', async () => {
    const source = new FakeJobSource([job('c', 100, 'RUNNING'), job('b', 2000, 'SUCCEEDED', 10), job('a', 3000, 'FAILED', 5)], 25);
    const collector = new TargetCollector(matchingSpec, { lookbackSeconds: 7 * 86400, maxJobs: 1 });
    await collector.collect(identity, source, NOW);
    collector.updateSettings({ lookbackSeconds: 7 * 86400, maxJobs: 10 });
    const snapshot = await collector.collect(identity, source, NOW + 60);
    expect(snapshot.jobs.map((j) => j.id)).to.deep.equal(['c', 'b', 'a']);
    expect(Object.fromEntries(snapshot.counters?.finishedByStatus ?? [])).to.deep.equal({ SUCCEEDED: 0, FAILED: 0 });
  });

  it('counts a job once though a reload shortens the lookback past it and lengthens it again', async () => {
    const source = new FakeJobSource([job('c', 100, 'RUNNING'), job('b', 2000, 'RUNNING')], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    await collector.collect(identity, source, NOW);
    finish(source, 'b', 'SUCCEEDED', 10);
    await collector.collect(identity, source, NOW + 60);
    collector.updateSettings({ ...settings, lookbackSeconds: 1000 });
    await collector.collect(identity, source, NOW + 120);
    collector.updateSettings(settings);
    const snapshot = await collector.collect(identity, source, NOW + 180);
    expect(snapshot.jobs.map((j) => j.id)).to.deep.equal(['c', 'b']);
    expect(snapshot.counters?.finishedByStatus.get('SUCCEEDED')).to.equal(1);
  });

  it('keeps only max_jobs newest jobs within the lookback as per-job series', async () => {
    const source = new FakeJobSource([job('d', 10, 'RUNNING'), job('c', 20, 'SUCCEEDED'), job('b', 30, 'SUCCEEDED'), job('a', 9 * 86400, 'SUCCEEDED')], 25);
    const collector = new TargetCollector(matchingSpec, { lookbackSeconds: 7 * 86400, maxJobs: 2 });
    const snapshot = await collector.collect(identity, source, NOW);
    expect(snapshot.jobs.map((j) => j.id)).to.deep.equal(['d', 'c']);
    expect(source.getCalls, 'the window, then the older successes the volume medians need').to.deep.equal(['d', 'c', 'b', 'a']);
  });

  it('with max_jobs 0 exports no job but still knows the latest status', async () => {
    const source = new FakeJobSource([job('d', 10, 'RUNNING'), job('c', 20, 'SUCCEEDED')], 25);
    const collector = new TargetCollector(matchingSpec, { lookbackSeconds: 86400, maxJobs: 0 });
    const snapshot = await collector.collect(identity, source, NOW);
    expect(snapshot.jobs).to.have.length(0);
    expect(snapshot.latestStatus).to.equal('RUNNING');
  });

  it('in summary mode reads the newest finished job once for its message and counts, and keeps the target-level view', async () => {
    const source = new FakeJobSource([job('d', 10, 'RUNNING'), job('c', 2000, 'FAILED', 7), job('b', 9000, 'SUCCEEDED', 10)], 25);
    const collector = new TargetCollector(matchingSpec, { lookbackSeconds: 86400, maxJobs: 0 });
    const first = await collector.collect(identity, source, NOW);
    expect(source.getCalls, 'the newest job, the newest finished one, and the newest success for the volume medians').to.deep.equal(['d', 'c', 'b']);
    expect(first.runs?.latestFinished?.id).to.equal('c');
    expect(first.runs?.consecutiveFailures).to.equal(1);
    expect(first.runs?.latest?.runningSeconds).to.equal(10);
    source.getCalls.length = 0;
    await collector.collect(identity, source, NOW + 60);
    expect(source.getCalls, 'a finished job is not read again').to.deep.equal(['d']);
  });

  it('carries the run memory (earliest start, success counts) through its saved state', async () => {
    const source = new FakeJobSource([job('c', 100, 'SUCCEEDED', 30), job('b', 2000, 'SUCCEEDED', 10), job('a', 3000, 'SUCCEEDED', 20)], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    const before = await collector.collect(identity, source, NOW);
    const restored = new TargetCollector(matchingSpec, settings);
    const state = collector.exportState();
    // Job details keep their Dates through the state file's own encoding; the run memory is plain JSON.
    restored.restoreState({ ...state, runMemory: JSON.parse(JSON.stringify(state.runMemory)) as RunMemory });
    source.jobs = source.jobs.slice(0, 1);
    const after = await restored.collect(identity, source, NOW + 60);
    expect(after.runs?.earliestStart).to.equal(NOW - 3000);
    expect(after.runs?.volumes).to.deep.equal(before.runs?.volumes);
    expect(after.runs?.volumes?.median.get('records_processed')).to.equal(15);
  });

  describe('at a target\'s first collection, the newest successes seed the volume medians', () => {
    const summaryMode = { lookbackSeconds: 30 * 86400, maxJobs: 0 };
    const WEEK = 7 * 86400;
    /** Weekly successes, newest first: the newest processed a tenth of what the ones before it did. */
    const weekly = (): ReturnType<typeof job>[] => [10, 100, 120, 90, 110, 95].map((processed, i) => job(`run${String(6 - i)}`, 3600 + i * WEEK, 'SUCCEEDED', processed));

    it('in summary mode reads at most 5 of them, so a volume drop in the newest run shows at once', async () => {
      const source = new FakeJobSource(weekly(), 25);
      const first = await new TargetCollector(matchingSpec, summaryMode).collect(identity, source, NOW);
      expect(source.getCalls).to.have.length.at.most(SEED_SUCCESSES);
      expect(source.getCalls, 'the newest success and the 4 before it, not the sixth').to.deep.equal(['run6', 'run5', 'run4', 'run3', 'run2']);
      expect(first.runs?.volumes?.last.get('records_processed')).to.equal(10);
      expect(first.runs?.volumes?.median.get('records_processed'), 'the median of 100, 120, 90 and 110').to.equal(105);
    });

    it('reads them once: a later collection makes no seeding Get, though the medians are still short of runs', async () => {
      const source = new FakeJobSource([job('run7', 600, 'RUNNING'), ...weekly().slice(0, 2)], 25);
      const collector = new TargetCollector(matchingSpec, summaryMode);
      await collector.collect(identity, source, NOW);
      expect(source.getCalls).to.deep.equal(['run7', 'run6', 'run5']);
      source.getCalls.length = 0;
      await collector.collect(identity, source, NOW + 60);
      expect(source.getCalls, 'only the running job').to.deep.equal(['run7']);
    });

    it('makes no seeding Get after a restart from a state holding success volumes', async () => {
      const source = new FakeJobSource(weekly().slice(0, 2), 25);
      const before = new TargetCollector(matchingSpec, summaryMode);
      await before.collect(identity, source, NOW);
      const state = before.exportState();
      expect(state.runMemory?.successVolumes.map((entry) => entry.id)).to.deep.equal(['run6', 'run5']);
      const restored = new TargetCollector(matchingSpec, summaryMode);
      restored.restoreState({ ...state, runMemory: JSON.parse(JSON.stringify(state.runMemory)) as RunMemory });
      source.jobs = weekly();
      source.getCalls.length = 0;
      const after = await restored.collect(identity, source, NOW + 60);
      expect(source.getCalls).to.deep.equal([]);
      expect(after.runs?.volumes?.median.get('records_processed'), 'the one success before the newest that the state holds').to.equal(100);
    });

    it('neither counts the jobs read for it nor exports them per job; in per-job mode it reads only the successes the window did not', async () => {
      const source = new FakeJobSource([job('run7', 600, 'RUNNING'), ...weekly()], 25);
      const collector = new TargetCollector(matchingSpec, { lookbackSeconds: 30 * 86400, maxJobs: 2 });
      const first = await collector.collect(identity, source, NOW);
      expect(source.getCalls, 'the window of 2, then 4 successes').to.deep.equal(['run7', 'run6', 'run5', 'run4', 'run3', 'run2']);
      expect(first.jobs.map((j) => j.id)).to.deep.equal(['run7', 'run6']);
      expect(first.runs?.volumes?.median.get('records_processed')).to.equal(105);
      expect(Object.fromEntries(first.counters?.finishedByStatus ?? [])).to.deep.equal({ SUCCEEDED: 0, FAILED: 0 });
      expect(Object.fromEntries(first.counters?.statisticSums ?? [])).to.deep.equal({ records_processed: 0, records_not_processed: 0 });

      finish(source, 'run7', 'SUCCEEDED', 40);
      const second = await collector.collect(identity, source, NOW + 60);
      expect(second.jobs.map((j) => j.id)).to.deep.equal(['run7', 'run6']);
      expect(Object.fromEntries(second.counters?.finishedByStatus ?? []), 'only the job that finished since').to.deep.equal({ SUCCEEDED: 1, FAILED: 0 });
      expect(second.counters?.statisticSums.get('records_processed')).to.equal(40);
    });
  });

  it('drops a job that vanished between List and Get, keeping the target up', async () => {
    const source = new FakeJobSource([job('c', 100, 'RUNNING'), job('b', 2000, 'SUCCEEDED')], 25);
    const getJob = source.getJob.bind(source);
    source.getJob = (id) => (id === 'c' ? Promise.reject(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' })) : getJob(id));
    const snapshot = await new TargetCollector(matchingSpec, settings).collect(identity, source, NOW);
    expect(snapshot.up).to.equal(true);
    expect(snapshot.jobs.map((j) => j.id)).to.deep.equal(['b']);
  });

  it('keeps the last known series, marked down, when a collection fails', async () => {
    const source = new FakeJobSource([job('b', 2000, 'SUCCEEDED', 10)], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    await collector.collect(identity, source, NOW);
    source.failWith = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    let failure: unknown;
    try {
      await collector.collect(identity, source, NOW + 120);
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(Error);
    const down = collector.failed(identity, { code: 'AccessDeniedException', description: 'AccessDeniedException: denied' });
    expect(down.up).to.equal(false);
    expect(down.lastSuccessTime).to.equal(NOW);
    expect(down.jobs.map((j) => j.id)).to.deep.equal(['b']);
    expect(down.lastError).to.deep.equal({ code: 'AccessDeniedException', description: 'AccessDeniedException: denied' });
  });

  it('passes unknown statuses through and keeps fetching such jobs', async () => {
    const source = new FakeJobSource([job('x', 10, 'PAUSED')], 25);
    const collector = new TargetCollector(matchingSpec, settings);
    const snapshot = await collector.collect(identity, source, NOW);
    expect(snapshot.latestStatus).to.equal('PAUSED');
    await collector.collect(identity, source, NOW + 60);
    expect(source.getCalls).to.deep.equal(['x', 'x']);
  });
});
