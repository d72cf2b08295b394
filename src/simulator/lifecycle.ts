import { hexId, SeededRandom } from './random.js';

/** The three job APIs the simulator serves. */
export type SimKind = 'identity_resolution' | 'matching' | 'id_mapping';

/** A JSON object exactly as it goes on the wire (member names as AWS spells them). */
export type WireObject = Record<string, unknown>;

/** How a target's generated jobs are spaced and how long they run, in simulated seconds. */
export interface JobPlanSettings {
  /** Seconds between two job starts. */
  readonly intervalSeconds: number;
  /** Typical run time; each job varies around it and always ends before the next starts. */
  readonly durationSeconds: number;
  /** Every job of the target ends FAILED. */
  readonly alwaysFails: boolean;
}

/** Status changes of a job: the statuses in order, each with the simulated second it starts at. */
interface Phase {
  readonly status: string;
  readonly from: number;
}

/** Everything that decides a generated job, fixed at its creation; what AWS shows is derived from it at a time. */
export interface JobPlan {
  readonly kind: SimKind;
  readonly id: string;
  readonly index: number;
  readonly targetName: string;
  readonly start: number;
  readonly end: number;
  readonly phases: readonly Phase[];
  readonly outcome: string;
  /** The job's size: profiles reviewed or input records. */
  readonly size: number;
  /** Whether the job merges matches automatically: the domain's setting, the same for each of its jobs. */
  readonly autoMerging: boolean;
  /** Matches found per profile reviewed. */
  readonly matchRate: number;
}

const IDENTITY_RESOLUTION_PHASES: readonly (readonly [string, number])[] = [
  ['PENDING', 0.1], ['PREPROCESSING', 0.2], ['FIND_MATCHING', 0.4], ['MERGING', 0.3],
];
const ENTITY_RESOLUTION_PHASES: readonly (readonly [string, number])[] = [['QUEUED', 0.15], ['RUNNING', 0.85]];

/** Plans job `index` of a target from the fleet seed alone, so any job can be (re)computed on demand. */
export function planJob(seed: string, targetKey: string, kind: SimKind, targetName: string, index: number, start: number, settings: JobPlanSettings): JobPlan {
  const rng = new SeededRandom(`${seed}\u0000${targetKey}\u0000${index}`);
  const duration = Math.min(settings.durationSeconds * rng.between(0.6, 1.4), settings.intervalSeconds * 0.9);
  const shape = kind === 'identity_resolution' ? IDENTITY_RESOLUTION_PHASES : ENTITY_RESOLUTION_PHASES;
  let from = start;
  const phases = shape.map(([status, share]) => {
    const phase = { status, from };
    from += duration * share;
    return phase;
  });
  const roll = rng.next();
  let outcome: string;
  if (settings.alwaysFails || roll < 0.04) outcome = 'FAILED';
  else if (kind === 'identity_resolution' && roll < 0.12) outcome = 'PARTIAL_SUCCESS';
  else outcome = kind === 'identity_resolution' ? 'COMPLETED' : 'SUCCEEDED';
  // Millisecond precision: AWS sends fractional epoch seconds, and the exporter must read them.
  const end = Math.round((start + duration) * 1000) / 1000;
  // A real pipeline reads about the same volume every run, and a domain keeps its settings: what varies from
  // job to job is a little noise around the target's own habits, so volume alerts stay quiet on it.
  const habits = new SeededRandom(`${seed}\u0000${targetKey}\u0000habits`);
  const usualSize = kind === 'identity_resolution' ? habits.int(5_000, 2_000_000) : habits.int(1_000, 500_000);
  const autoMerging = habits.chance(0.7);
  const matchRate = habits.between(0.01, 0.08) * rng.between(0.9, 1.1);
  const size = Math.round(usualSize * rng.between(0.85, 1.15));
  return { kind, id: jobIdFor(targetKey, index), index, targetName, start, end, phases, outcome, size, autoMerging, matchRate };
}

/** Job ids end in the job's index (8 hex digits), so a Get can find a generated job without a lookup table. */
export function jobIdFor(targetKey: string, index: number): string {
  return hexId(targetKey).slice(0, 24) + index.toString(16).padStart(8, '0');
}

/** The index a job id encodes, if it is one of this target's generated ids. */
export function jobIndexOf(targetKey: string, jobId: string): number | undefined {
  if (!/^[a-f0-9]{32}$/.test(jobId) || jobId.slice(0, 24) !== hexId(targetKey).slice(0, 24)) return undefined;
  return Number.parseInt(jobId.slice(24), 16);
}

