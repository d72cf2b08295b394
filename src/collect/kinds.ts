import type { TargetKind } from '../config/types.js';
import type { IdentityResolutionJobDetail, IdMappingJobDetail, MatchingJobDetail } from '../aws/types.js';

/** The job detail type each kind of target collects. */
export interface JobDetailByKind {
  identity_resolution: IdentityResolutionJobDetail;
  matching: MatchingJobDetail;
  id_mapping: IdMappingJobDetail;
}

/** What the collector must know about one kind of job: its statuses and which statistics add up in counters. */
export interface KindSpec<K extends TargetKind> {
  readonly kind: K;
  /** Every status the SDK model knows, in lifecycle order: the stateset members. */
  readonly knownStatuses: readonly string[];
  /** A job in one of these never changes again, so it is never fetched again. */
  readonly terminalStatuses: ReadonlySet<string>;
  readonly successStatuses: ReadonlySet<string>;
  readonly failureStatuses: ReadonlySet<string>;
  readonly status: (job: JobDetailByKind[K]) => string | undefined;
  readonly startTime: (job: JobDetailByKind[K]) => Date | undefined;
  readonly endTime: (job: JobDetailByKind[K]) => Date | undefined;
  /** Statistics summed into `<name>_total` counters when a job is first seen finished. */
  readonly counterStatistics: Readonly<Record<string, (job: JobDetailByKind[K]) => number | undefined>>;
}

const IDENTITY_RESOLUTION_TERMINAL = ['COMPLETED', 'PARTIAL_SUCCESS', 'FAILED'];
const ENTITY_RESOLUTION_TERMINAL = ['SUCCEEDED', 'FAILED'];
const ENTITY_RESOLUTION_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'];

export const identityResolutionSpec: KindSpec<'identity_resolution'> = {
  kind: 'identity_resolution',
  knownStatuses: ['PENDING', 'PREPROCESSING', 'FIND_MATCHING', 'MERGING', ...IDENTITY_RESOLUTION_TERMINAL],
  terminalStatuses: new Set(IDENTITY_RESOLUTION_TERMINAL),
  successStatuses: new Set(['COMPLETED']),
  failureStatuses: new Set(['FAILED', 'PARTIAL_SUCCESS']),
  status: (job) => job.Status,
  startTime: (job) => job.JobStartTime,
  endTime: (job) => job.JobEndTime,
  counterStatistics: {
    profiles_reviewed: (job) => job.JobStats?.NumberOfProfilesReviewed,
    matches_found: (job) => job.JobStats?.NumberOfMatchesFound,
    merges_done: (job) => job.JobStats?.NumberOfMergesDone,
  },
};

function entityResolutionSpec<K extends 'matching' | 'id_mapping'>(kind: K): KindSpec<K> {
  return {
    kind,
    knownStatuses: ENTITY_RESOLUTION_STATUSES,
    terminalStatuses: new Set(ENTITY_RESOLUTION_TERMINAL),
    successStatuses: new Set(['SUCCEEDED']),
    failureStatuses: new Set(['FAILED']),
    status: (job) => job.status,
    startTime: (job) => job.startTime,
    endTime: (job) => job.endTime,
    counterStatistics: {
      records_processed: (job) => job.metrics?.totalRecordsProcessed,
      records_not_processed: (job) => job.metrics?.recordsNotProcessed,
    },
  };
}

export const matchingSpec = entityResolutionSpec('matching');
export const idMappingSpec = entityResolutionSpec('id_mapping');

export const KIND_SPECS: { readonly [K in TargetKind]: KindSpec<K> } = {
  identity_resolution: identityResolutionSpec,
  matching: matchingSpec,
  id_mapping: idMappingSpec,
};
