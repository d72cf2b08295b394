import { createHash } from 'node:crypto';
import type { IdentityResolutionJobDetail, IdMappingJobDetail, MatchingJobDetail } from '../src/aws/types.js';
import type { AnyTargetSnapshot, CollectionSnapshot, Expectations, TargetSnapshot } from '../src/collect/snapshot.js';
import type { TargetKind } from '../src/model/kinds.js';
import { specNames } from '../src/simulator/index.js';
import { scenarioNamed } from './scenarios.js';

/**
 * A collection snapshot shaped like the wide scenario's steady collection, built in memory: its targets (regions ×
 * domains and workflows), `max_jobs_per_target` jobs each with every field the simulator fills, and the target's
 * counters, run summary, expectations and facts. What rendering costs depends on the series and their labels,
 * which this has, not on how the snapshot was collected.
 */

const T = 1_750_000_000;
const ACCOUNT = '123456789012';
const HOUR = 3600;
const DAY = 86_400;
const date = (seconds: number): Date => new Date(seconds * 1000);

/** The scenario the fleet is shaped like. */
export const WIDE = scenarioNamed('wide');

/** A 32-hex-digit job id, as the simulator makes them: stable per target and job. */
function jobId(target: string, index: number): string {
  return createHash('sha256').update(target).digest('hex').slice(0, 24) + index.toString(16).padStart(8, '0');
}

/** The newest job of every seventh target still runs. */
const isRunning = (targetIndex: number, jobIndex: number): boolean => jobIndex === 0 && targetIndex % 7 === 0;

/** Every fifth finished job failed. */
function jobStatus(kind: TargetKind, targetIndex: number, jobIndex: number): string {
  const failed = jobIndex % 5 === 4;
  if (kind === 'identity_resolution') return isRunning(targetIndex, jobIndex) ? 'FIND_MATCHING' : failed ? 'FAILED' : 'COMPLETED';
  return isRunning(targetIndex, jobIndex) ? 'RUNNING' : failed ? 'FAILED' : 'SUCCEEDED';
}

/** AWS times jobs to the millisecond: a job ends this long after its whole hours. */
const END_MILLISECONDS = 0.125;

function identityResolutionJob(domain: string, id: string, status: string, start: number, size: number): IdentityResolutionJobDetail {
  const finished = status !== 'FIND_MATCHING';
  const end = start + 2 * HOUR + END_MILLISECONDS;
  return {
    DomainName: domain,
    JobId: id,
    Status: status as IdentityResolutionJobDetail['Status'],
    JobStartTime: date(start),
    LastUpdatedAt: date(finished ? end : T),
    ...(finished ? { JobEndTime: date(end), JobExpirationTime: date(end + 30 * DAY) } : {}),
    ...(status === 'FAILED' ? { Message: 'Identity resolution failed: the job could not read the profile objects of the domain' } : {}),
    AutoMerging: { Enabled: true, ConflictResolution: { ConflictResolvingModel: 'SOURCE', SourceName: 'crm' }, MinAllowedConfidenceScoreForMerging: 0.8 },
    ExportingLocation: { S3Exporting: { S3BucketName: 'identity-resolution-exports', S3KeyName: `${domain}/` } },
    JobStats: { NumberOfProfilesReviewed: size, NumberOfMatchesFound: Math.round(size * 0.04), NumberOfMergesDone: Math.round(size * 0.036) },
  };
}

/** What matching and ID-mapping jobs share: the envelope and the base counts. */
function entityResolutionJob(workflow: string, id: string, status: string, start: number, size: number): MatchingJobDetail {
  const finished = status !== 'RUNNING';
  return {
    jobId: id,
    status: status as MatchingJobDetail['status'],
    startTime: date(start),
    ...(finished ? { endTime: date(start + HOUR + END_MILLISECONDS) } : {}),
    metrics: { inputRecords: size, totalRecordsProcessed: size - 10, recordsNotProcessed: 10, deleteRecordsProcessed: 2 },
    ...(status === 'FAILED' ? { errorDetails: { errorMessage: `Access denied to s3://input/${workflow}/: check the workflow's role` } } : {}),
    outputSourceConfig: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/entity-resolution`, outputS3Path: `s3://output/${workflow}/` }],
  };
}