/** Status at `now`, and the fraction of the run done (1 once finished). */
function progress(plan: JobPlan, now: number): { status: string; done: number; finished: boolean } {
  if (now >= plan.end) return { status: plan.outcome, done: 1, finished: true };
  let status = plan.phases[0]?.status ?? 'QUEUED';
  for (const phase of plan.phases) if (now >= phase.from) status = phase.status;
  return { status, done: Math.max(0, (now - plan.start) / (plan.end - plan.start)), finished: false };
}

/** Statistics of a job that has done `done` of its work (a failed job stops part-way). */
function scaled(total: number, done: number): number {
  return Math.round(total * done);
}

/** The fixed, per-job choices that do not change while it runs (drawn in a fixed order from the job's own seed). */
interface JobTraits {
  readonly conflictModel: 'RECENCY' | 'SOURCE';
  readonly minConfidence: number | undefined;
  readonly notProcessedRate: number;
  readonly deletes: number | undefined;
  readonly kms: boolean;
  readonly jobType: 'BATCH' | 'INCREMENTAL' | 'DELETE_ONLY';
}

function traits(plan: JobPlan): JobTraits {
  const rng = new SeededRandom(`${plan.id}\u0000traits`);
  return {
    conflictModel: rng.chance(0.6) ? 'RECENCY' : 'SOURCE',
    minConfidence: rng.chance(0.5) ? Math.round(rng.between(0.5, 0.99) * 100) / 100 : undefined,
    notProcessedRate: rng.chance(0.3) ? rng.between(0.001, 0.05) : 0,
    deletes: rng.chance(0.3) ? rng.int(0, 5_000) : undefined,
    kms: rng.chance(0.3),
    jobType: rng.pick(['BATCH', 'INCREMENTAL', 'INCREMENTAL', 'DELETE_ONLY'] as const),
  };
}

const FAILURE_MESSAGES = [
  'Access denied to the S3 bucket for exporting results.',
  'Internal failure while matching profiles; retry the job.',
  'Input table schema changed: column "email" not found.',
];

/** GetIdentityResolutionJob's answer for a generated job at `now`. */
export function identityResolutionDetail(plan: JobPlan, domainName: string, now: number): WireObject {
  const { status, done, finished } = progress(plan, now);
  const t = traits(plan);
  const reviewed = scaled(plan.size, done);
  const matches = Math.round(reviewed * plan.matchRate);
  const merging = status === 'MERGING' || finished;
  const detail: WireObject = {
    DomainName: domainName,
    JobId: plan.id,
    Status: status,
    JobStartTime: plan.start,
    LastUpdatedAt: finished ? plan.end : Math.max(plan.start, ...plan.phases.filter((p) => p.from <= now).map((p) => p.from)),
    AutoMerging: {
      Enabled: plan.autoMerging,
      ...(plan.autoMerging ? {
        Consolidation: { MatchingAttributesList: [['EmailAddress'], ['PhoneNumber', 'LastName']] },
        ConflictResolution: { ConflictResolvingModel: t.conflictModel, ...(t.conflictModel === 'SOURCE' ? { SourceName: 'crm' } : {}) },
        ...(t.minConfidence === undefined ? {} : { MinAllowedConfidenceScoreForMerging: t.minConfidence }),
      } : {}),
    },
  };
  if (status !== 'PENDING' && status !== 'PREPROCESSING') {
    detail.JobStats = {
      NumberOfProfilesReviewed: reviewed,
      NumberOfMatchesFound: matches,
      NumberOfMergesDone: merging && plan.autoMerging ? Math.round(matches * 0.9 * (finished ? 1 : done)) : 0,
    };
  }
  if (finished) {
    detail.JobEndTime = plan.end;
    detail.JobExpirationTime = plan.end + 30 * 86_400;
    if (plan.outcome !== 'FAILED') detail.ExportingLocation = { S3Exporting: { S3BucketName: 'identity-resolution-exports', S3KeyName: `${domainName}/${plan.id}/` } };
    if (plan.outcome !== 'COMPLETED') detail.Message = plan.outcome === 'PARTIAL_SUCCESS' ? 'Some profiles could not be merged: merge conflicts in 12 profiles.' : failureMessage(plan);
  }
  return detail;
}

/** Members of an identity-resolution job that ListIdentityResolutionJobs carries too. */
const IDENTITY_RESOLUTION_SUMMARY = ['DomainName', 'JobId', 'Status', 'JobStartTime', 'JobEndTime', 'JobStats', 'ExportingLocation', 'Message'];
/** Entity Resolution's JobSummary: nothing beyond these four. */
const ENTITY_RESOLUTION_SUMMARY = ['jobId', 'status', 'startTime', 'endTime'];

