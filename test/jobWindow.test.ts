import { expect } from 'chai';
import { PaginationError } from '../src/aws/pagination.js';
import { listJobWindow, selectWindow } from '../src/collect/jobWindow.js';
import type { JobPage, JobSource } from '../src/aws/types.js';
import { FakeJobSource } from './support/fakeSource.js';

const NOW = 1_800_000_000;
const at = (secondsAgo: number): Date => new Date((NOW - secondsAgo) * 1000);
const jobs = (startsAgo: number[]) =>
  startsAgo.map((ago, i) => ({ id: `job${i}`, status: 'SUCCEEDED', startTime: at(ago), endTime: undefined, detail: { id: `job${i}` } }));

describe('listJobWindow', () => {
  it('stops paging once the newest jobs fill the window', async () => {
    const source = new FakeJobSource(jobs([10, 20, 30, 40, 50, 60, 70, 80, 90]), 3);
    const listed = await listJobWindow(source, { cutoff: NOW - 1000, size: 4 }, true);
    expect(source.listCalls).to.equal(2);
    expect(listed.newestFirst).to.equal(true);
    expect(selectWindow(listed.jobs, { cutoff: NOW - 1000, size: 4 }).map((j) => j.id)).to.deep.equal(['job0', 'job1', 'job2', 'job3']);
  });

  it('stops paging at the first job older than the lookback', async () => {
    const source = new FakeJobSource(jobs([10, 20, 5000, 6000, 7000, 8000, 9000]), 3);
    const listed = await listJobWindow(source, { cutoff: NOW - 1000, size: 10 }, true);
    expect(source.listCalls).to.equal(1);
    expect(selectWindow(listed.jobs, { cutoff: NOW - 1000, size: 10 }).map((j) => j.id)).to.deep.equal(['job0', 'job1']);
  });

  it('reads every page when the list is not newest-first', async () => {
    const source = new FakeJobSource(jobs([90, 80, 70, 60, 50, 40, 30, 20, 10]), 3);
    const listed = await listJobWindow(source, { cutoff: NOW - 1000, size: 2 }, true);
    expect(source.listCalls).to.equal(3);
    expect(listed.newestFirst).to.equal(false);
    expect(selectWindow(listed.jobs, { cutoff: NOW - 1000, size: 2 }).map((j) => j.id)).to.deep.equal(['job8', 'job7']);
  });

  it('reads every page when an earlier read found the order unreliable', async () => {
    const source = new FakeJobSource(jobs([10, 20, 30, 40, 50, 60]), 3);
    await listJobWindow(source, { cutoff: NOW - 1000, size: 1 }, false);
    expect(source.listCalls).to.equal(2);
  });

  it('fails on a nextToken that repeats instead of looping forever', async () => {
    let calls = 0;
    const looping: JobSource<unknown> = {
      listJobs: (): Promise<JobPage> => {
        calls++;
        return Promise.resolve({ jobs: [], nextToken: 'same' });
      },
      getJob: () => Promise.reject(new Error('unused')),
    };
    let caught: unknown;
    try {
      await listJobWindow(looping, { cutoff: 0, size: 10 }, true);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(PaginationError);
    expect(calls).to.equal(2);
  });

  it('counts a job listed on two pages once and puts not-yet-started jobs first', () => {
    const summaries = [
      { id: 'a', status: 'RUNNING', startTime: at(10), endTime: undefined },
      { id: 'b', status: 'PENDING', startTime: undefined, endTime: undefined },
      { id: 'a', status: 'RUNNING', startTime: at(10), endTime: undefined },
    ];
    expect(selectWindow(summaries, { cutoff: NOW - 100, size: 5 }).map((j) => j.id)).to.deep.equal(['b', 'a']);
  });
});
