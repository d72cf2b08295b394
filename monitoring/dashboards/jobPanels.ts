/**
 * The panels every kind of job shows, in the identity-resolution dashboard and in each section of the Entity
 * Resolution one: status, time since success against its allowance, waiting and running time, expectations,
 * volumes, duration, and the per-job and per-interval panels whose only difference is the kind's names.
 */
import type * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';
import { KIND_SPECS, MATCH_RATE, RECORDS_NOT_PROCESSED_RATIO } from '../../src/collect/kinds.js';
import { KIND_NAMING, MATCH_RATE_WORDS } from '../../src/metrics/targetFamilies.js';
import { VOLUME_WORDS } from '../vocabulary.js';
import {
  barGaugePanel, barsOverTimePanel, selector, statPanel, stateTimelinePanel, tablePanel, thresholds, unitIs, valueMappings,
  type LabelColumn, type Query, type QueryColumn, type TableColumn,
} from './shared.js';
import type { JobStatuses, TargetKind } from '../../src/model/kinds.js';

/** A status of a kind of job, as a status panel shows it. */
export interface JobStatus { readonly name: string; readonly color: string }

/** A count each run of a kind of job reports, which the exporter compares with its recent median. */
export interface Volume { readonly count: string; readonly name: string }

/** A kind of job as the dashboards show it: how its series are named and what its statuses and counts are. */
export interface JobKind {
  readonly prefix: string;
  readonly targetLabel: 'domain' | 'workflow';
  /** Where a dashboard shows several kinds, the start of their panels' titles ("Matching"). */
  readonly section?: string;
  readonly targetNoun: string;
  readonly jobNoun: string;
  /** In lifecycle order; a status panel shows status i as the number i + 1, and 0 for one AWS added since. */
  readonly statuses: readonly JobStatus[];
  /** The statuses' colours in words, for descriptions. */
  readonly colorKey: string;
  /** The status of a job that waits to start: its time since start is waiting, not running. */
  readonly queuedStatus: string;
  readonly successStatus: string;
  readonly volumes: readonly Volume[];
  /** Whether its runs report records not processed (Entity Resolution). */
  readonly reportsNotProcessed: boolean;
  /** Its match rate, in words: what it divides by what. */
  readonly matchRateWords: string;
}

/** The colour a status panel gives a status: waiting grey, running blue, success green, failure red, the rest orange. */
function statusColor(statuses: JobStatuses, status: string): string {
  if (statuses.queued.has(status)) return 'text';
  if (statuses.running.has(status)) return 'blue';
  if (statuses.success.has(status)) return 'green';
  return statuses.failed.has(status) ? 'red' : 'orange';
}

/** A kind of job as the exporter names it (its metric prefix, statuses and counts), made ready for the panels. */
export function jobKindOf(kind: TargetKind): JobKind {
  const spec = KIND_SPECS[kind];
  const { prefix, targetLabel, what, targetWhat } = KIND_NAMING[kind];
  const statuses = spec.statuses.known.map((name) => ({ name, color: statusColor(spec.statuses, name) }));
  const first = (set: ReadonlySet<string>): string => [...set][0] ?? '';
  return {
    prefix,
    targetLabel,
    targetNoun: targetWhat,
    jobNoun: what,
    statuses,
    colorKey: `Blue: running, ${statuses.filter(({ color }) => color !== 'text' && color !== 'blue').map(({ name, color }) => `${color}: ${name}`).join(', ')}`,
    queuedStatus: first(spec.statuses.queued),
    successStatus: first(spec.statuses.success),
    volumes: Object.keys(KIND_SPECS[kind].volumes).map((count) => ({ count, name: VOLUME_WORDS[count] ?? count })),
    reportsNotProcessed: RECORDS_NOT_PROCESSED_RATIO in spec.rates,
    matchRateWords: MATCH_RATE_WORDS[kind],
  };
}

export const scopeOf = (kind: JobKind): string[] => ['aws_account_id', 'aws_region', kind.targetLabel];
/** A series of this kind of job, filtered by the dashboard's variables. */
export const series = (kind: JobKind, suffix: string, ...matchers: string[]): string => selector(`${kind.prefix}${suffix}`, scopeOf(kind), ...matchers);
/** The labels that identify one target's series: for matching and aggregating per target. */
export const targetIdentity = (kind: JobKind): string => `job, instance, aws_account_id, aws_region, ${kind.targetLabel}`;
export const targetLegend = (kind: JobKind): string => `{{aws_account_id}}/{{aws_region}}/{{${kind.targetLabel}}}`;
/** The title of a panel of this kind: prefixed by its section where the dashboard has several. */
export const titled = (kind: JobKind, title: string): string => (kind.section === undefined ? title : `${kind.section}: ${title.charAt(0).toLowerCase()}${title.slice(1)}`);

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

