import type { AnyTargetSnapshot } from '../collect/snapshot.js';
import { AS_OF_COLLECTION, type FamilySpec } from './family.js';
import { targetLabels } from './targetFamilies.js';
import { domainSchedule, scheduledRuns } from '../model/weeklySchedule.js';
import { epochSeconds } from '../model/time.js';

const AS_OF_REFRESH = 'As of the last refresh (GetDomain or List*Workflows, every refresh_every_collections collections).';
const DOMAIN_LABELS = ['aws_account_id', 'aws_region', 'domain'];

/** A HELP names one moment: the refresh that read the fact, or (`asOf`) the collection that reckoned a value from it. */
function domainGauge(name: string, help: string, value: (target: AnyTargetSnapshot, now: number) => number | undefined, asOf = AS_OF_REFRESH): FamilySpec<AnyTargetSnapshot> {
  return {
    name,
    help: `${help} ${asOf}`,
    type: 'gauge',
    labelNames: DOMAIN_LABELS,
    collect: (target, emit) => {
      if (target.facts?.domain === undefined) return;
      const v = value(target, target.dataTime ?? target.facts.readAt);
      if (v !== undefined) emit(targetLabels(target), v);
    },
  };
}

/** The weekly schedule's last and next run, for a domain whose identity resolution is on. */
function runs(target: AnyTargetSnapshot, now: number): { previous: number; next: number } | undefined {
  const schedule = domainSchedule(target.facts?.domain);
  return schedule && scheduledRuns(schedule, now);
}

/** Customer Profiles domain facts from GetDomain: switches, the weekly schedule, size, and settings. */
export const domainFamilies: readonly FamilySpec<AnyTargetSnapshot>[] = [
  domainGauge('aws_customer_profiles_domain_identity_resolution_enabled', 'Whether the domain\'s ML identity resolution (GetDomain Matching.Enabled) is on: 1 or 0.',
    (target) => Number(target.facts?.domain?.Matching?.Enabled === true)),
  domainGauge('aws_customer_profiles_domain_rule_based_matching_enabled', 'Whether the domain\'s rule-based matching (GetDomain RuleBasedMatching.Enabled) is on: 1 or 0.',
    (target) => Number(target.facts?.domain?.RuleBasedMatching?.Enabled === true)),
  domainGauge('aws_customer_profiles_identity_resolution_next_run_timestamp_seconds',
    'When the weekly identity-resolution job is next due by the schedule read at the last refresh (Matching.JobSchedule, UTC; Saturday 00:00 when the domain sets none), in seconds since the epoch; only while identity resolution is on.',
    (target, now) => runs(target, now)?.next, AS_OF_COLLECTION),
  domainGauge('aws_customer_profiles_identity_resolution_previous_scheduled_run_timestamp_seconds',
    'When the weekly identity-resolution job was last due by the schedule read at the last refresh, in seconds since the epoch: a job should have started since.',
    (target, now) => runs(target, now)?.previous, AS_OF_COLLECTION),
  domainGauge('aws_customer_profiles_domain_profiles', 'Profiles in the domain (GetDomain Stats.ProfileCount).', (target) => target.facts?.domain?.Stats?.ProfileCount),
  domainGauge('aws_customer_profiles_domain_metering_profiles', 'Profiles counted for billing (GetDomain Stats.MeteringProfileCount).', (target) => target.facts?.domain?.Stats?.MeteringProfileCount),
  domainGauge('aws_customer_profiles_domain_objects', 'Profile objects in the domain (GetDomain Stats.ObjectCount).', (target) => target.facts?.domain?.Stats?.ObjectCount),
  domainGauge('aws_customer_profiles_domain_size_bytes', 'Size of the domain\'s data in bytes (GetDomain Stats.TotalSize).', (target) => target.facts?.domain?.Stats?.TotalSize),
  {
    name: 'aws_customer_profiles_domain_info',
    help: `Always 1: the domain's default expiration and its identity resolution's auto-merging settings (empty when not set). ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: [...DOMAIN_LABELS, 'default_expiration_days', 'auto_merging_enabled', 'conflict_resolving_model'],
    collect: (target, emit) => {
      const domain = target.facts?.domain;
      if (domain === undefined) return;
      const autoMerging = domain.Matching?.AutoMerging;
      emit({
        ...targetLabels(target),
        default_expiration_days: domain.DefaultExpirationDays === undefined ? '' : String(domain.DefaultExpirationDays),
        auto_merging_enabled: autoMerging?.Enabled === undefined ? '' : String(autoMerging.Enabled),
        conflict_resolving_model: autoMerging?.ConflictResolution?.ConflictResolvingModel ?? '',
      }, 1);
    },
  },
];

const WORKFLOW_LABELS = ['aws_account_id', 'aws_region', 'workflow', 'kind'];

/** Entity Resolution workflow facts from List*Workflows. */
export const workflowFamilies: readonly FamilySpec<AnyTargetSnapshot>[] = [
  {
    name: 'aws_entity_resolution_workflow_info',
    help: `Always 1: the workflow's kind (matching or id_mapping) and, for matching, its resolution type. ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: [...WORKFLOW_LABELS, 'resolution_type'],
    collect: (target, emit) => {
      const workflow = target.facts?.workflow;
      if (workflow) emit({ ...targetLabels(target), kind: workflow.kind, resolution_type: workflow.resolutionType ?? '' }, 1);
    },
  },
  {
    name: 'aws_entity_resolution_workflow_updated_timestamp_seconds',
    help: `When the workflow's configuration last changed (updatedAt), in seconds since the epoch. ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: WORKFLOW_LABELS,
    collect: (target, emit) => {
      const workflow = target.facts?.workflow;
      const updated = epochSeconds(workflow?.updatedAt);
      if (workflow && updated !== undefined) emit(targetLabels(target), updated, 'kind', workflow.kind);
    },
  },
];