function matchingJob(workflow: string, id: string, status: string, start: number, size: number): MatchingJobDetail {
  const job = entityResolutionJob(workflow, id, status, start, size);
  return { ...job, metrics: { ...job.metrics, matchIDs: Math.round(size * 0.7) } };
}

function idMappingJob(workflow: string, id: string, status: string, start: number, size: number): IdMappingJobDetail {
  const mapped = Math.round(size * 0.8);
  return {
    ...entityResolutionJob(workflow, id, status, start, size),
    jobType: 'INCREMENTAL',
    metrics: {
      inputRecords: size, totalRecordsProcessed: size - 10, recordsNotProcessed: 10, deleteRecordsProcessed: 2,
      totalMappedRecords: mapped, totalMappedSourceRecords: Math.round(mapped * 0.55), totalMappedTargetRecords: mapped - Math.round(mapped * 0.55),
      uniqueRecordsLoaded: Math.round(mapped * 0.9), newMappedRecords: Math.round(mapped * 0.1), newMappedSourceRecords: Math.round(mapped * 0.055),
      newMappedTargetRecords: Math.round(mapped * 0.045), newUniqueRecordsLoaded: Math.round(mapped * 0.09),
      mappedRecordsRemoved: 3, mappedSourceRecordsRemoved: 2, mappedTargetRecordsRemoved: 1,
    },
  };
}

const JOB_DETAIL = { identity_resolution: identityResolutionJob, matching: matchingJob, id_mapping: idMappingJob } as const;

/** Identity resolution runs weekly, Entity Resolution daily. */
const JOB_INTERVAL: Readonly<Record<TargetKind, number>> = { identity_resolution: 7 * DAY, matching: DAY, id_mapping: DAY };

const VOLUMES: Readonly<Record<TargetKind, readonly string[]>> = {
  identity_resolution: ['profiles_reviewed', 'matches_found', 'merges_done', 'match_rate'],
  matching: ['input_records', 'records_processed', 'match_ids', 'match_rate', 'records_not_processed_ratio'],
  id_mapping: ['input_records', 'records_processed', 'mapped_records', 'match_rate', 'records_not_processed_ratio'],
};

const EXPECTATIONS: Expectations = {
  interval: { value: 7 * DAY, source: 'schedule' }, maxDuration: { value: 3 * HOUR, source: 'history' }, maxQueued: { value: 2 * HOUR, source: 'default' },
  volumeMinRatio: { value: 0.25, source: 'default' }, volumeMaxRatio: { value: 1.5, source: 'default' },
  failedJobsToPage: { value: 1, source: 'default' }, maxRecordsNotProcessedRatio: { value: 0.07, source: 'default' },
  matchRateMinRatio: { value: 0.8, source: 'default' }, matchRateMaxRatio: { value: 1.5, source: 'default' },
  ruleBasedMatchingMaxInactive: { value: 86400, source: 'default' },
};

function facts(kind: TargetKind, name: string): TargetSnapshot['facts'] {
  if (kind !== 'identity_resolution') return { readAt: T - HOUR, workflow: { kind, name, resolutionType: kind === 'matching' ? 'RULE_MATCHING' : 'PROVIDER', incrementalRunType: undefined, outputKinds: ['s3'], updatedAt: date(T - 10 * DAY), tags: { team: 'data-platform' } } };
  return {
    readAt: T - HOUR,
    domain: {
      DomainName: name,
      CreatedAt: date(T - 400 * DAY),
      LastUpdatedAt: date(T - 30 * DAY),
      DefaultExpirationDays: 366,
      Matching: { Enabled: true, JobSchedule: { DayOfTheWeek: 'SATURDAY', Time: '02:30' }, AutoMerging: { Enabled: true, ConflictResolution: { ConflictResolvingModel: 'RECENCY' } } },
      RuleBasedMatching: { Enabled: false },
      Stats: { ProfileCount: 125_000, MeteringProfileCount: 120_000, ObjectCount: 480_000, TotalSize: 987_654_321 },
    },
  };
}

