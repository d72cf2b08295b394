import type { IdentityResolutionJobDetail, IdMappingJobDetail, MatchingJobDetail } from '../../src/aws/types.js';
import type { AnyTargetSnapshot, CollectionSnapshot, LatestJob, TargetSnapshot } from '../../src/collect/snapshot.js';
import type { TargetKind } from '../../src/model/kinds.js';

/**
 * The inputs of the per-family golden cases: a collection snapshot each, small and written out by hand. A case
 * is test/golden/families/INPUT/FAMILY.prom, the exposition of FAMILY when INPUT is rendered. The newest job of
 * a `-waiting` or `-running` input waits or runs, which the plain target input (newest job finished) cannot show.
 */

/** Sunday 15 June 2025, 15:06:40 UTC: every input was collected then. */
const T = 1_750_000_000;
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const date = (seconds: number): Date => new Date(seconds * 1000);

function snapshot(...targets: AnyTargetSnapshot[]): CollectionSnapshot {
  return { targets, finishedAt: T, durationSeconds: 2.5 };
}

function target<K extends TargetKind>(kind: K, name: string, fields: Partial<TargetSnapshot<K>>): TargetSnapshot<K> {
  return {
    identity: { kind, target: name, accountId: ACCOUNT, region: REGION },
    up: true,
    dataTime: T,
    lastSuccessTime: T,
    lastError: undefined,
    jobs: [],
    latestStatus: undefined,
    lastSuccessEnd: undefined,
    lastFailureEnd: undefined,
    counters: undefined,
    ...fields,
  };
}

const IDENTITY_RESOLUTION_JOB: IdentityResolutionJobDetail = {
  DomainName: 'retail-us',
  JobId: 'a'.repeat(32),
  Status: 'PARTIAL_SUCCESS',
  // Quotes, a backslash and a newline: the label value shows how each is escaped.
  Message: 'Merged 38 of 40 "matches"; see s3://exports\\ir\nfor the rest',
  JobStartTime: date(T - 7200),
  JobEndTime: date(T - 3599.5),
  LastUpdatedAt: date(T - 3599),
  JobExpirationTime: date(T + 30 * 86_400),
  AutoMerging: { Enabled: true, ConflictResolution: { ConflictResolvingModel: 'SOURCE', SourceName: 'crm' }, MinAllowedConfidenceScoreForMerging: 0.8 },
  ExportingLocation: { S3Exporting: { S3BucketName: 'exports', S3KeyName: 'ir/' } },
  JobStats: { NumberOfProfilesReviewed: 1200, NumberOfMatchesFound: 40, NumberOfMergesDone: 38 },
};

const MATCHING_JOB: MatchingJobDetail = {
  jobId: 'b'.repeat(32),
  status: 'FAILED',
  startTime: date(T - 600),
  endTime: date(T - 540),
  metrics: { inputRecords: 100, totalRecordsProcessed: 90, recordsNotProcessed: 10, deleteRecordsProcessed: 2, matchIDs: 30 },
  errorDetails: { errorMessage: 'Access denied to s3://input/matching/' },
  outputSourceConfig: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/er`, outputS3Path: 's3://output/matching/' }],
};

const ID_MAPPING_JOB: IdMappingJobDetail = {
  jobId: 'c'.repeat(32),
  status: 'SUCCEEDED',
  jobType: 'INCREMENTAL',
  startTime: date(T - 900),
  endTime: date(T - 780),
  metrics: {
    inputRecords: 1000, totalRecordsProcessed: 990, recordsNotProcessed: 10, deleteRecordsProcessed: 5,
    totalMappedRecords: 800, totalMappedSourceRecords: 500, totalMappedTargetRecords: 300, uniqueRecordsLoaded: 950,
    newMappedRecords: 40, newMappedSourceRecords: 25, newMappedTargetRecords: 15, newUniqueRecordsLoaded: 45,
    mappedRecordsRemoved: 3, mappedSourceRecordsRemoved: 2, mappedTargetRecordsRemoved: 1,
  },
  outputSourceConfig: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/er`, outputS3Path: 's3://output/id-mapping/' }],
};

const FAILED_ID_MAPPING_JOB: IdMappingJobDetail = { jobId: '9'.repeat(32), status: 'FAILED', jobType: 'BATCH', startTime: date(T - 900), endTime: date(T - 840), errorDetails: { errorMessage: 'Schema mismatch in source crm' } };

