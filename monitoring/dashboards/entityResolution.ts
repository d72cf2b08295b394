/**
 * "AWS resolution / Entity Resolution": the matching and ID-mapping jobs of AWS Entity Resolution workflows, a
 * section of the same panels for each kind, then the workflows and their errors.
 */
import type * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as table from '@grafana/grafana-foundation-sdk/table';
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';
import {
  countersOverTimePanel, expectationsPanel, jobColumns, jobKindOf, jobDurationPanel, jobsFinishedByStatusPanel, jobStatusTimelinePanel,
  latestJobStatusPanel, newestJobWaitPanel, perJobRatioPanel, scopeOf, series, startedColumn, successAllowancePanel,
  runQualityPanel, targetColumns, targetIdentity, targetLegend, titled, volumesPanel, type JobKind,
} from './jobPanels.js';
import {
  barGaugePanel, DATASOURCE, dashboardFrame, panelIds, row, selector, sortedBy, tablePanel, thresholds, timeseriesPanel,
  unitIs, withLayout, type DashboardBuilder, type LayoutItem, type QueryColumn,
} from './shared.js';

/** A kind with a section of its own in this dashboard. */
type SectionKind = JobKind & { readonly section: string };

const MATCHING: SectionKind = { ...jobKindOf('matching'), section: 'Matching' };
const ID_MAPPING: SectionKind = { ...jobKindOf('id_mapping'), section: 'ID mapping' };

/** The workflow series, which carry no kind prefix; they filter by the same variables. */
const workflowSeries = (suffix: string, ...matchers: string[]): string => selector(`aws_entity_resolution_workflow_${suffix}`, scopeOf(MATCHING), ...matchers);

const RECORDS_OVER_TIME = 'Records processed and not processed';
const MATCH_IDS_PER_RUN = 'Match IDs and records processed per run, with configuration changes';

/** The records of each job; `extra` adds the kind's own counts (described in `extraInWords`). */
function recordsPerJobPanel(kind: JobKind, extra: readonly QueryColumn[], extraInWords: string): table.PanelBuilder {
  return tablePanel(titled(kind, 'Records per job'), `Input records, records processed and not processed${extraInWords} of each ${kind.jobNoun} within the lookback, newest first.`, [
    ...jobColumns(kind),
    { expr: series(kind, 'job_input_records'), name: 'Input records' },
    { expr: series(kind, 'job_records_processed'), name: 'Processed' },
    { expr: series(kind, 'job_records_not_processed'), name: 'Not processed' },
    ...extra,
  ])
    .unit(units.Short)
    .sortBy(sortedBy('Started', true));
}

/** The panels both kinds show, in the section of one kind. */
function kindPanels(kind: SectionKind, records: table.PanelBuilder): LayoutItem[] {
  return [
    row(kind.section),
    latestJobStatusPanel(kind).span(8).height(6),
    successAllowancePanel(kind).span(8).height(6),
    jobsFinishedByStatusPanel(kind, 'Runs finished by status').span(8).height(6),
    jobStatusTimelinePanel(kind).span(24).height(7),
    newestJobWaitPanel(kind).span(12).height(7),
    expectationsPanel(kind).span(12).height(7),
    jobDurationPanel(kind).span(8).height(10),
    records.span(16).height(10),
    perJobRatioPanel(kind, 'Share of records not processed per job', `Records not processed per input record of each ${kind.jobNoun} with input (recording rule job_id:…_records_not_processed_per_input_records:ratio). Orange from 1 %, red from 5 %.`, 'records_not_processed_per_input_records')
      .thresholds(thresholds('green', [0.01, 'orange'], [0.05, 'red']))
      .decimals(2)
      .span(8).height(10),
    countersOverTimePanel(kind, RECORDS_OVER_TIME, `Records of the ${kind.jobNoun}s that finished in each interval, per workflow (increase of records_processed_total and records_not_processed_total).`, [
      ['records_processed', 'processed'],
      ['records_not_processed', 'not processed'],
    ]).span(16).height(10),
    volumesPanel(kind).span(24).height(8),
    runQualityPanel(kind).span(24).height(8),
  ];
}