function target(kind: TargetKind, region: string, name: string, targetIndex: number, jobsPerTarget: number): AnyTargetSnapshot {
  const interval = JOB_INTERVAL[kind];
  const statuses = Array.from({ length: jobsPerTarget }, (_, jobIndex) => jobStatus(kind, targetIndex, jobIndex));
  const jobs = statuses.map((status, jobIndex) => {
    const id = jobId(`${region}/${kind}/${name}`, 1000 - jobIndex);
    return { id, detail: JOB_DETAIL[kind](name, id, status, T - HOUR - jobIndex * interval, 10_000 + 37 * targetIndex + jobIndex) };
  });
  const running = isRunning(targetIndex, 0);
  const newestFinished = running ? 1 : 0;
  const volumes = new Map(VOLUMES[kind].map((volume, i) => [volume, 1000 + targetIndex + i]));
  return {
    identity: { kind, target: name, accountId: ACCOUNT, region },
    up: true,
    dataTime: T,
    lastSuccessTime: T,
    lastError: undefined,
    jobs,
    latestStatus: statuses[0],
    lastSuccessEnd: T - HOUR,
    lastFailureEnd: T - 4 * interval,
    counters: {
      finishedByStatus: new Map(kind === 'identity_resolution' ? [['COMPLETED', 40], ['PARTIAL_SUCCESS', 1], ['FAILED', 10]] : [['SUCCEEDED', 160], ['FAILED', 40]]),
      statisticSums: new Map(kind === 'identity_resolution' ? [['profiles_reviewed', 840_000], ['matches_found', 31_000], ['merges_done', 29_000]] : [['records_processed', 1_200_000], ['records_not_processed', 4000]]),
    },
    runs: {
      latestStatus: statuses[0],
      latest: { start: T - HOUR, end: running ? undefined : T, queuedSeconds: undefined, runningSeconds: running ? HOUR : undefined },
      latestFinished: { id: jobs[newestFinished]?.id ?? '', status: statuses[newestFinished] ?? '', message: undefined },
      consecutiveFailures: 0,
      earliestStart: T - 365 * DAY,
      history: { starts: [], successDurations: [] },
      volumes: { last: volumes, median: volumes },
    },
    expectations: EXPECTATIONS,
    facts: facts(kind, name),
    refreshOk: true,
  } as AnyTargetSnapshot;
}

/**
 * The wide fleet's targets, region by region, repeated (with the regions numbered on) or cut short to `targetCount`.
 */
export function syntheticSnapshot(targetCount: number): CollectionSnapshot {
  const { regions = [], domains = [], matchingWorkflows = [], idMappingWorkflows = [] } = WIDE.fleet;
  const perRegion = [
    ...specNames(domains).map((name) => ['identity_resolution', name] as const),
    ...specNames(matchingWorkflows).map((name) => ['matching', name] as const),
    ...specNames(idMappingWorkflows).map((name) => ['id_mapping', name] as const),
  ];
  const targets = Array.from({ length: targetCount }, (_, i): AnyTargetSnapshot => {
    const round = Math.floor(i / perRegion.length);
    const [kind, name] = perRegion[i % perRegion.length]!;
    const region = `${regions[round % regions.length]!}${round < regions.length ? '' : `-${String(Math.floor(round / regions.length))}`}`;
    return target(kind, region, name, i, WIDE.maxJobsPerTarget);
  });
  return { targets, finishedAt: T, durationSeconds: 60 };
}

/** Targets in the wide fleet. */
export function wideTargetCount(): number {
  const { regions = [], domains = [], matchingWorkflows = [], idMappingWorkflows = [] } = WIDE.fleet;
  return regions.length * (domains.length + matchingWorkflows.length + idMappingWorkflows.length);
}
