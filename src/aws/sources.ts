import {
  GetIdentityResolutionJobCommand,
  ListIdentityResolutionJobsCommand,
  type CustomerProfilesClient,
} from '@aws-sdk/client-customer-profiles';
import {
  GetIdMappingJobCommand,
  GetMatchingJobCommand,
  ListIdMappingJobsCommand,
  ListMatchingJobsCommand,
  type EntityResolutionClient,
  type JobSummary as EntityResolutionJobSummary,
} from '@aws-sdk/client-entityresolution';
import type { IdentityResolutionJobDetail, IdMappingJobDetail, JobSource, JobSummary, MatchingJobDetail } from './types.js';

/**
 * Runs one AWS call under the exporter's pacing (rate per account, region and operation) and concurrency cap.
 * `operation` is the AWS operation name, the key of the rate limit; `signal` cancels the call while it waits.
 */
export type CallGate = <T>(operation: string, call: () => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** The SDK's per-call options: an abort signal cancels the HTTP request in flight. */
export function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

/** Customer Profiles allows up to 100 jobs a page (`max-results`). */
export const CUSTOMER_PROFILES_PAGE_SIZE = 100;
/** Entity Resolution allows up to 25 jobs a page (`maxResults`). */
export const ENTITY_RESOLUTION_PAGE_SIZE = 25;

/**
 * The identity-resolution jobs of one Customer Profiles domain. The client is looked up per call, so a
 * reloaded configuration (another endpoint, another timeout) takes effect without losing the target's state.
 */
export function identityResolutionJobs(client: () => CustomerProfilesClient, domainName: string, gate: CallGate): JobSource<IdentityResolutionJobDetail> {
  return {
    async listJobs(nextToken, signal) {
      const page = await gate('ListIdentityResolutionJobs', () =>
        client().send(new ListIdentityResolutionJobsCommand({ DomainName: domainName, MaxResults: CUSTOMER_PROFILES_PAGE_SIZE, NextToken: nextToken }), sendOptions(signal)), signal);
      const jobs: JobSummary<IdentityResolutionJobDetail>[] = [];
      for (const job of page.IdentityResolutionJobsList ?? []) {
        if (job.JobId === undefined) continue;
        jobs.push({ id: job.JobId, status: job.Status, startTime: job.JobStartTime, endTime: job.JobEndTime, item: job });
      }
      return { jobs, nextToken: page.NextToken };
    },
    async getJob(jobId, signal) {
      const { $metadata, ...detail } = await gate('GetIdentityResolutionJob', () =>
        client().send(new GetIdentityResolutionJobCommand({ DomainName: domainName, JobId: jobId }), sendOptions(signal)), signal);
      return detail;
    },
  };
}

/** The matching jobs of one Entity Resolution matching workflow. */
export function matchingJobs(client: () => EntityResolutionClient, workflowName: string, gate: CallGate): JobSource<MatchingJobDetail> {
  return {
    async listJobs(nextToken, signal) {
      const page = await gate('ListMatchingJobs', () =>
        client().send(new ListMatchingJobsCommand({ workflowName, maxResults: ENTITY_RESOLUTION_PAGE_SIZE, nextToken }), sendOptions(signal)), signal);
      return { jobs: entityResolutionSummaries(page.jobs), nextToken: page.nextToken };
    },
    async getJob(jobId, signal) {
      const { $metadata, ...detail } = await gate('GetMatchingJob', () => client().send(new GetMatchingJobCommand({ workflowName, jobId }), sendOptions(signal)), signal);
      return detail;
    },
  };
}

/** The jobs of one Entity Resolution ID-mapping workflow; `workflowName` may be the workflow's ARN. */
export function idMappingJobs(client: () => EntityResolutionClient, workflowName: string, gate: CallGate): JobSource<IdMappingJobDetail> {
  return {
    async listJobs(nextToken, signal) {
      const page = await gate('ListIdMappingJobs', () =>
        client().send(new ListIdMappingJobsCommand({ workflowName, maxResults: ENTITY_RESOLUTION_PAGE_SIZE, nextToken }), sendOptions(signal)), signal);
      return { jobs: entityResolutionSummaries(page.jobs), nextToken: page.nextToken };
    },
    async getJob(jobId, signal) {
      const { $metadata, ...detail } = await gate('GetIdMappingJob', () => client().send(new GetIdMappingJobCommand({ workflowName, jobId }), sendOptions(signal)), signal);
      return detail;
    },
  };
}

function entityResolutionSummaries(jobs: readonly EntityResolutionJobSummary[] | undefined): JobSummary<MatchingJobDetail & IdMappingJobDetail>[] {
  const summaries: JobSummary<MatchingJobDetail & IdMappingJobDetail>[] = [];
  for (const job of jobs ?? []) {
    if (job.jobId === undefined) continue;
    summaries.push({ id: job.jobId, status: job.status, startTime: job.startTime, endTime: job.endTime, item: job });
  }
  return summaries;
}
