import type { JobPage, JobSource, JobSummary } from '../../src/aws/types.js';

/** A JobSource over an in-memory list, paged like AWS, counting the calls a collector makes. */
export class FakeJobSource<D> implements JobSource<D> {
  listCalls = 0;
  readonly getCalls: string[] = [];
  failWith: Error | undefined;

  constructor(
    public jobs: (JobSummary & { detail: D })[],
    readonly pageSize = 3,
  ) {}

  listJobs(nextToken: string | undefined): Promise<JobPage> {
    this.listCalls++;
    if (this.failWith) return Promise.reject(this.failWith);
    const offset = nextToken === undefined ? 0 : Number(nextToken);
    const page = this.jobs.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < this.jobs.length ? String(offset + this.pageSize) : undefined;
    return Promise.resolve({ jobs: page.map(({ id, status, startTime, endTime }) => ({ id, status, startTime, endTime })), nextToken: next });
  }

  getJob(jobId: string): Promise<D> {
    this.getCalls.push(jobId);
    const job = this.jobs.find((candidate) => candidate.id === jobId);
    if (!job) return Promise.reject(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    return Promise.resolve(job.detail);
  }
}
