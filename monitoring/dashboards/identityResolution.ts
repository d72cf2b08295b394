/**
 * "AWS resolution / Identity resolution": the identity-resolution jobs of Amazon Connect Customer Profiles
 * domains, with each domain's schedule and GetDomain facts.
 */
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  countersOverTimePanel, expectationsPanel, jobColumns, jobKindOf, jobDurationPanel, jobsFinishedByStatusPanel, jobStatusTimelinePanel,
  latestJobStatusPanel, newestJobWaitPanel, perJobRatioPanel, scopeOf, series, successAllowancePanel, targetColumns,
  runQualityPanel, targetIdentity, targetLegend, volumesPanel,
} from './jobPanels.js';
import {
  COLOR_BACKGROUND, COLOR_TEXT, dashboardFrame, mappedAs, ON_OFF, row, selector, sortedBy, tablePanel, thresholds,
  timeseriesPanel, unitIs, valueMappings, withLayout, type DashboardBuilder,
} from './shared.js';

const kind = jobKindOf('identity_resolution');
/** A domain series (GetDomain facts and the schedule read from them), which carry no job prefix. */
const domainSeries = (suffix: string): string => selector(`aws_customer_profiles_domain_${suffix}`, scopeOf(kind));
const perDomain = `by (${targetIdentity(kind)})`;
/** The start of each domain's newest job that has started, which a PENDING job's future start is not. */
const newestStart = `max ${perDomain} (\n  ${series(kind, 'job_start_timestamp_seconds')} <= time()\n)`;

function schedulePanel(): table.PanelBuilder {
  const previousRun = series(kind, 'previous_scheduled_run_timestamp_seconds');
  // 1 when the newest start is at or after the last scheduled run, 0 when not or when no job has started at all.
  const startedSince = `(\n  ${newestStart.replaceAll('\n', '\n  ')}\n  >= bool on (${targetIdentity(kind)})\n  ${previousRun}\n)\nor on (${targetIdentity(kind)})\n${previousRun} * 0`;
  return tablePanel(
    'Schedule: next run and last scheduled run',
    'Per domain with identity resolution on: when the weekly identity-resolution job is next due and when it was last due (Matching.JobSchedule, UTC; Saturday 00:00 when the domain sets none), whether a job has started since that last scheduled time (a start at or after it and not in the future: a PENDING job lists when it will start), and when the newest job started. "no" for longer than the expected max queued time of the domain is what AWSResolutionIdentityResolutionScheduledRunNotStarted alerts on. A domain with identity resolution off has no schedule.',
    [
      ...targetColumns(kind),
      { expr: domainSeries('identity_resolution_enabled'), name: 'Identity resolution', properties: ON_OFF },
      { expr: `${series(kind, 'next_run_timestamp_seconds')} * 1000`, name: 'Next run', properties: [unitIs(units.DateTimeFromNow)] },
      { expr: `${previousRun} * 1000`, name: 'Last scheduled run', properties: [unitIs(units.DatetimeISO)] },
      { expr: startedSince, name: 'Job started since', properties: [unitIs(units.BoolYesNo), mappedAs(valueMappings([0, 'no', 'red'], [1, 'yes', 'green'])), COLOR_BACKGROUND] },
      { expr: `${newestStart} * 1000`, name: 'Newest job started', properties: [unitIs(units.DatetimeISO)] },
    ],
  )
    .unit(units.NoUnit)
    .sortBy(sortedBy('Next run', false));
}

