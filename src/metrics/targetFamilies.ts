import { KIND_SPECS, MATCH_RATE, RECORDS_NOT_PROCESSED_RATIO } from '../collect/kinds.js';
import { RECENT_RUNS } from '../collect/runSummary.js';
import type { AnyTargetSnapshot, Expectations } from '../collect/snapshot.js';
import { AS_OF_COLLECTION, emitStateset, MAX_MESSAGE_LABEL_LENGTH, messageLabel, type FamilySpec, type Labels } from './family.js';
import { METRIC_PREFIX, TARGET_LABEL, type TargetKind } from '../model/kinds.js';

/** How each kind of target is named in metric names and labels. */
export const KIND_NAMING: Readonly<Record<TargetKind, { prefix: string; targetLabel: 'domain' | 'workflow'; what: string; targetWhat: string }>> = {
  identity_resolution: { prefix: METRIC_PREFIX.identity_resolution, targetLabel: TARGET_LABEL.identity_resolution, what: 'identity-resolution job', targetWhat: 'domain' },
  matching: { prefix: METRIC_PREFIX.matching, targetLabel: TARGET_LABEL.matching, what: 'matching job', targetWhat: 'matching workflow' },
  id_mapping: { prefix: METRIC_PREFIX.id_mapping, targetLabel: TARGET_LABEL.id_mapping, what: 'ID-mapping job', targetWhat: 'ID-mapping workflow' },
};

/**
 * The labels of a target's series, made once per target: every family of the target reads them, at every
 * collection, and they are the same each time (the caller copies them to add its own).
 */
function perTarget(make: (identity: AnyTargetSnapshot['identity']) => Labels): (snapshot: AnyTargetSnapshot) => Labels {
  const made = new WeakMap<AnyTargetSnapshot['identity'], Labels>();
  return (snapshot) => {
    let labels = made.get(snapshot.identity);
    if (labels === undefined) {
      labels = make(snapshot.identity);
      made.set(snapshot.identity, labels);
    }
    return labels;
  };
}

/** The labels that identify a target's series in the job families: account, region and domain or workflow. */
export const targetLabels = perTarget(({ kind, accountId, region, target }) => ({ aws_account_id: accountId, aws_region: region, [KIND_NAMING[kind].targetLabel]: target }));


/**
 * The expectation families: name suffix, what it holds, where it is on the snapshot, and the rate it is about
 * (exported only for the kinds that have that rate).
 */
const EXPECTATIONS: readonly (readonly [suffix: string, help: string, key: keyof Expectations, rate?: string])[] = [
  ['expected_interval_seconds', 'Seconds expected between runs: a success is overdue once the last one ended more than this times the expected failed jobs to page, plus the expected maximum duration, ago.', 'interval'],
  ['expected_max_duration_seconds', 'Seconds a run may take before it runs too long.', 'maxDuration'],
  ['expected_max_queued_seconds', 'Seconds a job may wait (queued, pending, or a scheduled run not started) before it waits too long.', 'maxQueued'],
  ['expected_volume_min_ratio', 'Lowest share of its recent median a key count of a successful run may fall to.', 'volumeMinRatio'],
  ['expected_volume_max_ratio', 'Highest multiple of its recent median a key count of a successful run may rise to.', 'volumeMaxRatio'],
  ['expected_failed_jobs_to_page', 'Failed runs in a row at which a failure pages (critical) instead of warning.', 'failedJobsToPage'],
  ['expected_max_records_not_processed_ratio', 'Highest share of its input records a successful run may leave unprocessed.', 'maxRecordsNotProcessedRatio', RECORDS_NOT_PROCESSED_RATIO],
  ['expected_match_rate_min_ratio', 'Lowest share of its recent median the match rate of a successful run may fall to.', 'matchRateMinRatio', MATCH_RATE],
  ['expected_match_rate_max_ratio', 'Highest multiple of its recent median the match rate of a successful run may rise to.', 'matchRateMaxRatio', MATCH_RATE],
];

const EXPECTATION_SOURCES = 'The source label says where the value came from: config, schedule (a domain\'s weekly run), history (the target\'s recent runs) or default.';

/** A run's counts, as the counters' and the volumes' HELP name them, with the AWS field each comes from. */
const COUNT_HELP: Record<string, string> = {
  profiles_reviewed: 'Profiles reviewed (JobStats.NumberOfProfilesReviewed)',
  matches_found: 'Matches found (JobStats.NumberOfMatchesFound)',
  merges_done: 'Merges done (JobStats.NumberOfMergesDone)',
  input_records: 'Input records (metrics.inputRecords)',
  records_processed: 'Records processed (metrics.totalRecordsProcessed)',
  records_not_processed: 'Records not processed (metrics.recordsNotProcessed)',
  match_ids: 'Match IDs generated (metrics.matchIDs)',
  mapped_records: 'Records mapped (metrics.totalMappedRecords)',
};