/** What the three kinds' targets share: a history to count, thresholds to meet and facts last refreshed an hour ago. */
const HISTORY = {
  lastSuccessEnd: T - 3600,
  lastFailureEnd: T - 8 * 86_400,
  refreshOk: true,
  // One of each source, so the cases show every value the source label takes.
  expectations: {
    interval: { value: 604_800, source: 'schedule' }, maxDuration: { value: 10_800, source: 'history' }, maxQueued: { value: 7200, source: 'default' },
    volumeMinRatio: { value: 0.25, source: 'config' }, volumeMaxRatio: { value: 1.5, source: 'default' },
    failedJobsToPage: { value: 1, source: 'schedule' }, maxRecordsNotProcessedRatio: { value: 0.07, source: 'history' },
    matchRateMinRatio: { value: 0.8, source: 'default' }, matchRateMaxRatio: { value: 1.5, source: 'config' },
    ruleBasedMatchingMaxInactive: { value: 86400, source: 'default' },
  },
} as const;

/** The newest job of a target, finished an hour ago after running two hours. */
const FINISHED: LatestJob = { start: T - 3 * 3600, end: T - 3600, queuedSeconds: undefined, runningSeconds: undefined };

function runs(latestStatus: string, latestFinished: { id: string; status: string; message?: string }, volumes: Record<string, readonly [last: number, median: number]>): TargetSnapshot['runs'] {
  return {
    latestStatus,
    latest: FINISHED,
    latestFinished: { message: undefined, ...latestFinished },
    consecutiveFailures: latestFinished.status === 'FAILED' ? 2 : 0,
    earliestStart: T - 60 * 86_400,
    history: { starts: [], successDurations: [] },
    volumes: {
      last: new Map(Object.entries(volumes).map(([name, [last]]) => [name, last])),
      median: new Map(Object.entries(volumes).map(([name, [, median]]) => [name, median])),
    },
  };
}

const DOMAIN = target('identity_resolution', 'retail-us', {
  ...HISTORY,
  latestStatus: 'COMPLETED',
  counters: {
    finishedByStatus: new Map([['COMPLETED', 7], ['PARTIAL_SUCCESS', 1], ['FAILED', 0]]),
    statisticSums: new Map([['profiles_reviewed', 8400], ['matches_found', 310], ['merges_done', 290]]),
  },
  runs: runs('COMPLETED', { id: 'd'.repeat(32), status: 'COMPLETED' }, { profiles_reviewed: [1250, 1200], matches_found: [42, 40], merges_done: [0, 38], match_rate: [0, 0.03] }),
  facts: {
    readAt: T - 3600,
    domain: {
      DomainName: 'retail-us',
      CreatedAt: date(T - 400 * 86_400),
      LastUpdatedAt: date(T - 30 * 86_400),
      DefaultExpirationDays: 366,
      Matching: {
        Enabled: true,
        JobSchedule: { DayOfTheWeek: 'WEDNESDAY', Time: '02:30' },
        AutoMerging: { Enabled: true, ConflictResolution: { ConflictResolvingModel: 'RECENCY' } },
      },
      RuleBasedMatching: { Enabled: true, Status: 'IN_PROGRESS' },
      Stats: { ProfileCount: 125_000, MeteringProfileCount: 120_000, ObjectCount: 480_000, TotalSize: 987_654_321 },
      DataStore: { Enabled: true, Readiness: { ProgressPercentage: 40, Message: 'Ingesting existing profiles' } },
      // Only the allow-listed keys (tagKeys) become labels: `internal` stays out.
      Tags: { team: 'data-platform', 'cost-center': 'cc-42', internal: 'do-not-export' },
    },
    ruleBasedMatching: { status: 'IN_PROGRESS', since: T - 2 * 86_400, inactiveSince: T - 3 * 86_400 },
  },
  tagKeys: ['team', 'cost-center'],
});

