import type { GetIdentityResolutionJobCommandOutput } from '@aws-sdk/client-customer-profiles';
import type { GetIdMappingJobCommandOutput, GetMatchingJobCommandOutput } from '@aws-sdk/client-entityresolution';

/** What every List*Jobs summary tells, whichever API it came from. */
export interface JobSummary<Detail = unknown> {
  readonly id: string;
  /** As AWS sent it: statuses the SDK model does not know yet pass through unchanged. */
  readonly status: string | undefined;
  readonly startTime: Date | undefined;
  readonly endTime: Date | undefined;
  /**
   * The list item itself: its members are a subset of the Get answer's, under the same names (Customer
   * Profiles lists JobStats and Message too), so what it tells is read as from a partial detail.
   */
  readonly item?: Partial<Detail>;
}

export interface JobPage<Detail = unknown> {
  readonly jobs: readonly JobSummary<Detail>[];
  readonly nextToken: string | undefined;
}

/** The narrow port a target collector needs from one AWS API: one page of the job list, one job's detail. */
export interface JobSource<Detail> {
  /** `signal` cancels the call, queued or in flight (the collection's deadline). */
  listJobs(nextToken: string | undefined, signal?: AbortSignal): Promise<JobPage<Detail>>;
  getJob(jobId: string, signal?: AbortSignal): Promise<Detail>;
}

type WithoutMetadata<T> = Omit<T, '$metadata'>;

/** GetIdentityResolutionJob's answer, every member as the SDK parsed it. */
export type IdentityResolutionJobDetail = WithoutMetadata<GetIdentityResolutionJobCommandOutput>;
/** GetMatchingJob's answer. */
export type MatchingJobDetail = WithoutMetadata<GetMatchingJobCommandOutput>;
/** GetIdMappingJob's answer. */
export type IdMappingJobDetail = WithoutMetadata<GetIdMappingJobCommandOutput>;

/** The job detail type each kind of target collects. */
export interface JobDetailByKind {
  identity_resolution: IdentityResolutionJobDetail;
  matching: MatchingJobDetail;
  id_mapping: IdMappingJobDetail;
}

/** Which AWS service a call went to; the `aws_service` label. */
export type AwsService = 'customer_profiles' | 'entity_resolution' | 'sts';
