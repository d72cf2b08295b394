import type { AnyTargetSnapshot } from '../collect/snapshot.js';
import { AS_OF_COLLECTION, emitStateset, messageLabel, type FamilySpec } from './family.js';
import { targetLabels } from './targetFamilies.js';
import { domainSchedule, scheduledRuns } from '../model/weeklySchedule.js';
import { epochSeconds } from '../model/time.js';
import { TAG_LABELS_PLACEHOLDER, tagLabels } from '../model/tags.js';

const AS_OF_REFRESH = 'As of the last refresh (GetDomain or Get*Workflow, every refresh_every_collections collections).';
/** The part of an info series' HELP about its tag labels. */
const TAG_LABELS_HELP = 'Each tag key listed in tag_labels that the resource has is a tag_<key> label (other characters than letters, digits and _ become _).';
/** GetDomain's RuleBasedMatching.Status values, in the order a domain goes through them. */
const RULE_BASED_MATCHING_STATUSES = ['PENDING', 'IN_PROGRESS', 'ACTIVE'];
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
    help: `Always 1: the domain's default expiration and its identity resolution's auto-merging settings (empty when not set), and its tags. ${TAG_LABELS_HELP} ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: [...DOMAIN_LABELS, 'default_expiration_days', 'auto_merging_enabled', 'conflict_resolving_model', TAG_LABELS_PLACEHOLDER],
    collect: (target, emit) => {
      const domain = target.facts?.domain;
      if (domain === undefined) return;
      const autoMerging = domain.Matching?.AutoMerging;
      emit({
        ...targetLabels(target),
        default_expiration_days: domain.DefaultExpirationDays === undefined ? '' : String(domain.DefaultExpirationDays),
        auto_merging_enabled: autoMerging?.Enabled === undefined ? '' : String(autoMerging.Enabled),
        conflict_resolving_model: autoMerging?.ConflictResolution?.ConflictResolvingModel ?? '',
        ...tagLabels(domain.Tags, target.tagKeys ?? []),
      }, 1);
    },
  },
  {
    name: 'aws_customer_profiles_rule_based_matching_status',
    help: `The domain's rule-based matching status (GetDomain RuleBasedMatching.Status): 1 for the current one of PENDING, IN_PROGRESS and ACTIVE, 0 for the others; only while rule-based matching is on. ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: [...DOMAIN_LABELS, 'status'],
    collect: (target, emit) => {
      const matching = target.facts?.ruleBasedMatching;
      if (matching !== undefined) emitStateset(emit, targetLabels(target), RULE_BASED_MATCHING_STATUSES, matching.status);
    },
  },
  domainGauge('aws_customer_profiles_rule_based_matching_status_since_timestamp_seconds',
    'Since when the domain\'s rule-based matching has had its status, in seconds since the epoch: the refresh that saw it change, or, for a status seen first, the domain\'s LastUpdatedAt (configuring rule-based matching updates the domain).',
    (target) => target.facts?.ruleBasedMatching?.since),
  domainGauge('aws_customer_profiles_rule_based_matching_inactive_since_timestamp_seconds',
    'Since when the domain\'s enabled rule-based matching has not been ACTIVE (PENDING or IN_PROGRESS), in seconds since the epoch, reckoned as the status since; absent while it is ACTIVE or off.',
    (target) => target.facts?.ruleBasedMatching?.inactiveSince),
  {
    name: 'aws_customer_profiles_rule_based_matching_expected_max_inactive_seconds',
    help: `Seconds the domain's enabled rule-based matching may stay PENDING or IN_PROGRESS before it warns; only while rule-based matching is on. The source label says where the value came from: config (expect: rule_based_matching_max_inactive) or default. ${AS_OF_COLLECTION}`,
    type: 'gauge',
    labelNames: [...DOMAIN_LABELS, 'source'],
    collect: (target, emit) => {
      const expected = target.expectations?.ruleBasedMatchingMaxInactive;
      if (target.facts?.ruleBasedMatching !== undefined && expected !== undefined) emit(targetLabels(target), expected.value, 'source', expected.source);
    },
  },
  domainGauge('aws_customer_profiles_domain_data_store_enabled', 'Whether the domain\'s data store (GetDomain DataStore.Enabled) is on: 1 or 0.',
    (target) => Number(target.facts?.domain?.DataStore?.Enabled === true)),
  domainGauge('aws_customer_profiles_domain_data_store_readiness_ratio',
    'How far the domain\'s data store has got in making its existing data ready (GetDomain DataStore.Readiness.ProgressPercentage / 100): 1 when ready; absent when AWS does not say.',
    (target) => {
      const percentage = target.facts?.domain?.DataStore?.Readiness?.ProgressPercentage;
      return percentage === undefined ? undefined : percentage / 100;
    }),
  {
    name: 'aws_customer_profiles_domain_data_store_readiness_info',
    help: `Always 1: what AWS says of the domain's data store readiness (GetDomain DataStore.Readiness.Message, cut to 256 characters); absent when it says nothing. ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: [...DOMAIN_LABELS, 'message'],
    collect: (target, emit) => {
      const message = target.facts?.domain?.DataStore?.Readiness?.Message;
      if (message !== undefined) emit(targetLabels(target), 1, 'message', messageLabel(message));
    },
  },
];

const WORKFLOW_LABELS = ['aws_account_id', 'aws_region', 'workflow', 'kind'];

/** Entity Resolution workflow facts from GetMatchingWorkflow and GetIdMappingWorkflow. */
export const workflowFamilies: readonly FamilySpec<AnyTargetSnapshot>[] = [
  {
    name: 'aws_entity_resolution_workflow_info',
    help: 'Always 1: the workflow\'s kind (matching or id_mapping); its resolution type (matching: resolutionTechniques.resolutionType ML_MATCHING, RULE_MATCHING or PROVIDER; ID mapping: idMappingTechniques.idMappingType PROVIDER or RULE_BASED); '
      + 'its incremental run type (incrementalRunConfig.incrementalRunType: IMMEDIATE runs it whenever its input changes; empty when not set); where it writes (output_kind: s3, customer_profiles, or both comma-separated); '
      + `and its tags. ${TAG_LABELS_HELP} ${AS_OF_REFRESH}`,
    type: 'gauge',
    labelNames: [...WORKFLOW_LABELS, 'resolution_type', 'incremental_run_type', 'output_kind', TAG_LABELS_PLACEHOLDER],
    collect: (target, emit) => {
      const workflow = target.facts?.workflow;
      if (workflow) {
        emit({
          ...targetLabels(target),
          kind: workflow.kind,
          resolution_type: workflow.resolutionType ?? '',
          incremental_run_type: workflow.incrementalRunType ?? '',
          output_kind: workflow.outputKinds.join(','),
          ...tagLabels(workflow.tags, target.tagKeys ?? []),
        }, 1);
      }
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