export function targetColumns(kind: JobKind): LabelColumn[] {
  return [{ label: 'aws_account_id', name: 'Account' }, { label: 'aws_region', name: 'Region' }, { label: kind.targetLabel, name: capitalized(kind.targetLabel) }];
}

/** When a job started, as a table column. */
export function startedColumn(kind: JobKind): QueryColumn {
  return { expr: `${series(kind, 'job_start_timestamp_seconds')} * 1000`, name: 'Started', properties: [unitIs(units.DatetimeISO)] };
}

/** A target's columns, then the job's id and start, for tables with a row per job. */
export function jobColumns(kind: JobKind): TableColumn[] {
  return [...targetColumns(kind), { label: 'job_id', name: 'Job' }, startedColumn(kind)];
}

// The latest_job_status stateset as one number per target, which the value mappings turn back into the name.
function latestStatusQuery(kind: JobKind): Query {
  const members = kind.statuses.map((status, index) => `${series(kind, 'latest_job_status', `status="${status.name}"`)} * ${String(index + 1)}`);
  return { expr: `sum without (status) (\n  ${members.join('\n  or ')}\n)`, legend: targetLegend(kind) };
}

const statusMappings = (kind: JobKind): dashboard.ValueMapping[] =>
  valueMappings([0, 'other status', 'purple'], ...kind.statuses.map((status, index) => [index + 1, status.name, status.color] as const));

export function latestJobStatusPanel(kind: JobKind): stat.PanelBuilder {
  return statPanel(titled(kind, 'Latest job status'), `Status of each ${kind.targetNoun}'s newest ${kind.jobNoun} (the latest_job_status stateset). ${kind.colorKey}.`, [latestStatusQuery(kind)])
    .unit(units.NoUnit)
    .mappings(statusMappings(kind));
}

export function jobStatusTimelinePanel(kind: JobKind): statetimeline.PanelBuilder {
  return stateTimelinePanel(
    titled(kind, 'Job status over time'),
    `Status of each ${kind.targetNoun}'s newest ${kind.jobNoun} over time: the job timeline, one lane per ${kind.targetNoun}.`,
    [latestStatusQuery(kind)],
  )
    .unit(units.NoUnit)
    .mappings(statusMappings(kind));
}

/** An expectation for each target, whichever source set it (it carries one series at a time). */
const expectation = (kind: JobKind, suffix: string): string => `max without (source) (${series(kind, suffix)})`;

/** Stands for "never succeeded" in the allowance panel, where a share of time is never negative. */
const NEVER_SUCCEEDED = -1;

/**
 * How much of its allowance each target has used since its last success. The allowance (the expected interval
 * times the failures it pages at, plus the expected max duration) is the age at which the no-recent-success alert
 * pages, so a weekly job is green all week long; a target that never succeeded gets NEVER_SUCCEEDED, from its
 * expected interval, instead of no value.
 */
export function successAllowancePanel(kind: JobKind): stat.PanelBuilder {
  const on = `on (${targetIdentity(kind)})`;
  const expr = `(time() - ${series(kind, 'last_success_timestamp_seconds')})
  / ${on}
  (
    ${expectation(kind, 'expected_failed_jobs_to_page')} * ${on} ${series(kind, 'expected_interval_seconds')}
    + ${on} ${series(kind, 'expected_max_duration_seconds')}
  )
or ${on}
  ${series(kind, 'expected_interval_seconds')} * 0 - ${String(-NEVER_SUCCEEDED)}`;
  return statPanel(
    titled(kind, 'Time since last success, share of allowance'),
    `Time since the end of each ${kind.targetNoun}'s newest ${kind.successStatus} job, as a share of its allowance: the expected interval between runs, times the failed runs in a row it pages at, plus the expected max duration of a run (expected_failed_jobs_to_page × expected_interval_seconds + expected_max_duration_seconds, whatever their source). 100 % is where the "no recent success" alert pages. Green below 75 %, orange from 75 %, red from 100 %; "never succeeded" (red) when no ${kind.successStatus} job is known since the oldest job the exporter has seen.`,
    [{ expr, legend: targetLegend(kind) }],
  )
    .unit(units.PercentUnit)
    .decimals(0)
    .thresholds(thresholds('green', [0.75, 'orange'], [1, 'red']))
    .mappings(valueMappings([NEVER_SUCCEEDED, 'never succeeded', 'red']));
}

