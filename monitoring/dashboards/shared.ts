/**
 * What the three dashboards share: the frame (title prefix, tag, UTC, links between siblings), the data source
 * and the variables, and the query and panel styles. Built with the Grafana Foundation SDK's classic `dashboard`
 * model, the JSON that Grafana 11 and 12 both import.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as units from '@grafana/grafana-foundation-sdk/units';

/**
 * The SDK marks its classic dashboard builder deprecated in favour of dashboardv2, which Grafana 11 cannot
 * import; this alias is the one place that knowingly uses it.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
export type DashboardBuilder = dashboard.DashboardBuilder;

/** The tag the sibling links follow. */
const SHARED_TAG = 'aws-resolution-exporter';
const TITLE_PREFIX = 'AWS resolution / ';
/** Grafana 11.0's schema, which 11 and 12 both import and migrate on load; the SDK writes 42, newer than Grafana 11 knows. */
const SCHEMA_VERSION = 39;

/** Every panel, target and variable queries the Prometheus picked in the data source variable. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

// ------------------------------------------------------------------------------------------- frame and variables

/** The labels a dashboard's series are scoped by, besides job and instance, each with its variable of that name. */
export interface VariableScope {
  /** A regex of the target kinds whose `target_up` series list the values (all kinds when absent). */
  readonly kinds?: string;
  /** The variable listing the targets themselves (domain or workflow), when the dashboard has one. */
  readonly target?: { readonly name: 'domain' | 'workflow'; readonly label: string };
}

export interface DashboardFrame {
  readonly uid: string;
  /** The title after the shared prefix. */
  readonly title: string;
  readonly description: string;
  readonly scope: VariableScope;
}

/** The scope labels of a dashboard, in the order its selectors filter them. */
export function scopeLabels(scope: VariableScope): string[] {
  return ['aws_account_id', 'aws_region', ...(scope.target ? [scope.target.name] : [])];
}

const ALL: dashboard.VariableOption = { selected: true, text: ['All'], value: ['$__all'] };

function labelValuesVariable(name: string, label: string, query: string, allValue: string): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .definition(query)
    .query(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .regex('')
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(allValue)
    .current(ALL)
    .options([])
    .hide(dashboard.VariableHide.DontHide);
}

/**
 * Data source, job and instance (from build_info; their All is `.+`), then account, region and target from
 * `target_up`, each narrowed by the ones before it; their All is `.*`, which also matches a series without the
 * label (such as a request made before its account was known).
 */
function variables(scope: VariableScope): cog.Builder<dashboard.VariableModel>[] {
  const datasource = new dashboard.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .regex('')
    .current({ selected: false, text: 'Prometheus', value: 'prometheus' })
    .hide(dashboard.VariableHide.DontHide);
  const scoped: cog.Builder<dashboard.VariableModel>[] = [];
  const matchers = ['job=~"$job"', 'instance=~"$instance"', ...(scope.kinds === undefined ? [] : [`kind=~"${scope.kinds}"`])];
  const scopeVariables: (readonly [name: string, label: string, sourceLabel: string])[] = [['aws_account_id', 'AWS account', 'aws_account_id'], ['aws_region', 'AWS region', 'aws_region']];
  if (scope.target) scopeVariables.push([scope.target.name, scope.target.label, 'target']);
  for (const [name, label, sourceLabel] of scopeVariables) {
    scoped.push(labelValuesVariable(name, label, `label_values(aws_resolution_exporter_target_up{${matchers.join(', ')}}, ${sourceLabel})`, '.*'));
    matchers.push(`${name}=~"$${name}"`);
  }
  return [
    datasource,
    labelValuesVariable('job', 'Job', 'label_values(aws_resolution_exporter_build_info, job)', '.+'),
    labelValuesVariable('instance', 'Instance', 'label_values(aws_resolution_exporter_build_info{job=~"$job"}, instance)', '.+'),
    ...scoped,
  ];
}

/** Grafana's own annotations (alerts and manual ones), which every dashboard Grafana creates carries too. */
function builtInAnnotation(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .builtIn(1)
    .datasource({ type: 'grafana', uid: '-- Grafana --' })
    .enable(true)
    .hide(true)
    .iconColor('rgba(0, 211, 255, 1)')
    .name('Annotations & Alerts')
    .type('dashboard');
}

/** One link to every sibling (by the shared tag), keeping the time range and the variables they share. */
function siblingsLink(): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('AWS resolution')
    .type(dashboard.DashboardLinkType.Dashboards)
    .tags([SHARED_TAG])
    .asDropdown(false)
    .includeVars(true)
    .keepTime(true)
    .icon('external link')
    .targetBlank(false)
    .tooltip('')
    .url('');
}

