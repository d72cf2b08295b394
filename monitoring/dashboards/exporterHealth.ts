/**
 * "AWS resolution / Exporter health": the exporter itself, its targets, collections, AWS requests and process.
 */
import type * as table from '@grafana/grafana-foundation-sdk/table';
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  COLOR_BACKGROUND, dashboardFrame, mappedAs, row, scopeLabels, selector, statPanel, tablePanel, thresholds, timeseriesPanel,
  unitIs, valueMappings, withLayout, type DashboardBuilder, type VariableScope,
} from './shared.js';

/** Every kind of target: the variables list all accounts and regions. */
const SCOPE: VariableScope = {};

/** A series of the exporter process, which no account or region scopes. */
const exporterSeries = (metric: string): string => selector(metric, []);
/** A series about targets or the AWS requests made for them, filtered by the account and region variables. */
const scopedSeries = (metric: string): string => selector(metric, scopeLabels(SCOPE));

const SCHEDULE_INTERVAL = exporterSeries('aws_resolution_exporter_schedule_interval_seconds');
const OK_OR_FAILED = valueMappings([0, 'failed', 'red'], [1, 'OK', 'green']);

function buildPanel(): table.PanelBuilder {
  return tablePanel('Exporter build and last collection', 'Version, revision and Node.js version of each exporter instance, and how long ago it last finished a collection.', [
    { label: 'instance', name: 'Instance' },
    { label: 'version', name: 'Version' },
    { label: 'revision', name: 'Revision' },
    { label: 'nodejs_version', name: 'Node.js' },
    { expr: exporterSeries('aws_resolution_exporter_build_info') },
    { expr: `time() - ${exporterSeries('aws_resolution_exporter_last_collection_timestamp_seconds')}`, name: 'Last collection', properties: [unitIs(units.Seconds)] },
  ]).unit(units.Seconds);
}

function targetsPanel(): table.PanelBuilder {
  return tablePanel('Targets', 'Every target: up (its last collection succeeded), whether its facts (GetDomain, or the List*Workflows entry and the discovery behind it) last refreshed fine, time since its last success, and the jobs it exports with per-job series.', [
    { label: 'instance', name: 'Instance' },
    { label: 'kind', name: 'Kind' },
    { label: 'aws_account_id', name: 'Account' },
    { label: 'aws_region', name: 'Region' },
    { label: 'target', name: 'Target' },
    { expr: scopedSeries('aws_resolution_exporter_target_up'), name: 'Up', properties: [unitIs(units.NoUnit), mappedAs(valueMappings([0, 'DOWN', 'red'], [1, 'UP', 'green'])), COLOR_BACKGROUND] },
    { expr: scopedSeries('aws_resolution_exporter_target_last_refresh_success'), name: 'Facts refreshed', properties: [unitIs(units.NoUnit), mappedAs(OK_OR_FAILED), COLOR_BACKGROUND] },
    { expr: `time() - ${scopedSeries('aws_resolution_exporter_target_last_success_timestamp_seconds')}`, name: 'Since last success', properties: [unitIs(units.Seconds)] },
    { expr: scopedSeries('aws_resolution_exporter_target_jobs'), name: 'Jobs exported', properties: [unitIs(units.NoUnit)] },
  ]).unit(units.Short);
}

const quantile = (q: number, histogram: string): string =>
  `histogram_quantile(${String(q)}, sum by (job, instance, le) (rate(${exporterSeries(histogram)}[$__rate_interval])))`;
const increasePerInstance = (counter: string): string => `sum by (job, instance) (increase(${exporterSeries(counter)}[$__rate_interval]))`;