export function newestJobWaitPanel(kind: JobKind): table.PanelBuilder {
  return tablePanel(
    titled(kind, 'Newest job: queued and running time'),
    `Per ${kind.targetNoun}: how long its newest job has waited to start while ${kind.queuedStatus} (latest_job_queued_seconds), next to the expected max queued time, and how long it has run while running (latest_job_running_seconds), next to the expected max duration. A column is empty when no newest job is in that state.`,
    [
      ...targetColumns(kind),
      { expr: series(kind, 'latest_job_queued_seconds'), name: 'Queued' },
      { expr: expectation(kind, 'expected_max_queued_seconds'), name: 'Expected max queued' },
      { expr: series(kind, 'latest_job_running_seconds'), name: 'Running' },
      { expr: expectation(kind, 'expected_max_duration_seconds'), name: 'Expected max duration' },
    ],
  ).unit(units.Seconds);
}

export function expectationsPanel(kind: JobKind): table.PanelBuilder {
  const expected = (suffix: string, name: string, ...properties: dashboard.DynamicConfigValue[]): QueryColumn =>
    ({ expr: series(kind, `expected_${suffix}`), name, properties, ownLabels: { source: `${name} source` } });
  return tablePanel(
    titled(kind, 'Expectations'),
    `What the exporter expects of each ${kind.targetNoun}'s jobs, and where each expectation comes from (config: set in the configuration; schedule: from the job schedule; history: learnt from the recent runs; default): the interval between runs, the max duration of a run, the max time queued, the failed runs in a row at which a failure pages, the range of a run's volumes and of its match rate as a share of their recent median${kind.reportsNotProcessed ? ', and the largest share of its input a run may leave unprocessed' : ''}. The alerts and the other panels measure against these.`,
    [
      ...targetColumns(kind),
      expected('interval_seconds', 'Interval'),
      expected('max_duration_seconds', 'Max duration'),
      expected('max_queued_seconds', 'Max queued'),
      expected('failed_jobs_to_page', 'Failures to page', unitIs(units.Short)),
      expected('volume_min_ratio', 'Volume min ratio', unitIs(units.PercentUnit)),
      expected('volume_max_ratio', 'Volume max ratio', unitIs(units.PercentUnit)),
      expected('match_rate_min_ratio', 'Match rate min ratio', unitIs(units.PercentUnit)),
      expected('match_rate_max_ratio', 'Match rate max ratio', unitIs(units.PercentUnit)),
      ...(kind.reportsNotProcessed ? [expected('max_records_not_processed_ratio', 'Max not processed', unitIs(units.PercentUnit))] : []),
    ],
  ).unit(units.Seconds);
}

/**
 * What the newest successful run made of its input, against its own history: its match rate next to its recent
 * median, and (Entity Resolution) the share of its input it left unprocessed next to what its runs may leave.
 */
export function runQualityPanel(kind: JobKind): table.PanelBuilder {
  const lastSuccess = (name: string): string => series(kind, `last_success_${name}`);
  const recentMedian = (name: string): string => series(kind, `recent_median_${name}`);
  const percent = [unitIs(units.PercentUnit)];
  return tablePanel(
    titled(kind, 'Quality of the newest successful run against its history'),
    `Per ${kind.targetNoun}: the match rate (${kind.matchRateWords}) of its newest ${kind.successStatus} job (last_success_match_rate), the median of the successful runs before it (recent_median_match_rate) and their ratio, which the match rate min and max ratios in Expectations bound${kind.reportsNotProcessed ? '; and the share of its input records it did not process (last_success_records_not_processed_ratio), next to its recent median and the largest share its runs may leave (expected_max_records_not_processed_ratio)' : ''}.`,
    [
      ...targetColumns(kind),
      { expr: lastSuccess(MATCH_RATE), name: 'Match rate', properties: percent },
      { expr: recentMedian(MATCH_RATE), name: 'Median match rate', properties: percent },
      { expr: `${lastSuccess(MATCH_RATE)} / (${recentMedian(MATCH_RATE)} > 0)`, name: 'Match rate ratio', properties: percent },
      ...(kind.reportsNotProcessed ? [
        { expr: lastSuccess(RECORDS_NOT_PROCESSED_RATIO), name: 'Not processed', properties: percent },
        { expr: recentMedian(RECORDS_NOT_PROCESSED_RATIO), name: 'Median not processed', properties: percent },
        { expr: expectation(kind, 'expected_max_records_not_processed_ratio'), name: 'Max not processed', properties: percent },
      ] : []),
    ],
  ).unit(units.PercentUnit);
}