/** A dashboard with the shared frame and its variables, without panels or refresh yet. */
export function dashboardFrame(frame: DashboardFrame): DashboardBuilder {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see DashboardBuilder
  return new dashboard.DashboardBuilder(TITLE_PREFIX + frame.title)
    // null: the instance that imports it picks the numeric id; the uid is what stays stable.
    .id(null)
    .uid(frame.uid)
    .description(frame.description)
    .tags([SHARED_TAG])
    .timezone('utc')
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-7d', to: 'now' })
    .fiscalYearStartMonth(0)
    .weekStart('')
    .version(1)
    .link(siblingsLink())
    .annotation(builtInAnnotation())
    .variables(variables(frame.scope));
}

/** A panel builder whose id can be set: every panel type's builder. */
export interface PanelItem extends cog.Builder<dashboard.Panel> { id(id: number): this }
/** What a dashboard lays out: rows and panels, in reading order. */
export type LayoutItem = dashboard.RowBuilder | PanelItem;

export const row = (title: string): dashboard.RowBuilder => new dashboard.RowBuilder(title);

/**
 * Adds the rows and panels in reading order, numbered 1, 2, … in that order. The SDK places each one after the
 * previous, wrapping at 24 columns, so a panel only needs its width and height.
 */
export function withLayout(board: DashboardBuilder, items: readonly LayoutItem[]): DashboardBuilder {
  items.forEach((item, index) => {
    if (item instanceof dashboard.RowBuilder) board.withRow(item.id(index + 1));
    else board.withPanel(item.id(index + 1));
  });
  return board;
}

/** The ids withLayout gives the panels of these titles, for annotations shown on some panels only. */
export function panelIds(items: readonly LayoutItem[], titles: readonly string[]): number[] {
  return titles.map((title) => {
    const index = items.findIndex((item) => item.build().title === title);
    if (index < 0) throw new Error(`no panel titled ${title}`);
    return index + 1;
  });
}

/** The dashboard file's text. */
export function renderDashboard(board: DashboardBuilder): string {
  return `${JSON.stringify({ ...board.build(), schemaVersion: SCHEMA_VERSION }, null, 2)}\n`;
}

// ------------------------------------------------------------------------------------------- queries

/**
 * A series selector filtered by the job and instance variables and by the variable of each scope label (an `=~`,
 * so that All's `.*` stays a regex), then by any further matchers.
 */
export function selector(metric: string, scope: readonly string[], ...matchers: string[]): string {
  const all = ['job=~"$job"', 'instance=~"$instance"', ...scope.map((label) => `${label}=~"$${label}"`), ...matchers];
  return `${metric}{${all.join(', ')}}`;
}

/** A PromQL expression and, for graphs, the legend of its series. */
export interface Query { readonly expr: string; readonly legend?: string }

const refId = (index: number): string => String.fromCharCode(65 + index);

function targets(queries: readonly Query[], shape: (query: prometheus.DataqueryBuilder) => prometheus.DataqueryBuilder): prometheus.DataqueryBuilder[] {
  return queries.map((query, index) => {
    const target = new prometheus.DataqueryBuilder().refId(refId(index)).datasource(DATASOURCE).editorMode(prometheus.QueryEditorMode.Code).expr(query.expr);
    return shape(query.legend === undefined ? target : target.legendFormat(query.legend));
  });
}

// Stats and bar gauges show each series' current value; graphs its history; tables one row per series now.
const instant = (queries: readonly Query[]): prometheus.DataqueryBuilder[] => targets(queries, (target) => target.instant());
const range = (queries: readonly Query[]): prometheus.DataqueryBuilder[] => targets(queries, (target) => target.range());
const instantTable = (queries: readonly Query[]): prometheus.DataqueryBuilder[] => targets(queries, (target) => target.instant().format(prometheus.PromQueryFormat.Table));

// ------------------------------------------------------------------------------------------- field config

/** Absolute thresholds: `base` below the first step, then each step's colour from its value on. */
export function thresholds(base: string, ...steps: readonly (readonly [value: number, color: string])[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ color: base, value: null }, ...steps.map(([value, color]) => ({ color, value }))]);
}

/** Exact values shown as text in a colour, listed in order. */
export function valueMappings(...entries: readonly (readonly [value: number | string, text: string, color: string])[]): dashboard.ValueMapping[] {
  return [{
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(entries.map(([value, text, color], index) => [String(value), { text, color, index }])),
  }];
}