const MATCHING_WORKFLOW = target('matching', 'dedupe', {
  ...HISTORY,
  latestStatus: 'FAILED',
  lastFailureEnd: T - 3600,
  lastSuccessEnd: T - 2 * 86_400,
  counters: {
    finishedByStatus: new Map([['SUCCEEDED', 12], ['FAILED', 2]]),
    statisticSums: new Map([['records_processed', 12_000], ['records_not_processed', 40]]),
  },
  runs: runs('FAILED', { id: 'e'.repeat(32), status: 'FAILED', message: 'Access denied to s3://input/matching/' }, { input_records: [1000, 990], records_processed: [1000, 985], match_ids: [310, 300], match_rate: [0.31, 0.3], records_not_processed_ratio: [0, 0.005] }),
  facts: { readAt: T - 3600, workflow: { kind: 'matching', name: 'dedupe', resolutionType: 'RULE_MATCHING', incrementalRunType: 'IMMEDIATE', outputKinds: ['customer_profiles', 's3'], updatedAt: date(T - 10 * 86_400), tags: { team: 'data-platform' } } },
  tagKeys: ['team'],
});

const ID_MAPPING_WORKFLOW = target('id_mapping', 'crm-to-ads', {
  ...HISTORY,
  latestStatus: 'SUCCEEDED',
  counters: {
    finishedByStatus: new Map([['SUCCEEDED', 30], ['FAILED', 1]]),
    statisticSums: new Map([['records_processed', 29_700], ['records_not_processed', 300]]),
  },
  runs: runs('SUCCEEDED', { id: 'f'.repeat(32), status: 'SUCCEEDED' }, { input_records: [1000, 1000], records_processed: [990, 995], mapped_records: [800, 790], match_rate: [0.8, 0.79], records_not_processed_ratio: [0.01, 0.005] }),
  facts: { readAt: T - 3600, workflow: { kind: 'id_mapping', name: 'crm-to-ads', resolutionType: 'PROVIDER', incrementalRunType: 'ON_DEMAND', outputKinds: ['s3'], updatedAt: date(T - 20 * 86_400), tags: { team: 'marketing-analytics' } } },
  tagKeys: ['team'],
});

/** A target's newest job still waiting (started 5 minutes ago or due then) or running for 30 minutes. */
function newest(target: AnyTargetSnapshot, status: string, latest: Partial<LatestJob>): AnyTargetSnapshot {
  const summary = target.runs;
  if (!summary) throw new Error(`${target.identity.target} has no run summary to change`);
  return { ...target, latestStatus: status, runs: { ...summary, latestStatus: status, latest: { ...FINISHED, end: undefined, ...latest } } };
}

const TARGETS: Readonly<Record<string, { target: AnyTargetSnapshot; waiting: string; running: string }>> = {
  'identity-resolution-domain': { target: DOMAIN, waiting: 'PENDING', running: 'MERGING' },
  'matching-workflow': { target: MATCHING_WORKFLOW, waiting: 'QUEUED', running: 'RUNNING' },
  'id-mapping-workflow': { target: ID_MAPPING_WORKFLOW, waiting: 'QUEUED', running: 'RUNNING' },
};

/** Every input by name, the directory its golden cases are in. */
export const INPUTS: ReadonlyMap<string, CollectionSnapshot> = new Map([
  ['identity-resolution-job', snapshot(target('identity_resolution', 'retail-us', { jobs: [{ id: 'a'.repeat(32), detail: IDENTITY_RESOLUTION_JOB }] }))],
  ['matching-job', snapshot(target('matching', 'dedupe', { jobs: [{ id: 'b'.repeat(32), detail: MATCHING_JOB }] }))],
  ['id-mapping-job', snapshot(target('id_mapping', 'crm-to-ads', { jobs: [{ id: 'c'.repeat(32), detail: ID_MAPPING_JOB }] }))],
  ['id-mapping-job-failed', snapshot(target('id_mapping', 'crm-to-ads', { jobs: [{ id: '9'.repeat(32), detail: FAILED_ID_MAPPING_JOB }] }))],
  ...Object.entries(TARGETS).flatMap(([name, { target: summary, waiting, running }]) => [
    [name, snapshot(summary)],
    [`${name}-waiting`, snapshot(newest(summary, waiting, { start: T - 300, queuedSeconds: 300 }))],
    [`${name}-running`, snapshot(newest(summary, running, { start: T - 1800, runningSeconds: 1800 }))],
  ] as const),
  // A domain whose last collection failed ten minutes after its last success, as did its last refresh.
  ['target-down', snapshot(target('identity_resolution', 'eu-loyalty', { up: false, lastSuccessTime: T - 600, lastError: { code: 'AccessDeniedException', description: 'AccessDeniedException: User is not authorized to perform profile:ListIdentityResolutionJobs' }, refreshOk: false, refreshError: { code: 'AccessDeniedException', description: 'AccessDeniedException: User is not authorized to perform profile:GetDomain' } }))],
]);