/** One series per target and count, told apart by a `count` label (the metric names differ). */
function perCount(kind: JobKind, expr: (count: string) => string): string {
  return kind.volumes.map(({ count, name }) => `label_replace(${expr(count)}, "count", "${name}", "", "")`).join('\nor ');
}

export function volumesPanel(kind: JobKind): table.PanelBuilder {
  const lastSuccess = (count: string): string => series(kind, `last_success_${count}`);
  const recentMedian = (count: string): string => series(kind, `recent_median_${count}`);
  return tablePanel(
    titled(kind, 'Volumes of the newest successful run against the recent median'),
    `Per ${kind.targetNoun} and count (${kind.volumes.map(({ name }) => name).join(', ')}): the value of its newest ${kind.successStatus} job (last_success_*), the median of the successful runs before it (recent_median_*), and their ratio (none while the median is 0). The volume min and max ratios in Expectations bound the ratio.`,
    [
      ...targetColumns(kind),
      { label: 'count', name: 'Count' },
      { expr: perCount(kind, lastSuccess), name: 'Last success' },
      { expr: perCount(kind, recentMedian), name: 'Recent median' },
      { expr: perCount(kind, (count) => `${lastSuccess(count)} / (${recentMedian(count)} > 0)`), name: 'Ratio', properties: [unitIs(units.PercentUnit)] },
    ],
  ).unit(units.Short);
}

export function jobDurationPanel(kind: JobKind): bargauge.PanelBuilder {
  const expr = `${series(kind, 'job_duration_seconds')}
unless on (${targetIdentity(kind)}, job_id)
(${series(kind, 'job_status', `status="${kind.queuedStatus}"`)} == 1)`;
  return barGaugePanel(
    titled(kind, 'Job duration'),
    `Run time of each ${kind.jobNoun} within the lookback: end minus start, or the time run so far for an unfinished one. A ${kind.queuedStatus} job is left out: its time since start is waiting, which "${titled(kind, 'Newest job: queued and running time')}" shows.`,
    [{ expr, legend: `${targetLegend(kind)} {{job_id}}` }],
  ).unit(units.Seconds);
}

export function jobsFinishedByStatusPanel(kind: JobKind, title: string): timeseries.PanelBuilder {
  return barsOverTimePanel(
    titled(kind, title),
    `${capitalized(kind.jobNoun)}s seen to finish in each interval, per ${kind.targetNoun} and final status (increase of jobs_finished_total).`,
    [{ expr: `sum by (aws_account_id, aws_region, ${kind.targetLabel}, status) (increase(${series(kind, 'jobs_finished_total')}[$__rate_interval]))`, legend: `${targetLegend(kind)} {{status}}` }],
  ).unit(units.Short).decimals(0);
}

/** What the jobs that finished in each interval added to some `<counter>_total`s, one bar per target and counter. */
export function countersOverTimePanel(kind: JobKind, title: string, description: string, counters: readonly (readonly [counter: string, legend: string])[]): timeseries.PanelBuilder {
  return barsOverTimePanel(titled(kind, title), description, counters.map(([counter, legend]) => ({
    expr: `sum by (aws_account_id, aws_region, ${kind.targetLabel}) (increase(${series(kind, `${counter}_total`)}[$__rate_interval]))`,
    legend: `${targetLegend(kind)} ${legend}`,
  }))).unit(units.Short);
}

/** A recorded per-job ratio (`job_id:<prefix>job_<ratio>:ratio`), one bar per job. */
export function perJobRatioPanel(kind: JobKind, title: string, description: string, ratio: string): bargauge.PanelBuilder {
  return barGaugePanel(titled(kind, title), description, [{ expr: selector(`job_id:${kind.prefix}job_${ratio}:ratio`, scopeOf(kind)), legend: `${targetLegend(kind)} {{job_id}}` }])
    .unit(units.PercentUnit)
    .max(1);
}