const colorBy = (mode: dashboard.FieldColorModeId): dashboard.FieldColorBuilder => new dashboard.FieldColorBuilder().mode(mode);

// Field-config properties of a table column (an override).
export const unitIs = (unit: string): dashboard.DynamicConfigValue => ({ id: 'unit', value: unit });
export const mappedAs = (mappings: dashboard.ValueMapping[]): dashboard.DynamicConfigValue => ({ id: 'mappings', value: mappings });
const cellsAs = (cellOptions: common.TableCellOptions): dashboard.DynamicConfigValue => ({ id: 'custom.cellOptions', value: cellOptions });
export const COLOR_TEXT: dashboard.DynamicConfigValue = cellsAs({ type: common.TableCellDisplayMode.ColorText });
export const COLOR_BACKGROUND: dashboard.DynamicConfigValue = cellsAs({ type: common.TableCellDisplayMode.ColorBackground });

/** A 0/1 column shown as "off" or a green "on". */
export const ON_OFF: readonly dashboard.DynamicConfigValue[] = [unitIs(units.BoolOnOff), mappedAs(valueMappings([0, 'off', 'text'], [1, 'on', 'green'])), COLOR_TEXT];

// ------------------------------------------------------------------------------------------- panel styles

/** The builder methods every panel kind has, in the SDK's own signatures. */
interface PanelBasics {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: common.DataSourceRef): this;
  targets(targets: cog.Builder<cog.Dataquery>[]): this;
  colorScheme(color: cog.Builder<dashboard.FieldColor>): this;
}

/** What every panel starts with: its title and description, the templated data source, its queries and colours. */
function framed<B extends PanelBasics>(builder: B, title: string, description: string, targets: cog.Builder<cog.Dataquery>[], colors = dashboard.FieldColorModeId.Thresholds): B {
  return builder.title(title).description(description).datasource(DATASOURCE).targets(targets).colorScheme(colorBy(colors));
}

const lastValue = (): common.ReduceDataOptionsBuilder => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false);

/** One big coloured value per series, named after it. */
export function statPanel(title: string, description: string, queries: readonly Query[]): stat.PanelBuilder {
  return framed(new stat.PanelBuilder(), title, description, instant(queries))
    .thresholds(thresholds('green'))
    .reduceOptions(lastValue())
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .wideLayout(true);
}

/** One horizontal bar per series, from 0. */
export function barGaugePanel(title: string, description: string, queries: readonly Query[]): bargauge.PanelBuilder {
  return framed(new bargauge.PanelBuilder(), title, description, instant(queries))
    .thresholds(thresholds('green'))
    .min(0)
    .reduceOptions(lastValue())
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .valueMode(common.BarGaugeValueMode.Color)
    .namePlacement(common.BarGaugeNamePlacement.Left)
    .showUnfilled(true)
    .sizing(common.BarGaugeSizing.Auto)
    .minVizHeight(16)
    .minVizWidth(8)
    .maxVizHeight(300);
}

/** Lines over time, with a table legend of the last and highest values. */
export function timeseriesPanel(title: string, description: string, queries: readonly Query[]): timeseries.PanelBuilder {
  return framed(new timeseries.PanelBuilder(), title, description, range(queries), dashboard.FieldColorModeId.PaletteClassic)
    .drawStyle(common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.None).group('A'))
    .axisSoftMin(0)
    .thresholds(thresholds('green'))
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Right).showLegend(true).calcs(['lastNotNull', 'max']))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** Stacked bars: what happened in each interval (increases of counters). */
export function barsOverTimePanel(title: string, description: string, queries: readonly Query[]): timeseries.PanelBuilder {
  return timeseriesPanel(title, description, queries)
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'));
}

/** One lane per series, coloured by its value over time. */
export function stateTimelinePanel(title: string, description: string, queries: readonly Query[]): statetimeline.PanelBuilder {
  return framed(new statetimeline.PanelBuilder(), title, description, range(queries))
    .thresholds(thresholds('green'))
    .fillOpacity(80)
    .lineWidth(0)
    .showValue(common.VisibilityMode.Auto)
    .mergeValues(true)
    .alignValue(common.TimelineValueAlignment.Left)
    .rowHeight(0.9)
    .legend(new common.VizLegendOptionsBuilder().showLegend(false).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Single).sort(common.SortOrder.None));
}

