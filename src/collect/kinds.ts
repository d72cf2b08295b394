import type { JobDetailByKind } from '../aws/types.js';
import { JOB_STATUSES, type JobStatuses, type TargetKind } from '../model/kinds.js';

/** The rate of a run's output to its input, every kind's: what the match-rate alert compares. */
export const MATCH_RATE = 'match_rate';
/** The share of a run's input records it did not process (Entity Resolution). */
export const RECORDS_NOT_PROCESSED_RATIO = 'records_not_processed_ratio';

/** `part / whole`, or undefined when either is unknown or the whole is 0. */
function share(part: number | undefined, whole: number | undefined): number | undefined {
  return part === undefined || whole === undefined || whole <= 0 ? undefined : part / whole;
}

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
  /**
   * Rates of a run (its match rate, the share of its input not processed), kept and compared with their recent
   * median like the volumes, but each against its own band: a shift in what a run makes of its input shows
   * even when the counts stay within theirs. Undefined where the count they divide by is 0 or unknown.
   */
  readonly rates: Readonly<Record<string, (job: Partial<JobDetailByKind[K]>) => number | undefined>>;
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
  rates: {
    [MATCH_RATE]: (job) => share(job.JobStats?.NumberOfMergesDone, job.JobStats?.NumberOfProfilesReviewed),
  },
  emptyRunVolumes: ['profiles_reviewed'],
  mergeVolume: 'merges_done',
  message: (job) => job.Message,
};

function entityResolutionSpec<K extends 'matching' | 'id_mapping'>(kind: K, outputVolume: Pick<KindSpec<K>['volumes'], string>): KindSpec<K> {
  const [output] = Object.values(outputVolume);
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
    rates: {
      [MATCH_RATE]: (job) => share(output?.(job), job.metrics?.inputRecords),
      [RECORDS_NOT_PROCESSED_RATIO]: (job) => share(job.metrics?.recordsNotProcessed, job.metrics?.inputRecords),
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