/** What each kind's match rate divides by what, in words (the alerts and dashboards say it the same way). */
export const MATCH_RATE_WORDS: Readonly<Record<TargetKind, string>> = {
  identity_resolution: 'merges done per profile reviewed',
  matching: 'match IDs per input record',
  id_mapping: 'records mapped per input record',
};

/** A run's rates, as their HELP names them. */
const rateHelp = (kind: TargetKind, rate: string): string => (rate === MATCH_RATE
  ? `Match rate (${MATCH_RATE_WORDS[kind]})`
  : 'Share of the input records not processed (recordsNotProcessed / inputRecords)');

/** A HELP phrase in lower case, to go inside a sentence. */
const inSentence = (help: string): string => `${help.charAt(0).toLowerCase()}${help.slice(1)}`;
/** Per-target summary families of one kind: latest status, last outcomes, and the finished-job counters. */
export function targetFamilies(kind: TargetKind): FamilySpec<AnyTargetSnapshot>[] {
  const spec = KIND_SPECS[kind];
  const { prefix, targetLabel, what, targetWhat } = KIND_NAMING[kind];
  const labelNames = ['aws_account_id', 'aws_region', targetLabel];
  const targetGauge = (suffix: string, help: string, value: (target: AnyTargetSnapshot) => number | undefined): FamilySpec<AnyTargetSnapshot> => ({
    name: `${prefix}${suffix}`,
    help: `${help} ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames,
    collect: (target, emit) => {
      const v = value(target);
      if (v !== undefined) emit(targetLabels(target), v);
    },
  });
  return [
    {
      name: `${prefix}latest_job_status`,
      help: `Status of the ${targetWhat}'s newest ${what}: 1 for its current status, 0 for the others (a stateset). ${AS_OF_COLLECTION}`,
      type: 'gauge',
      labelNames: [...labelNames, 'status'],
      collect: (target, emit) => {
        emitStateset(emit, targetLabels(target), spec.statuses.known, target.latestStatus);
      },
    },
    targetGauge('last_success_timestamp_seconds', `End of the newest ${what} seen to finish ${[...spec.statuses.success].join(' or ')}, in seconds since the epoch.`, (target) => target.lastSuccessEnd),
    targetGauge('last_failure_timestamp_seconds', `End of the newest ${what} seen to finish ${[...spec.statuses.failure].join(' or ')}, in seconds since the epoch.`, (target) => target.lastFailureEnd),
    {
      name: `${prefix}jobs_finished_total`,
      help: `Finished ${what}s, by final status, counted once each when first seen finished; jobs already finished when the exporter first read the ${targetWhat} are not counted.`,
      type: 'counter',
      labelNames: [...labelNames, 'status'],
      collect: (target, emit) => {
        for (const [status, count] of target.counters?.finishedByStatus ?? []) emit(targetLabels(target), count, 'status', status);
      },
    },
    targetGauge('latest_job_start_timestamp_seconds', `Start of the ${targetWhat}'s newest ${what} (for a pending one, when it is due), in seconds since the epoch.`, (target) => target.runs?.latest?.start),
    targetGauge('latest_job_end_timestamp_seconds', `End of the ${targetWhat}'s newest ${what}, once it has finished, in seconds since the epoch.`, (target) => target.runs?.latest?.end),
    targetGauge('latest_job_queued_seconds', `Seconds the ${targetWhat}'s newest ${what} has waited to run (${[...spec.statuses.queued].join(' or ')}), while it waits.`, (target) => target.runs?.latest?.queuedSeconds),
    targetGauge('latest_job_running_seconds', `Seconds since the ${targetWhat}'s newest ${what} started, while it runs (${[...spec.statuses.running].join(', ')}).`, (target) => target.runs?.latest?.runningSeconds),
    targetGauge('consecutive_failed_jobs', `Newest ${what}s of the ${targetWhat} that ended FAILED in a row: 0 after a finished job that did not fail.`, (target) => target.runs?.consecutiveFailures),
    {
      name: `${prefix}latest_finished_job_info`,
      help: `Always 1: the id, final status and message (cut to 256 characters, empty without one) of the ${targetWhat}'s newest finished ${what}. ${AS_OF_COLLECTION}`,
      type: 'gauge',
      labelNames: [...labelNames, 'job_id', 'status', 'message'],
      collect: (target, emit) => {
        const finished = target.runs?.latestFinished;
        if (finished) emit({ ...targetLabels(target), job_id: finished.id, status: finished.status, message: messageLabel(finished.message ?? '') }, 1);
      },
    },
    targetGauge('earliest_job_start_timestamp_seconds', `Start of the oldest ${what} the exporter has seen of the ${targetWhat}, in seconds since the epoch: how far back its view goes (a target that never succeeded has not since then).`, (target) => target.runs?.earliestStart),
    ...[
      ...Object.keys(spec.volumes).map((volume) => [volume, COUNT_HELP[volume] ?? volume] as const),
      ...Object.keys(spec.rates).map((rate) => [rate, rateHelp(kind, rate)] as const),
    ].flatMap(([name, help]): FamilySpec<AnyTargetSnapshot>[] => [
      targetGauge(`last_success_${name}`, `The ${inSentence(help)} of the ${targetWhat}'s newest successful ${what}.`, (target) => target.runs?.volumes?.last.get(name)),
      targetGauge(`recent_median_${name}`, `Median of the ${inSentence(help)} over the successful ${what}s before the newest (up to ${RECENT_RUNS}).`, (target) => target.runs?.volumes?.median.get(name)),
    ]),
    ...EXPECTATIONS.filter(([, , , rate]) => rate === undefined || rate in spec.rates).map(([suffix, help, key]): FamilySpec<AnyTargetSnapshot> => ({
      name: `${prefix}${suffix}`,
      help: `${help} ${EXPECTATION_SOURCES} ${AS_OF_COLLECTION}`,
      type: 'gauge',
      labelNames: [...labelNames, 'source'],
      collect: (target, emit) => {
        const expected = target.expectations?.[key];
        if (expected) emit(targetLabels(target), expected.value, 'source', expected.source);
      },
    })),
    ...Object.keys(spec.counterStatistics).map((statistic): FamilySpec<AnyTargetSnapshot> => ({
      name: `${prefix}${statistic}_total`,
      help: `${COUNT_HELP[statistic] ?? statistic}, summed over the ${what}s counted in jobs_finished_total.`,
      type: 'counter',
      labelNames,
      collect: (target, emit) => {
        const sum = target.counters?.statisticSums.get(statistic);
        if (sum !== undefined) emit(targetLabels(target), sum);
      },
    })),
  ];
}