/** The list summary of a job, from its Get answer: exactly the members the List call's model has. */
export function summaryOf(kind: SimKind, detail: WireObject): WireObject {
  const members = kind === 'identity_resolution' ? IDENTITY_RESOLUTION_SUMMARY : ENTITY_RESOLUTION_SUMMARY;
  return Object.fromEntries(members.filter((member) => member in detail).map((member) => [member, detail[member]]));
}

function failureMessage(plan: JobPlan): string {
  return FAILURE_MESSAGES[plan.index % FAILURE_MESSAGES.length] ?? 'failed';
}

function outputSource(plan: JobPlan, workflowName: string, accountId: string, t: JobTraits): WireObject {
  return {
    roleArn: `arn:aws:iam::${accountId}:role/EntityResolutionOutput`,
    outputS3Path: `s3://entity-resolution-output/${workflowName}/`,
    ...(t.kms ? { KMSArn: `arn:aws:kms:us-east-1:${accountId}:key/${plan.id.slice(0, 8)}-0000-0000-0000-000000000000` } : {}),
  };
}

/** The members GetMatchingJob and GetIdMappingJob share, for a generated job at `now`. */
function entityResolutionEnvelope(plan: JobPlan, workflowName: string, accountId: string, now: number): { detail: WireObject; metrics: WireObject | undefined; done: number; finished: boolean; t: JobTraits } {
  const { status, done, finished } = progress(plan, now);
  const t = traits(plan);
  const detail: WireObject = { jobId: plan.id, status, startTime: plan.start, outputSourceConfig: [outputSource(plan, workflowName, accountId, t)] };
  if (finished) detail.endTime = plan.end;
  if (finished && plan.outcome === 'FAILED') detail.errorDetails = { errorMessage: failureMessage(plan) };
  if (status === 'QUEUED') return { detail, metrics: undefined, done, finished, t };
  const processed = scaled(plan.size, done);
  const metrics: WireObject = {
    inputRecords: plan.size,
    totalRecordsProcessed: processed,
    recordsNotProcessed: Math.round(processed * t.notProcessedRate),
    ...(t.deletes === undefined ? {} : { deleteRecordsProcessed: scaled(t.deletes, done) }),
  };
  detail.metrics = metrics;
  return { detail, metrics, done, finished, t };
}

/** GetMatchingJob's answer for a generated job at `now`. */
export function matchingDetail(plan: JobPlan, workflowName: string, accountId: string, now: number): WireObject {
  const { detail, metrics, finished } = entityResolutionEnvelope(plan, workflowName, accountId, now);
  if (metrics && finished) metrics.matchIDs = Math.round(Number(metrics.totalRecordsProcessed) * 0.7);
  return detail;
}

/** GetIdMappingJob's answer for a generated job at `now`. */
export function idMappingDetail(plan: JobPlan, workflowName: string, accountId: string, now: number): WireObject {
  const { detail, metrics, done, t } = entityResolutionEnvelope(plan, workflowName, accountId, now);
  detail.jobType = t.jobType;
  if (metrics) {
    const mapped = Math.round(Number(metrics.totalRecordsProcessed) * 0.8);
    const fresh = t.jobType === 'BATCH' ? mapped : Math.round(mapped * 0.1);
    const removed = t.jobType === 'DELETE_ONLY' ? scaled(Math.round(plan.size * 0.05), done) : 0;
    Object.assign(metrics, {
      totalMappedRecords: mapped,
      totalMappedSourceRecords: Math.round(mapped * 0.55),
      totalMappedTargetRecords: mapped - Math.round(mapped * 0.55),
      uniqueRecordsLoaded: Math.round(mapped * 0.9),
      newMappedRecords: fresh,
      newMappedSourceRecords: Math.round(fresh * 0.55),
      newMappedTargetRecords: fresh - Math.round(fresh * 0.55),
      newUniqueRecordsLoaded: Math.round(fresh * 0.9),
      mappedRecordsRemoved: removed,
      mappedSourceRecordsRemoved: Math.round(removed / 2),
      mappedTargetRecordsRemoved: removed - Math.round(removed / 2),
    });
  }
  return detail;
}

/** Statuses in which a job never changes again. */
export const TERMINAL_STATUSES: Readonly<Record<SimKind, readonly string[]>> = {
  identity_resolution: ['COMPLETED', 'PARTIAL_SUCCESS', 'FAILED'],
  matching: ['SUCCEEDED', 'FAILED'],
  id_mapping: ['SUCCEEDED', 'FAILED'],
};
