import type { JobDetailByKind } from '../aws/types.js';
import { JOB_STATUSES, type JobStatuses, type TargetKind } from '../model/kinds.js';

/** What the collector must know about one kind of job: its statuses and which statistics add up in counters. */
export interface KindSpec<K extends TargetKind> {
  readonly kind: K;
  /** Its statuses, and what each means (the model's). */
  readonly statuses: JobStatuses;
  readonly status: (job: JobDetailByKind[K]) => string | undefined;
  readonly startTime: (job: JobDetailByKind[K]) => Date | undefined;
  readonly endTime: (job: JobDetailByKind[K]) => Date | undefined;
  /** Statistics summed into `<name>_total` counters when a job is first seen finished. */
  readonly counterStatistics: Readonly<Record<string, (job: JobDetailByKind[K]) => number | undefined>>;
  /**
   * The key counts of a run (records in and processed, matches, merges), compared with the recent median of
   * its successful runs. They read a partial detail, since a Customer Profiles list item carries JobStats.
   */
  readonly volumes: Readonly<Record<string, (job: Partial<JobDetailByKind[K]>) => number | undefined>>;
  /** Volumes that are 0 when a successful run read or produced nothing. */
  readonly emptyRunVolumes: readonly string[];
  /** The volume whose rise above its range means over-merging, the costly failure of identity resolution. */
  readonly mergeVolume: string | undefined;
  /** What AWS says about a finished job: its message or error. */
  readonly message: (job: Partial<JobDetailByKind[K]>) => string | undefined;
}

export const identityResolutionSpec: KindSpec<'identity_resolution'> = {
  kind: 'identity_resolution',
  statuses: JOB_STATUSES.identity_resolution,
  status: (job) => job.Status,
  startTime: (job) => job.JobStartTime,
  endTime: (job) => job.JobEndTime,
  counterStatistics: {
    profiles_reviewed: (job) => job.JobStats?.NumberOfProfilesReviewed,
    matches_found: (job) => job.JobStats?.NumberOfMatchesFound,
    merges_done: (job) => job.JobStats?.NumberOfMergesDone,
  },
  volumes: {
    profiles_reviewed: (job) => job.JobStats?.NumberOfProfilesReviewed,
    matches_found: (job) => job.JobStats?.NumberOfMatchesFound,
    merges_done: (job) => job.JobStats?.NumberOfMergesDone,
  },
  emptyRunVolumes: ['profiles_reviewed'],
  mergeVolume: 'merges_done',
  message: (job) => job.Message,
};

function entityResolutionSpec<K extends 'matching' | 'id_mapping'>(kind: K, outputVolume: Pick<KindSpec<K>['volumes'], string>): KindSpec<K> {
  return {
    kind,
    statuses: JOB_STATUSES[kind],
    status: (job) => job.status,
    startTime: (job) => job.startTime,
    endTime: (job) => job.endTime,
    counterStatistics: {
      records_processed: (job) => job.metrics?.totalRecordsProcessed,
      records_not_processed: (job) => job.metrics?.recordsNotProcessed,
    },
    volumes: {
      input_records: (job) => job.metrics?.inputRecords,
      records_processed: (job) => job.metrics?.totalRecordsProcessed,
      ...outputVolume,
    },
    emptyRunVolumes: ['input_records', 'records_processed'],
    mergeVolume: undefined,
    message: (job) => job.errorDetails?.errorMessage,
  };
}

export const matchingSpec = entityResolutionSpec('matching', { match_ids: (job) => job.metrics?.matchIDs });
export const idMappingSpec = entityResolutionSpec('id_mapping', { mapped_records: (job) => job.metrics?.totalMappedRecords });

export const KIND_SPECS: { readonly [K in TargetKind]: KindSpec<K> } = {
  identity_resolution: identityResolutionSpec,
  matching: matchingSpec,
  id_mapping: idMappingSpec,
};