export function exporterHealthDashboard(): DashboardBuilder {
  return withLayout(dashboardFrame({
    uid: 'aws-resolution-exporter',
    title: 'Exporter health',
    description: 'The aws-resolution-exporter itself: targets up, collections against their schedule, AWS requests, retries and throttling, memory and event-loop lag.',
    scope: SCOPE,
  }), [
    row('Targets'),
    statPanel('Targets up by kind', 'Share of targets whose last collection succeeded, per kind (recording rule instance_kind:aws_resolution_exporter_target_up:ratio; not filtered by account or region).', [
      { expr: exporterSeries('instance_kind:aws_resolution_exporter_target_up:ratio'), legend: '{{kind}} ({{instance}})' },
    ])
      .unit(units.PercentUnit)
      .thresholds(thresholds('red', [0.99, 'orange'], [1, 'green']))
      .min(0)
      .max(1)
      .span(8).height(7),
    statPanel('Last collection and configuration reload', 'Whether the last collection succeeded for every target, and whether the configuration last reloaded successfully.', [
      { expr: exporterSeries('aws_resolution_exporter_last_collection_success'), legend: 'last collection ({{instance}})' },
      { expr: exporterSeries('aws_resolution_exporter_config_last_reload_successful'), legend: 'config reload ({{instance}})' },
    ])
      .unit(units.NoUnit)
      .mappings(OK_OR_FAILED)
      .span(8).height(7),
    buildPanel().span(8).height(7),
    targetsPanel().span(12).height(10),
    timeseriesPanel('Time since each target\'s last success', 'Time since each target was last collected successfully, against the schedule interval: a target far above the interval keeps failing.', [
      { expr: `time() - ${scopedSeries('aws_resolution_exporter_target_last_success_timestamp_seconds')}`, legend: '{{kind}} {{aws_account_id}}/{{aws_region}}/{{target}}' },
      { expr: SCHEDULE_INTERVAL, legend: 'schedule interval ({{instance}})' },
    ]).unit(units.Seconds).span(12).height(10),
    row('Collections'),
    timeseriesPanel('Collection duration against the schedule', 'p50 and p99 wall time of a collection of every target (collection_duration_seconds histogram), against the schedule interval: a collection longer than the interval makes the next tick skip.', [
      { expr: quantile(0.99, 'aws_resolution_exporter_collection_duration_seconds_bucket'), legend: 'p99 ({{instance}})' },
      { expr: quantile(0.5, 'aws_resolution_exporter_collection_duration_seconds_bucket'), legend: 'p50 ({{instance}})' },
      { expr: SCHEDULE_INTERVAL, legend: 'schedule interval ({{instance}})' },
    ]).unit(units.Seconds).span(12).height(8),
    timeseriesPanel('Collections run and skipped', 'Collections run, and schedule ticks skipped because the previous collection still ran, per interval.', [
      { expr: increasePerInstance('aws_resolution_exporter_collections_total'), legend: 'run ({{instance}})' },
      { expr: increasePerInstance('aws_resolution_exporter_collections_skipped_total'), legend: 'skipped ({{instance}})' },
    ]).unit(units.Short).span(12).height(8),
    row('AWS requests'),
    timeseriesPanel('AWS requests by operation and code', 'HTTP requests to AWS per second, retries included, by service, operation and answer code (OK or the AWS error name), summed over the accounts and regions selected; recording rule instance_operation_code:aws_resolution_exporter_aws_requests:rate5m.', [
      { expr: `sum by (aws_service, operation, code) (${scopedSeries('instance_operation_code:aws_resolution_exporter_aws_requests:rate5m')})`, legend: '{{aws_service}} {{operation}} {{code}}' },
    ]).unit(units.RequestsPerSecond).span(12).height(9),
    timeseriesPanel('AWS request duration p99', 'p99 duration of one HTTP request to AWS, by service, operation, account and region (recording rule instance_operation:aws_resolution_exporter_aws_request_duration_seconds:p99_rate5m).', [
      { expr: scopedSeries('instance_operation:aws_resolution_exporter_aws_request_duration_seconds:p99_rate5m'), legend: '{{aws_service}} {{operation}} {{aws_account_id}}/{{aws_region}} ({{instance}})' },
    ]).unit(units.Seconds).span(12).height(9),
    timeseriesPanel('AWS request retries', 'Retries the AWS SDK made per second, by service, operation, account and region.', [
      { expr: `sum by (aws_service, operation, aws_account_id, aws_region) (rate(${scopedSeries('aws_resolution_exporter_aws_request_retries_total')}[$__rate_interval]))`, legend: '{{aws_service}} {{operation}} {{aws_account_id}}/{{aws_region}}' },
    ]).unit(units.RequestsPerSecond).span(12).height(8),
    timeseriesPanel('Throttled share of AWS requests', 'Share of AWS requests answered ThrottlingException, by service, operation, account and region (recording rule instance_operation:aws_resolution_exporter_aws_requests_throttled:ratio_rate5m). Lower rate_limit or concurrency if it stays above 0.', [
      { expr: scopedSeries('instance_operation:aws_resolution_exporter_aws_requests_throttled:ratio_rate5m'), legend: '{{aws_service}} {{operation}} {{aws_account_id}}/{{aws_region}} ({{instance}})' },
    ]).unit(units.PercentUnit).min(0).max(1).span(12).height(8),
    row('Process'),
    timeseriesPanel('Memory', 'Resident memory of the exporter process and the V8 heap it uses.', [
      { expr: exporterSeries('process_resident_memory_bytes'), legend: 'resident ({{instance}})' },
      { expr: exporterSeries('nodejs_heap_size_used_bytes'), legend: 'heap used ({{instance}})' },
    ]).unit(units.BytesIEC).span(8).height(8),
    timeseriesPanel('Event-loop lag p99', 'p99 of the Node.js event-loop lag: above a few tens of milliseconds, scrapes and collections queue behind busy work.', [
      { expr: exporterSeries('nodejs_eventloop_lag_p99_seconds'), legend: 'p99 ({{instance}})' },
    ]).unit(units.Seconds).span(8).height(8),
    timeseriesPanel('CPU', 'CPU time the exporter process uses per second (1 = one core busy).', [
      { expr: `rate(${exporterSeries('process_cpu_seconds_total')}[$__rate_interval])`, legend: '{{instance}}' },
    ]).unit(units.PercentUnit).span(8).height(8),
  ]);
}