/** A per-job count of the newest SUCCEEDED job of each workflow: a step per run. */
function newestSuccessful(suffix: string): string {
  const kind = MATCHING;
  const perJob = `on (${targetIdentity(kind)}, job_id)`;
  return `max by (aws_account_id, aws_region, workflow) (
  ${series(kind, suffix)}
  and ${perJob}
  topk by (${targetIdentity(kind)}) (1,
    ${series(kind, 'job_end_timestamp_seconds')}
    and ${perJob}
    (${series(kind, 'job_status', 'status="SUCCEEDED"')} == 1)
  )
)`;
}

function matchIdsPerRunPanel(): timeseries.PanelBuilder {
  return timeseriesPanel(
    titled(MATCHING, MATCH_IDS_PER_RUN),
    'Per matching workflow, the match IDs (metrics.matchIDs) and records processed of its newest SUCCEEDED job: each step is a new run. The orange markers are the workflow\'s configuration changes (updatedAt of ListMatchingWorkflows, the annotation "Matching workflow configuration changed"), placed at the time of the change: a step in match IDs right after a marker comes from the new configuration, not from the data.',
    [
      { expr: newestSuccessful('job_match_ids'), legend: `${targetLegend(MATCHING)} match IDs` },
      { expr: newestSuccessful('job_records_processed'), legend: `${targetLegend(MATCHING)} records processed` },
    ],
  )
    .unit(units.Short)
    .lineInterpolation(common.LineInterpolation.StepAfter)
    .lineWidth(2)
    .fillOpacity(0)
    .spanNulls(true)
    .overrideByRegexp('.* records processed$', [{ id: 'custom.lineStyle', value: new common.LineStyleBuilder().fill('dash').dash([10, 10]).build() }]);
}

/** An ID-mapping job's count with the job's type (BATCH, INCREMENTAL, DELETE_ONLY) from job_info. */
const withJobType = (suffix: string): string =>
  `${series(ID_MAPPING, suffix)}\n  * on (${targetIdentity(ID_MAPPING)}, job_id) group_left (job_type)\n  ${series(ID_MAPPING, 'job_info')}`;

function mappedRecordsPerJobPanel(): table.PanelBuilder {
  return tablePanel(
    titled(ID_MAPPING, 'Mapped, new and removed records per job, by job type'),
    'What each ID-mapping job within the lookback mapped, newly mapped and removed, with its job type (BATCH, INCREMENTAL, DELETE_ONLY) from job_info; newest first.',
    [
      ...targetColumns(ID_MAPPING),
      { label: 'job_id', name: 'Job' },
      { label: 'job_type', name: 'Job type' },
      startedColumn(ID_MAPPING),
      { expr: withJobType('job_mapped_records'), name: 'Mapped' },
      { expr: withJobType('job_new_mapped_records'), name: 'New mapped' },
      { expr: withJobType('job_mapped_records_removed'), name: 'Mapped removed' },
      { expr: withJobType('job_unique_records_loaded'), name: 'Unique loaded' },
      { expr: withJobType('job_new_unique_records_loaded'), name: 'New unique loaded' },
    ],
  )
    .unit(units.Short)
    .sortBy(sortedBy('Started', true));
}

function recordsMappedByJobTypePanel(): bargauge.PanelBuilder {
  const byJobType = (suffix: string, legend: string): { expr: string; legend: string } => ({ expr: `sum by (job_type) (${withJobType(suffix)})`, legend: `{{job_type}} ${legend}` });
  return barGaugePanel(
    titled(ID_MAPPING, 'Records mapped by job type'),
    'Records mapped, newly mapped and removed, summed over the ID-mapping jobs within the lookback, per job type.',
    [byJobType('job_mapped_records', 'mapped'), byJobType('job_new_mapped_records', 'new mapped'), byJobType('job_mapped_records_removed', 'removed')],
  )
    .unit(units.Short)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic));
}