const SELF_TARGET_LABELS = ['kind', 'aws_account_id', 'aws_region', 'target'];

const selfTargetLabels = perTarget(({ kind, accountId, region, target }) => ({ kind, aws_account_id: accountId, aws_region: region, target }));

/** The exporter's view of each target: up, last success, and how many per-job series it exports. */
export const selfTargetFamilies: readonly FamilySpec<AnyTargetSnapshot>[] = [
  {
    name: 'aws_resolution_exporter_target_up',
    help: 'Whether the last collection of the target (domain or workflow) succeeded: 1, or 0 when any of its AWS calls failed.',
    type: 'gauge',
    labelNames: SELF_TARGET_LABELS,
    collect: (target, emit) => {
      emit(selfTargetLabels(target), target.up ? 1 : 0);
    },
  },
  {
    name: 'aws_resolution_exporter_target_last_success_timestamp_seconds',
    help: 'When the target was last collected successfully, in seconds since the epoch.',
    type: 'gauge',
    labelNames: SELF_TARGET_LABELS,
    collect: (target, emit) => {
      if (target.lastSuccessTime !== undefined) emit(selfTargetLabels(target), target.lastSuccessTime);
    },
  },
  {
    name: 'aws_resolution_exporter_target_last_refresh_success',
    help: 'Whether the target\'s facts (GetDomain or Get*Workflow) and the discovery that found it were read at the last refresh: 1, or 0 when a read failed and the last known facts were kept.',
    type: 'gauge',
    labelNames: SELF_TARGET_LABELS,
    collect: (target, emit) => {
      if (target.refreshOk !== undefined) emit(selfTargetLabels(target), target.refreshOk ? 1 : 0);
    },
  },
  {
    name: 'aws_resolution_exporter_target_error_info',
    help: `Always 1, while the target's last collection (phase="collection") or the last refresh of its facts or discovery (phase="refresh") failed: the error's code (AWS's error name, or a network error's) and its message (cut to ${String(MAX_MESSAGE_LABEL_LENGTH)} characters). Absent while they succeed.`,
    type: 'gauge',
    labelNames: [...SELF_TARGET_LABELS, 'phase', 'code', 'message'],
    collect: (target, emit) => {
      const failures = [['collection', target.up ? undefined : target.lastError], ['refresh', target.refreshOk === false ? target.refreshError : undefined]] as const;
      for (const [phase, error] of failures) {
        if (error) emit({ ...selfTargetLabels(target), phase, code: error.code, message: messageLabel(error.description) }, 1);
      }
    },
  },
  {
    name: 'aws_resolution_exporter_target_jobs',
    help: `Jobs of the target exported with per-job series (within lookback and max_jobs_per_target). ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: SELF_TARGET_LABELS,
    collect: (target, emit) => {
      emit(selfTargetLabels(target), target.jobs.length);
    },
  },
];