/** A column of a table: one of the labels the queries share. */
export interface LabelColumn {
  readonly label: string;
  readonly name: string;
  readonly properties?: readonly dashboard.DynamicConfigValue[];
}

/** A column of a table: the value of one query (the queries are the query columns, in order). */
export interface QueryColumn {
  readonly expr: string;
  /** The value's column name; none to use the query for its labels only. */
  readonly name?: string;
  readonly properties?: readonly dashboard.DynamicConfigValue[];
  /**
   * Labels whose value differs from query to query (such as `source`), each shown in a column of its own right
   * after the value: label → column name. Renamed in this query's frame alone, so that the merge can still join
   * the queries' rows.
   */
  readonly ownLabels?: Readonly<Record<string, string>>;
}

export type TableColumn = LabelColumn | QueryColumn;

const isQueryColumn = (column: TableColumn): column is QueryColumn => 'expr' in column;

/** Options of Grafana's organize transformation: which fields to drop, in which order, under which names. */
interface OrganizeOptions {
  readonly excludeByName: Readonly<Record<string, boolean>>;
  readonly indexByName: Readonly<Record<string, number>>;
  readonly renameByName: Readonly<Record<string, string>>;
  readonly includeByName: Readonly<Record<string, boolean>>;
}

function organize(options: Partial<OrganizeOptions>, onlyQuery?: string): dashboard.DataTransformerConfig {
  const organized: OrganizeOptions = { excludeByName: {}, indexByName: {}, renameByName: {}, includeByName: {}, ...options };
  return { id: 'organize', ...(onlyQuery === undefined ? {} : { filter: { id: 'byRefId', options: onlyQuery } }), options: organized };
}

const flag = (names: readonly string[]): Record<string, boolean> => Object.fromEntries(names.map((name) => [name, true]));

/**
 * Instant table queries, one row per series. Several queries are merged into one row per label set, after
 * dropping __name__ (Grafana's merge joins rows only where every shared column agrees, and the metric names
 * differ); then the columns are put in order and renamed. Job and instance are dropped unless listed, and so is
 * any query value without a column.
 */
export function tablePanel(title: string, description: string, columns: readonly TableColumn[]): table.PanelBuilder {
  const queries = columns.filter(isQueryColumn);
  const valueField = (query: QueryColumn): string => (queries.length === 1 ? 'Value' : `Value #${refId(queries.indexOf(query))}`);
  const shown: [field: string, name: string, properties: readonly dashboard.DynamicConfigValue[]][] = columns.flatMap((column) => {
    if (!isQueryColumn(column)) return [[column.label, column.name, column.properties ?? []]];
    const ownLabels = Object.values(column.ownLabels ?? {}).map((name): [string, string, never[]] => [name, name, []]);
    return column.name === undefined ? ownLabels : [[valueField(column), column.name, column.properties ?? []], ...ownLabels];
  });
  const dropped = [
    'Time', '__name__',
    ...['job', 'instance'].filter((label) => !columns.some((column) => !isQueryColumn(column) && column.label === label)),
    ...queries.filter((query) => query.name === undefined).map(valueField),
  ];
  const merge: dashboard.DataTransformerConfig[] = queries.length < 2 ? [] : [
    organize({ excludeByName: flag(['__name__']) }),
    ...queries.flatMap((query) => (query.ownLabels ? [organize({ renameByName: query.ownLabels }, refId(queries.indexOf(query)))] : [])),
    { id: 'merge', options: {} },
  ];
  return framed(new table.PanelBuilder(), title, description, instantTable(queries.map(({ expr }) => ({ expr }))))
    .thresholds(thresholds('green'))
    .align(common.FieldTextAlignment.Auto)
    .cellOptions({ type: common.TableCellDisplayMode.Auto })
    .filterable(true)
    .overrides(shown.filter(([, , properties]) => properties.length > 0).map(([, name, properties]) => ({ matcher: { id: 'byName', options: name }, properties: [...properties] })))
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .footer(new common.TableFooterOptionsBuilder().show(false).reducer(['sum']).countRows(false))
    .transformations([
      ...merge,
      organize({
        excludeByName: flag(dropped),
        indexByName: Object.fromEntries(shown.map(([field], index) => [field, index])),
        renameByName: Object.fromEntries(shown.map(([field, name]) => [field, name])),
      }),
    ]);
}

/** Table rows sorted by one column. */
export const sortedBy = (name: string, desc: boolean): common.TableSortByFieldStateBuilder[] => [new common.TableSortByFieldStateBuilder().displayName(name).desc(desc)];