function workflowsPanel(): table.PanelBuilder {
  return tablePanel(
    'Workflows: kind, resolution type and last configuration change',
    'Every matching and ID-mapping workflow, from ListMatchingWorkflows and ListIdMappingWorkflows (refreshed every refresh_every_collections collections): its kind, its resolution type (RULE_MATCHING, ML_MATCHING or PROVIDER; matching only) and when its configuration last changed (updatedAt), most recent first.',
    [
      { label: 'aws_account_id', name: 'Account' },
      { label: 'aws_region', name: 'Region' },
      { label: 'kind', name: 'Kind' },
      { label: 'workflow', name: 'Workflow' },
      { label: 'resolution_type', name: 'Resolution type' },
      { expr: workflowSeries('info') },
      { expr: `${workflowSeries('updated_timestamp_seconds')} * 1000`, name: 'Last configuration change', properties: [unitIs(units.DatetimeISO)] },
    ],
  )
    .unit(units.NoUnit)
    .sortBy(sortedBy('Last configuration change', true));
}

function errorsPanel(): table.PanelBuilder {
  const withKind = (kind: JobKind, name: string): string => `label_replace(${series(kind, 'job_error_info')}, "kind", "${name}", "", "")`;
  return tablePanel('Error messages of failed jobs', 'errorDetails.errorMessage of each FAILED matching or ID-mapping job within the lookback (cut to 256 characters).', [
    { label: 'kind', name: 'Kind' },
    ...targetColumns(MATCHING),
    { label: 'job_id', name: 'Job' },
    { label: 'message', name: 'Message' },
    { expr: `${withKind(MATCHING, 'matching')}\n  or\n  ${withKind(ID_MAPPING, 'id_mapping')}` },
  ]).unit(units.NoUnit);
}

/** Marks each workflow's configuration changes, at its updatedAt (the value, in milliseconds), on the panels given. */
function configurationChanges(name: string, kind: 'matching' | 'id_mapping', color: string, shownOn: number[]): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(name)
    .enable(true)
    .hide(false)
    .iconColor(color)
    .datasource(DATASOURCE)
    .expr(`${workflowSeries('updated_timestamp_seconds', `kind="${kind}"`)} * 1000`)
    .step('5m')
    .useValueForTime(true)
    .titleFormat('Configuration of workflow {{workflow}} changed')
    .textFormat('{{kind}} workflow {{workflow}} ({{aws_account_id}}, {{aws_region}}): updatedAt')
    .tagKeys('kind,workflow')
    .filter(new dashboard.AnnotationPanelFilterBuilder().exclude(false).ids(shownOn));
}

export function entityResolutionDashboard(): DashboardBuilder {
  const panels: LayoutItem[] = [
    ...kindPanels(MATCHING, recordsPerJobPanel(MATCHING, [{ expr: series(MATCHING, 'job_match_ids'), name: 'Match IDs' }], ' (and the match IDs)')),
    matchIdsPerRunPanel().span(24).height(9),
    ...kindPanels(ID_MAPPING, recordsPerJobPanel(ID_MAPPING, [], '')),
    mappedRecordsPerJobPanel().span(16).height(10),
    recordsMappedByJobTypePanel().span(8).height(10),
    row('Workflows'),
    workflowsPanel().span(24).height(7),
    row('Errors'),
    errorsPanel().span(24).height(8),
  ];
  return withLayout(dashboardFrame({
    uid: 'aws-resolution-entity',
    title: 'Entity Resolution',
    description: 'AWS Entity Resolution matching and ID-mapping jobs, per workflow: status, timing against expectations, record counts and volumes, match IDs, ID-mapping results by job type, and error messages.',
    scope: { kinds: 'matching|id_mapping', target: { name: 'workflow', label: 'Workflow' } },
  }), panels)
    .annotation(configurationChanges('Matching workflow configuration changed', 'matching', 'orange', panelIds(panels, [titled(MATCHING, MATCH_IDS_PER_RUN), titled(MATCHING, RECORDS_OVER_TIME)])))
    .annotation(configurationChanges('ID-mapping workflow configuration changed', 'id_mapping', 'purple', panelIds(panels, [titled(ID_MAPPING, RECORDS_OVER_TIME)])));
}