function domainPanel(): table.PanelBuilder {
  return tablePanel(
    'Domain: profiles, objects, size and settings',
    'Per domain, from GetDomain (refreshed every refresh_every_collections collections): profiles, profiles counted for billing, profile objects and data size (Stats), whether ML identity resolution (Matching.Enabled) and rule-based matching (RuleBasedMatching.Enabled) are on, the domain\'s auto-merging and conflict-resolution settings, and its default expiration in days.',
    [
      ...targetColumns(kind),
      { expr: domainSeries('profiles'), name: 'Profiles' },
      { expr: domainSeries('metering_profiles'), name: 'Metering profiles' },
      { expr: domainSeries('objects'), name: 'Objects' },
      { expr: domainSeries('size_bytes'), name: 'Size', properties: [unitIs(units.BytesIEC)] },
      { expr: domainSeries('identity_resolution_enabled'), name: 'Identity resolution', properties: ON_OFF },
      { expr: domainSeries('rule_based_matching_enabled'), name: 'Rule-based matching', properties: ON_OFF },
      { expr: domainSeries('info') },
      // Labels of domain_info, so text: "true" and "false" rather than 1 and 0.
      { label: 'auto_merging_enabled', name: 'Auto-merging', properties: [unitIs(units.String), mappedAs(valueMappings(['false', 'off', 'text'], ['true', 'on', 'green'])), COLOR_TEXT] },
      { label: 'conflict_resolving_model', name: 'Conflict resolution', properties: [unitIs(units.String)] },
      { label: 'default_expiration_days', name: 'Default expiration (days)', properties: [unitIs(units.String)] },
    ],
  )
    .unit(units.Short)
    .sortBy(sortedBy('Profiles', true));
}

/** A series of a domain's rule-based matching (GetDomain RuleBasedMatching, as the exporter has seen it change). */
const ruleBasedMatching = (suffix: string): string => selector(`aws_customer_profiles_rule_based_matching_${suffix}`, scopeOf(kind));

function ruleBasedMatchingPanel(): table.PanelBuilder {
  return tablePanel(
    'Rule-based matching and data store',
    'Per domain, from GetDomain (refreshed every refresh_every_collections collections): the status of its rule-based matching while it is on (PENDING waits an hour on an existing domain; IN_PROGRESS evaluates the existing data, and the configuration cannot change meanwhile; ACTIVE: its rules are in use) and since when; how long it has not been ACTIVE against how long it may not be (expect: rule_based_matching_max_inactive, 1 day by default), which AWSResolutionRuleBasedMatchingNotActive alerts on; and whether the domain\'s data store is on, how ready it is, and AWS\'s message about its readiness.',
    [
      ...targetColumns(kind),
      { expr: `${ruleBasedMatching('status')} == 1` },
      { label: 'status', name: 'Rule-based matching', properties: [unitIs(units.String), mappedAs(valueMappings(['PENDING', 'PENDING', 'orange'], ['IN_PROGRESS', 'IN_PROGRESS', 'orange'], ['ACTIVE', 'ACTIVE', 'green'])), COLOR_TEXT] },
      { expr: `${ruleBasedMatching('status_since_timestamp_seconds')} * 1000`, name: 'In status since', properties: [unitIs(units.DatetimeISO)] },
      { expr: `time() - ${ruleBasedMatching('inactive_since_timestamp_seconds')}`, name: 'Not ACTIVE for', properties: [unitIs(units.Seconds)] },
      { expr: ruleBasedMatching('expected_max_inactive_seconds'), name: 'May not be ACTIVE for', properties: [unitIs(units.Seconds)], ownLabels: { source: 'Source' } },
      { expr: domainSeries('data_store_enabled'), name: 'Data store', properties: ON_OFF },
      { expr: domainSeries('data_store_readiness_ratio'), name: 'Data store ready', properties: [unitIs(units.PercentUnit)] },
      { expr: domainSeries('data_store_readiness_info') },
      { label: 'message', name: 'Readiness message', properties: [unitIs(units.String)] },
    ],
  )
    .unit(units.NoUnit)
    .sortBy(sortedBy('Not ACTIVE for', true));
}

function statisticsPerJobPanel(): table.PanelBuilder {
  return tablePanel('Profiles reviewed, matches found and merges done per job', 'The job statistics of each job within the lookback (JobStats), newest first.', [
    ...jobColumns(kind),
    { expr: series(kind, 'job_profiles_reviewed'), name: 'Profiles reviewed' },
    { expr: series(kind, 'job_matches_found'), name: 'Matches found' },
    { expr: series(kind, 'job_merges_done'), name: 'Merges done' },
  ])
    .unit(units.Short)
    .sortBy(sortedBy('Started', true));
}

function timeSinceSuccessAndFailurePanel(): timeseries.PanelBuilder {
  return timeseriesPanel('Time since last success and last failure', 'Time since the end of each domain\'s newest COMPLETED job, and of its newest FAILED or PARTIAL_SUCCESS job.', [
    { expr: `time() - ${series(kind, 'last_success_timestamp_seconds')}`, legend: `${targetLegend(kind)} success` },
    { expr: `time() - ${series(kind, 'last_failure_timestamp_seconds')}`, legend: `${targetLegend(kind)} failure` },
  ]).unit(units.Seconds);
}

