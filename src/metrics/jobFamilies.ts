import type { IdentityResolutionJobDetail, IdMappingJobDetail, MatchingJobDetail } from '../aws/types.js';
import { identityResolutionSpec, matchingSpec } from '../collect/kinds.js';
import { AS_OF_COLLECTION, emitStateset, messageLabel, type FamilySpec, type Labels } from './family.js';
import { epochSeconds } from '../model/time.js';
import { METRIC_PREFIX } from '../model/kinds.js';

/** One exported job: its detail, the labels of its target plus `job_id`, and the time the data was read. */
export interface JobInput<D> {
  readonly labels: Labels;
  readonly detail: D;
  /** Epoch seconds of the collection that read the job: a running job's duration is measured to it. */
  readonly dataTime: number;
}

type NumberField<D> = readonly [suffix: string, help: string, value: (job: D) => number | undefined];

/** Numeric job fields become one gauge each; a field AWS left out emits nothing rather than a made-up 0. */
function numericFamilies<D>(prefix: string, labelNames: readonly string[], fields: readonly NumberField<D>[]): FamilySpec<JobInput<D>>[] {
  return fields.map(([suffix, help, value]) => ({
    name: `${prefix}${suffix}`,
    help: `${help} ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames,
    collect: (job, emit) => {
      const v = value(job.detail);
      if (v !== undefined && Number.isFinite(v)) emit(job.labels, v);
    },
  }));
}

/**
 * End − start for a finished job; for one still running, the time it has run so far. Unknown (undefined) when
 * AWS's clock and ours disagree so that it would be negative: an end before the start, a start in the future.
 */
function durationSeconds(start: Date | undefined, end: Date | undefined, dataTime: number): number | undefined {
  const startSeconds = epochSeconds(start);
  if (startSeconds === undefined) return undefined;
  const seconds = (epochSeconds(end) ?? dataTime) - startSeconds;
  return seconds >= 0 ? seconds : undefined;
}

function statusFamily<D>(prefix: string, labelNames: readonly string[], what: string, knownStatuses: readonly string[], status: (job: D) => string | undefined): FamilySpec<JobInput<D>> {
  return {
    name: `${prefix}job_status`,
    help: `Status of the ${what}: 1 for its current status, 0 for the others (a stateset). ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: [...labelNames, 'status'],
    collect: (job, emit) => {
      emitStateset(emit, job.labels, knownStatuses, status(job.detail));
    },
  };
}

function durationFamily<D>(prefix: string, labelNames: readonly string[], what: string, start: (job: D) => Date | undefined, end: (job: D) => Date | undefined): FamilySpec<JobInput<D>> {
  return {
    name: `${prefix}job_duration_seconds`,
    help: `Run time of the ${what} in seconds: end minus start, or the time it has run so far while unfinished. ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames,
    collect: (job, emit) => {
      const seconds = durationSeconds(start(job.detail), end(job.detail), job.dataTime);
      if (seconds !== undefined) emit(job.labels, seconds);
    },
  };
}

function messageFamily<D>(name: string, labelNames: readonly string[], help: string, message: (job: D) => string | undefined): FamilySpec<JobInput<D>> {
  return {
    name,
    help: `${help} (cut to 256 characters); 1 while the job has one. ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: [...labelNames, 'message'],
    collect: (job, emit) => {
      const text = message(job.detail);
      if (text !== undefined && text !== '') emit({ ...job.labels, message: messageLabel(text) }, 1);
    },
  };
}

const IR_PREFIX = METRIC_PREFIX.identity_resolution;
const IR_JOB_LABELS = ['aws_account_id', 'aws_region', 'domain', 'job_id'];
const IR_JOB = 'identity-resolution job';

/** Per-job families of a Customer Profiles identity-resolution job (GetIdentityResolutionJob). */
export const identityResolutionJobFamilies: readonly FamilySpec<JobInput<IdentityResolutionJobDetail>>[] = [
  statusFamily(IR_PREFIX, IR_JOB_LABELS, IR_JOB, identityResolutionSpec.statuses.known, (job) => job.Status),
  ...numericFamilies<IdentityResolutionJobDetail>(IR_PREFIX, IR_JOB_LABELS, [
    ['job_start_timestamp_seconds', 'When the job started or will start (JobStartTime), in seconds since the epoch.', (job) => epochSeconds(job.JobStartTime)],
    ['job_end_timestamp_seconds', 'When the job ended (JobEndTime), in seconds since the epoch.', (job) => epochSeconds(job.JobEndTime)],
    ['job_last_updated_timestamp_seconds', 'When AWS last updated the job (LastUpdatedAt), in seconds since the epoch.', (job) => epochSeconds(job.LastUpdatedAt)],
    ['job_expiration_timestamp_seconds', 'When AWS deletes the job and its results (JobExpirationTime), in seconds since the epoch.', (job) => epochSeconds(job.JobExpirationTime)],
  ]),
  durationFamily(IR_PREFIX, IR_JOB_LABELS, IR_JOB, (job) => job.JobStartTime, (job) => job.JobEndTime),
  ...numericFamilies<IdentityResolutionJobDetail>(IR_PREFIX, IR_JOB_LABELS, [
    ['job_profiles_reviewed', 'Profiles the job reviewed (JobStats.NumberOfProfilesReviewed).', (job) => job.JobStats?.NumberOfProfilesReviewed],
    ['job_matches_found', 'Matches the job found (JobStats.NumberOfMatchesFound).', (job) => job.JobStats?.NumberOfMatchesFound],
    ['job_merges_done', 'Merges the job made (JobStats.NumberOfMergesDone).', (job) => job.JobStats?.NumberOfMergesDone],
    ['job_auto_merging_enabled', 'Whether the job merges matches automatically (AutoMerging.Enabled): 1 or 0.', (job) => (job.AutoMerging?.Enabled === undefined ? undefined : Number(job.AutoMerging.Enabled))],
    ['job_auto_merging_min_confidence_score', 'Lowest confidence score (0 to 1) at which the job auto-merges matches (AutoMerging.MinAllowedConfidenceScoreForMerging).', (job) => job.AutoMerging?.MinAllowedConfidenceScoreForMerging],
  ]),
  {
    name: `${IR_PREFIX}job_info`,
    help: `Always 1; labels carry the job's auto-merging conflict resolution (ConflictResolvingModel, SourceName) and S3 export location (empty when not set). ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: [...IR_JOB_LABELS, 'conflict_resolving_model', 'source_name', 's3_bucket', 's3_key'],
    collect: (job, emit) => {
      const conflict = job.detail.AutoMerging?.ConflictResolution;
      const s3 = job.detail.ExportingLocation?.S3Exporting;
      emit({
        ...job.labels,
        conflict_resolving_model: conflict?.ConflictResolvingModel ?? '',
        source_name: conflict?.SourceName ?? '',
        s3_bucket: s3?.S3BucketName ?? '',
        s3_key: s3?.S3KeyName ?? '',
      }, 1);
    },
  },
  messageFamily(`${IR_PREFIX}job_message_info`, IR_JOB_LABELS, 'The message AWS gives a PARTIAL_SUCCESS or FAILED job (Message) as label', (job) => job.Message),
];

const ER_JOB_LABELS = ['aws_account_id', 'aws_region', 'workflow', 'job_id'];

type EntityResolutionJob = MatchingJobDetail | IdMappingJobDetail;

/** Families Entity Resolution matching and ID-mapping jobs share: the same envelope and four base counters. */
function entityResolutionJobFamilies<D extends EntityResolutionJob>(prefix: string, what: string): FamilySpec<JobInput<D>>[] {
  return [
    statusFamily<D>(prefix, ER_JOB_LABELS, what, matchingSpec.statuses.known, (job) => job.status),
    ...numericFamilies<D>(prefix, ER_JOB_LABELS, [
      ['job_start_timestamp_seconds', 'When the job started (startTime), in seconds since the epoch.', (job) => epochSeconds(job.startTime)],
      ['job_end_timestamp_seconds', 'When the job ended (endTime), in seconds since the epoch.', (job) => epochSeconds(job.endTime)],
    ]),
    durationFamily<D>(prefix, ER_JOB_LABELS, what, (job) => job.startTime, (job) => job.endTime),
    ...numericFamilies<D>(prefix, ER_JOB_LABELS, [
      ['job_input_records', 'Input records of the job (metrics.inputRecords).', (job) => job.metrics?.inputRecords],
      ['job_records_processed', 'Records the job processed (metrics.totalRecordsProcessed).', (job) => job.metrics?.totalRecordsProcessed],
      ['job_records_not_processed', 'Records the job did not process (metrics.recordsNotProcessed).', (job) => job.metrics?.recordsNotProcessed],
      ['job_delete_records_processed', 'Delete records the job processed (metrics.deleteRecordsProcessed).', (job) => job.metrics?.deleteRecordsProcessed],
    ]),
    messageFamily<D>(`${prefix}job_error_info`, ER_JOB_LABELS, 'The error message of a failed job (errorDetails.errorMessage) as label', (job) => job.errorDetails?.errorMessage),
  ];
}

const MATCHING_PREFIX = METRIC_PREFIX.matching;
const ID_MAPPING_PREFIX = METRIC_PREFIX.id_mapping;

/** Per-job families of an Entity Resolution matching job (GetMatchingJob). */
export const matchingJobFamilies: readonly FamilySpec<JobInput<MatchingJobDetail>>[] = [
  ...entityResolutionJobFamilies<MatchingJobDetail>(MATCHING_PREFIX, 'matching job'),
  ...numericFamilies<MatchingJobDetail>(MATCHING_PREFIX, ER_JOB_LABELS, [
    ['job_match_ids', 'Match IDs the job generated (metrics.matchIDs).', (job) => job.metrics?.matchIDs],
  ]),
  {
    name: `${MATCHING_PREFIX}job_info`,
    help: `Always 1; the output_s3_path label is where the job writes its output (outputSourceConfig[0].outputS3Path, empty when not set). ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: [...ER_JOB_LABELS, 'output_s3_path'],
    collect: (job, emit) => {
      emit({ ...job.labels, output_s3_path: job.detail.outputSourceConfig?.[0]?.outputS3Path ?? '' }, 1);
    },
  },
];

/** Per-job families of an Entity Resolution ID-mapping job (GetIdMappingJob). */
export const idMappingJobFamilies: readonly FamilySpec<JobInput<IdMappingJobDetail>>[] = [
  ...entityResolutionJobFamilies<IdMappingJobDetail>(ID_MAPPING_PREFIX, 'ID-mapping job'),
  ...numericFamilies<IdMappingJobDetail>(ID_MAPPING_PREFIX, ER_JOB_LABELS, [
    ['job_mapped_records', 'Records the job mapped (metrics.totalMappedRecords).', (job) => job.metrics?.totalMappedRecords],
    ['job_mapped_source_records', 'Source records the job mapped (metrics.totalMappedSourceRecords).', (job) => job.metrics?.totalMappedSourceRecords],
    ['job_mapped_target_records', 'Target records the job mapped (metrics.totalMappedTargetRecords).', (job) => job.metrics?.totalMappedTargetRecords],
    ['job_unique_records_loaded', 'Unique records the job loaded (metrics.uniqueRecordsLoaded).', (job) => job.metrics?.uniqueRecordsLoaded],
    ['job_new_mapped_records', 'Records newly mapped by this incremental job (metrics.newMappedRecords).', (job) => job.metrics?.newMappedRecords],
    ['job_new_mapped_source_records', 'Source records newly mapped by this job (metrics.newMappedSourceRecords).', (job) => job.metrics?.newMappedSourceRecords],
    ['job_new_mapped_target_records', 'Target records newly mapped by this job (metrics.newMappedTargetRecords).', (job) => job.metrics?.newMappedTargetRecords],
    ['job_new_unique_records_loaded', 'Unique records newly loaded by this job (metrics.newUniqueRecordsLoaded).', (job) => job.metrics?.newUniqueRecordsLoaded],
    ['job_mapped_records_removed', 'Mapped records this job removed (metrics.mappedRecordsRemoved).', (job) => job.metrics?.mappedRecordsRemoved],
    ['job_mapped_source_records_removed', 'Mapped source records this job removed (metrics.mappedSourceRecordsRemoved).', (job) => job.metrics?.mappedSourceRecordsRemoved],
    ['job_mapped_target_records_removed', 'Mapped target records this job removed (metrics.mappedTargetRecordsRemoved).', (job) => job.metrics?.mappedTargetRecordsRemoved],
  ]),
  {
    name: `${ID_MAPPING_PREFIX}job_info`,
    help: `Always 1; labels carry the job type (jobType: BATCH, INCREMENTAL or DELETE_ONLY) and where it writes its output (outputSourceConfig[0].outputS3Path), empty when not set. ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: [...ER_JOB_LABELS, 'job_type', 'output_s3_path'],
    collect: (job, emit) => {
      emit({ ...job.labels, job_type: job.detail.jobType ?? '', output_s3_path: job.detail.outputSourceConfig?.[0]?.outputS3Path ?? '' }, 1);
    },
  },
];
