import type { TargetKind } from '../config/types.js';
import { KIND_SPECS } from '../collect/kinds.js';
import type { AnyTargetSnapshot } from '../collect/snapshot.js';
import { AS_OF_COLLECTION, emitStateset, type FamilySpec, type Labels } from './family.js';

/** How each kind of target is named in metric names and labels. */
export const KIND_NAMING: Readonly<Record<TargetKind, { prefix: string; targetLabel: 'domain' | 'workflow'; what: string; targetWhat: string }>> = {
  identity_resolution: { prefix: 'aws_customer_profiles_identity_resolution_', targetLabel: 'domain', what: 'identity-resolution job', targetWhat: 'domain' },
  matching: { prefix: 'aws_entity_resolution_matching_', targetLabel: 'workflow', what: 'matching job', targetWhat: 'matching workflow' },
  id_mapping: { prefix: 'aws_entity_resolution_id_mapping_', targetLabel: 'workflow', what: 'ID-mapping job', targetWhat: 'ID-mapping workflow' },
};

/** The labels that identify a target's series in the job families: account, region and domain or workflow. */
export function targetLabels(snapshot: AnyTargetSnapshot): Labels {
  const { kind, accountId, region, target } = snapshot.identity;
  return { aws_account_id: accountId, aws_region: region, [KIND_NAMING[kind].targetLabel]: target };
}

const STATISTIC_HELP: Record<string, string> = {
  profiles_reviewed: 'Profiles reviewed (JobStats.NumberOfProfilesReviewed)',
  matches_found: 'Matches found (JobStats.NumberOfMatchesFound)',
  merges_done: 'Merges done (JobStats.NumberOfMergesDone)',
  records_processed: 'Records processed (metrics.totalRecordsProcessed)',
  records_not_processed: 'Records not processed (metrics.recordsNotProcessed)',
};

/** Per-target summary families of one kind: latest status, last outcomes, and the finished-job counters. */
export function targetFamilies(kind: TargetKind): FamilySpec<AnyTargetSnapshot>[] {
  const spec = KIND_SPECS[kind];
  const { prefix, targetLabel, what, targetWhat } = KIND_NAMING[kind];
  const labelNames = ['aws_account_id', 'aws_region', targetLabel];
  const timestamp = (suffix: string, help: string, value: (target: AnyTargetSnapshot) => number | undefined): FamilySpec<AnyTargetSnapshot> => ({
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
        emitStateset(emit, targetLabels(target), spec.knownStatuses, target.latestStatus);
      },
    },
    timestamp('last_success_timestamp_seconds', `End of the newest ${what} seen to finish ${[...spec.successStatuses].join(' or ')}, in seconds since the epoch.`, (target) => target.lastSuccessEnd),
    timestamp('last_failure_timestamp_seconds', `End of the newest ${what} seen to finish ${[...spec.failureStatuses].join(' or ')}, in seconds since the epoch.`, (target) => target.lastFailureEnd),
    {
      name: `${prefix}jobs_finished_total`,
      help: `${what}s seen to finish, by final status, counted once each when first seen finished; jobs already finished when the exporter first read the ${targetWhat} are not counted.`,
      type: 'counter',
      labelNames: [...labelNames, 'status'],
      collect: (target, emit) => {
        for (const [status, count] of target.counters?.finishedByStatus ?? []) emit({ ...targetLabels(target), status }, count);
      },
    },
    ...Object.keys(spec.counterStatistics).map((statistic): FamilySpec<AnyTargetSnapshot> => ({
      name: `${prefix}${statistic}_total`,
      help: `${STATISTIC_HELP[statistic] ?? statistic}, summed over the ${what}s counted in jobs_finished_total.`,
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

function selfTargetLabels(snapshot: AnyTargetSnapshot): Labels {
  const { kind, accountId, region, target } = snapshot.identity;
  return { kind, aws_account_id: accountId, aws_region: region, target };
}

/** The exporter's view of each target: up, last success, and how many per-job series it exports. */
export const selfTargetFamilies: readonly FamilySpec<AnyTargetSnapshot>[] = [
  {
    name: 'aws_resolution_exporter_target_up',
    help: `1 when the last collection of the target (domain or workflow) succeeded, 0 when any of its AWS calls failed. ${AS_OF_COLLECTION}`,
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
    name: 'aws_resolution_exporter_target_jobs',
    help: `Jobs of the target exported with per-job series (within lookback and max_jobs_per_target). ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: SELF_TARGET_LABELS,
    collect: (target, emit) => {
      emit(selfTargetLabels(target), target.jobs.length);
    },
  },
];