/** A per-job series with the status its job_status stateset marks (one of the job's series, joined by job_id). */
const withStatus = (suffix: string): string =>
  `${series(kind, suffix)}\n  * on (${targetIdentity(kind)}, job_id) group_left (status)\n  (${series(kind, 'job_status')} == 1)`;

function messagesPanel(): table.PanelBuilder {
  return tablePanel('Messages of failed and partially successful jobs', 'The Message AWS gives a FAILED or PARTIAL_SUCCESS job (cut to 256 characters), with the job\'s status.', [
    ...targetColumns(kind),
    { label: 'job_id', name: 'Job' },
    { label: 'status', name: 'Status' },
    { label: 'message', name: 'Message' },
    { expr: withStatus('job_message_info') },
  ]).unit(units.NoUnit);
}

function autoMergingPanel(): table.PanelBuilder {
  return tablePanel('Auto-merging settings', 'Auto-merging of each job within the lookback, newest first: enabled or not, the minimum confidence score for merging, and the conflict-resolution model and source.', [
    ...jobColumns(kind),
    {
      expr: `${series(kind, 'job_auto_merging_enabled')}\n  * on (${targetIdentity(kind)}, job_id) group_left (conflict_resolving_model, source_name)\n  ${series(kind, 'job_info')}`,
      name: 'Auto-merging',
      properties: [unitIs(units.NoUnit), mappedAs(valueMappings([0, 'disabled', 'text'], [1, 'enabled', 'green']))],
    },
    { expr: series(kind, 'job_auto_merging_min_confidence_score'), name: 'Min. confidence score', properties: [unitIs(units.PercentUnit)] },
    { label: 'conflict_resolving_model', name: 'Conflict resolution' },
    { label: 'source_name', name: 'Source' },
  ])
    .unit(units.NoUnit)
    .sortBy(sortedBy('Started', true));
}

export function identityResolutionDashboard(): DashboardBuilder {
  return withLayout(dashboardFrame({
    uid: 'aws-resolution-identity',
    title: 'Identity resolution',
    description: 'Amazon Connect Customer Profiles identity-resolution jobs, per domain: status, timing against expectations, statistics and volumes, messages and auto-merging settings.',
    scope: { kinds: 'identity_resolution', target: { name: 'domain', label: 'Domain' } },
  }), [
    row('Status'),
    latestJobStatusPanel(kind).span(12).height(6),
    successAllowancePanel(kind).span(12).height(6),
    jobStatusTimelinePanel(kind).span(24).height(8),
    newestJobWaitPanel(kind).span(12).height(7),
    expectationsPanel(kind).span(12).height(7),
    row('Schedule and domain'),
    schedulePanel().span(24).height(7),
    domainPanel().span(24).height(7),
    ruleBasedMatchingPanel().span(24).height(7),
    row('Jobs'),
    jobDurationPanel(kind).span(8).height(10),
    statisticsPerJobPanel().span(16).height(10),
    perJobRatioPanel(kind, 'Merge rate per job', 'Merges done per match found, for each job within the lookback that found matches (recording rule job_id:…_merges_done_per_matches_found:ratio). Low values: auto-merging is off or its confidence threshold is high.', 'merges_done_per_matches_found')
      .thresholds(thresholds('orange', [0.5, 'green']))
      .span(8).height(10),
    countersOverTimePanel(kind, 'Profiles reviewed, matches found and merges done', 'The statistics of the jobs that finished in each interval, per domain (increase of the *_total counters).', [
      ['profiles_reviewed', 'profiles reviewed'],
      ['matches_found', 'matches found'],
      ['merges_done', 'merges done'],
    ]).span(16).height(10),
    volumesPanel(kind).span(24).height(8),
    runQualityPanel(kind).span(24).height(8),
    jobsFinishedByStatusPanel(kind, 'Jobs finished by status').span(12).height(8),
    timeSinceSuccessAndFailurePanel().span(12).height(8),
    row('Messages and settings'),
    messagesPanel().span(24).height(8),
    autoMergingPanel().span(24).height(10),
  ]);
}
