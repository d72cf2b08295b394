import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_DASHBOARD_OPTIONS, renderDashboards } from '../monitoring/dashboards/index.js';
import {
  allPanels, interpolateVariables, labelValuesOf, loadDashboards, queryOf, readDashboardFiles, VARIABLE_REFERENCE,
  type Annotation, type Dashboard, type Datasource, type Panel, type Target, type Variable,
} from './support/dashboards.js';
import { emittedMetricNames, recordedMetricNames } from './support/emittedMetrics.js';
import { childrenOf, parsePromQL, type SyntaxNode } from './support/promql.js';

/*
 * The bundled Grafana dashboards, held to grafana/dashboard-linter's rules written as plain walks over the
 * JSON, with PromQL read by Prometheus' own grammar (@prometheus-io/lezer-promql). Each test gathers every
 * problem of every dashboard, so one run names them all.
 */

const README = 'grafana/README.md';
const SHARED_TAG = 'aws-resolution-exporter';
const TITLE_PREFIX = 'AWS resolution / ';
const DS_VARIABLE_UID = '${datasource}';
/** The uid of the provisioned data source, which the dashboards' data source variable defaults to. */
const PROVISIONED_DS_UID = 'prometheus';

/** The dashboards, their stable uids, and the variables (besides datasource, job and instance) that scope their series. */
const EXPECTED: Readonly<Record<string, { readonly uid: string; readonly scope: readonly string[] }>> = {
  'entity-resolution.json': { uid: 'aws-resolution-entity', scope: ['aws_account_id', 'aws_region', 'workflow'] },
  'exporter-health.json': { uid: 'aws-resolution-exporter', scope: ['aws_account_id', 'aws_region'] },
  'identity-resolution.json': { uid: 'aws-resolution-identity', scope: ['aws_account_id', 'aws_region', 'domain'] },
};

/** Which metrics carry which scoping labels: a selector of such a metric must filter them by the variable of that name. */
const SCOPED_METRICS: readonly { readonly pattern: RegExp; readonly labels: readonly string[] }[] = [
  { pattern: /aws_customer_profiles_/, labels: ['aws_account_id', 'aws_region', 'domain'] },
  { pattern: /aws_entity_resolution_/, labels: ['aws_account_id', 'aws_region', 'workflow'] },
  { pattern: /^aws_resolution_exporter_target_/, labels: ['aws_account_id', 'aws_region'] },
];

/**
 * Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts) of the categories a dashboard of
 * this exporter can use: misc, data, data rate, date & time, time, throughput and boolean.
 */
const GRAFANA_UNITS: ReadonlySet<string> = new Set([
  'none', 'string', 'short', 'percent', 'percentunit', 'humidity', 'dB', 'hex0x', 'hex', 'sci', 'locale', 'pixel',
  'bytes', 'decbytes', 'bits', 'decbits', 'kbytes', 'deckbytes', 'mbytes', 'decmbytes', 'gbytes', 'decgbytes', 'tbytes', 'dectbytes', 'pbytes', 'decpbytes',
  'pps', 'binBps', 'Bps', 'binbps', 'bps', 'KiBs', 'Kibits', 'KBs', 'Kbits', 'MiBs', 'Mibits', 'MBs', 'Mbits', 'GiBs', 'Gibits', 'GBs', 'Gbits',
  'dateTimeAsIso', 'dateTimeAsIsoNoDateIfToday', 'dateTimeAsUS', 'dateTimeAsUSNoDateIfToday', 'dateTimeAsLocal', 'dateTimeAsLocalNoDateIfToday', 'dateTimeAsSystem', 'dateTimeFromNow',
  'hertz', 'ns', 'µs', 'ms', 's', 'm', 'h', 'd', 'dtdurationms', 'dtdurations', 'dthms', 'dtdhms', 'timeticks', 'clockms', 'clocks',
  'cps', 'ops', 'reqps', 'rps', 'wps', 'iops', 'cpm', 'opm', 'rpm', 'wpm',
  'bool', 'bool_yes_no', 'bool_on_off',
]);

/** Panels that show no numbers, and so need no unit. */
const UNITLESS_PANEL_TYPES: ReadonlySet<string> = new Set(['row', 'text', 'news', 'dashlist']);

const isRow = (panel: Panel): boolean => panel.type === 'row';
const variablesOf = (dashboard: Dashboard): readonly Variable[] => dashboard.templating?.list ?? [];
const where = (dashboard: Dashboard, panel?: Panel, target?: Target): string =>
  [dashboard.file, panel ? `panel ${String(panel.id)} "${panel.title ?? ''}"` : undefined, target ? `target ${target.refId ?? '?'}` : undefined].filter(Boolean).join(' / ');

/** The annotation queries of a dashboard, Grafana's built-in one left out. */
const annotationQueriesOf = (dashboard: Dashboard): readonly Annotation[] => (dashboard.annotations?.list ?? []).filter((annotation) => annotation.builtIn !== 1);
const annotationExpr = (annotation: Annotation): string => annotation.expr ?? annotation.target?.expr ?? '';

/**
 * Every PromQL query of the dashboards, with where it is: each panel target (rows left out), then each
 * annotation query, which the same rules hold to.
 */
function queriesOf(dashboards: readonly Dashboard[]): { dashboard: Dashboard; at: string; expr: string }[] {
  return dashboards.flatMap((dashboard) => [
    ...allPanels(dashboard).filter((panel) => !isRow(panel)).flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ dashboard, at: where(dashboard, panel, target), expr: target.expr ?? '' }))),
    ...annotationQueriesOf(dashboard).map((annotation) => ({ dashboard, at: `${dashboard.file} / annotation "${annotation.name ?? ''}"`, expr: annotationExpr(annotation) })),
  ]);
}

// ---------------------------------------------------------------------------------------------- PromQL

const INTERVAL_MACROS = ['__rate_interval', '__interval', '__range'] as const;
/** What every interval macro stands for when checking that an expression parses. */
const FIVE_MINUTES: Readonly<Record<string, string>> = Object.fromEntries(INTERVAL_MACROS.map((name) => [name, '5m']));
/** A duration no one writes by hand, standing for $__rate_interval alone (as dashboard-linter does), so its uses can be told apart. */
const RATE_INTERVAL_MAGIC = '8869h';
const MAGIC_RATE_INTERVAL: Readonly<Record<string, string>> = { ...FIVE_MINUTES, __rate_interval: RATE_INTERVAL_MAGIC };
/** The plain string a template variable becomes. */
const valueOf = (variable: string): string => `var_${variable}`;

/** `$var`, `${var}` and `${var:format}` become a plain value; interval macros become durations. */
const interpolate = (expr: string, durations: Readonly<Record<string, string>> = FIVE_MINUTES): string => interpolateVariables(expr, durations, valueOf);

/** Names of the variables an expression refers to, interval macros left out. */
function referencedVariables(expr: string): string[] {
  return [...expr.matchAll(VARIABLE_REFERENCE)].map((match) => match[1] ?? match[2] ?? '').filter((name) => !(INTERVAL_MACROS as readonly string[]).includes(name));
}

const functionName = (source: string, call: SyntaxNode): string => {
  const identifier = childrenOf(call, 'FunctionIdentifier')[0];
  return identifier ? source.slice(identifier.from, identifier.to) : '';
};

const RATE_FUNCTIONS: ReadonlySet<string> = new Set(['rate', 'irate', 'increase']);
const COUNTER_SUFFIX = /(_total|_bucket|_count|_sum)$/;

/** True when a selector is the range of a rate, irate or increase call: FunctionCall > FunctionCallBody > MatrixSelector > VectorSelector. */
function insideRateFunction(source: string, selector: SyntaxNode): boolean {
  const matrix = selector.parent;
  const body = matrix?.parent;
  const call = body?.parent;
  return matrix?.name === 'MatrixSelector' && body?.name === 'FunctionCallBody' && call?.name === 'FunctionCall' && RATE_FUNCTIONS.has(functionName(source, call));
}

// ---------------------------------------------------------------------------------------------- tests

describe('bundled Grafana dashboards', () => {
  const dashboards = (): Dashboard[] => loadDashboards();

  it('are what monitoring/dashboards renders, byte for byte (render them anew after a change: see grafana/README.md)', () => {
    const rendered = renderDashboards(DEFAULT_DASHBOARD_OPTIONS);
    const committed = readDashboardFiles();
    expect([...committed.keys()], 'the same files').to.deep.equal([...rendered.keys()].sort());
    const stale = [...rendered].filter(([file, text]) => committed.get(file) !== text).map(([file]) => file);
    expect(stale, 'files that differ from their rendering').to.deep.equal([]);
  });

  it('render with another refresh differing in the refresh field alone', () => {
    const standard = renderDashboards(DEFAULT_DASHBOARD_OPTIONS);
    const everyMinute = renderDashboards({ refresh: '1m' });
    expect([...everyMinute.keys()]).to.deep.equal([...standard.keys()]);
    for (const [file, text] of everyMinute) {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(parsed.refresh, file).to.equal('1m');
      expect({ ...parsed, refresh: DEFAULT_DASHBOARD_OPTIONS.refresh }, file).to.deep.equal(JSON.parse(standard.get(file) ?? ''));
    }
  });

  it('are the three dashboards, each with its stable uid, all uids unique', () => {
    const found = dashboards();
    expect(Object.fromEntries(found.map((dashboard) => [dashboard.file, dashboard.uid]))).to.deep.equal(Object.fromEntries(Object.entries(EXPECTED).map(([file, { uid }]) => [file, uid])));
    const uids = found.map((dashboard) => dashboard.uid);
    expect(new Set(uids).size, 'uids unique').to.equal(uids.length);
    for (const uid of uids) expect(uid, 'Grafana uids are at most 40 characters of [a-zA-Z0-9_-]').to.match(/^[\w-]{1,40}$/);
  });

  it('share the title prefix and tag, UTC, a 30 s refresh and schema version 39, and import without __inputs', () => {
    const problems: string[] = [];
    const titles = new Set<string>();
    for (const dashboard of dashboards()) {
      const title = dashboard.title ?? '';
      if (!title.startsWith(TITLE_PREFIX) || title.length === TITLE_PREFIX.length) problems.push(`${dashboard.file}: title "${title}" does not start with "${TITLE_PREFIX}"`);
      if (titles.has(title)) problems.push(`${dashboard.file}: title "${title}" used twice`);
      titles.add(title);
      if (!(dashboard.tags ?? []).includes(SHARED_TAG)) problems.push(`${dashboard.file}: no tag ${SHARED_TAG}`);
      if (dashboard.timezone !== 'utc') problems.push(`${dashboard.file}: timezone ${String(dashboard.timezone)}`);
      if (dashboard.refresh !== '30s') problems.push(`${dashboard.file}: refresh ${String(dashboard.refresh)}`);
      if (dashboard.schemaVersion !== 39) problems.push(`${dashboard.file}: schemaVersion ${String(dashboard.schemaVersion)}`);
      if (dashboard.__inputs !== undefined) problems.push(`${dashboard.file}: has __inputs (an export for sharing, which provisioning cannot fill)`);
    }
    expect(problems).to.deep.equal([]);
  });

  it('link to the two others by their shared tag, keeping the time range and the variables', () => {
    const all = dashboards();
    const problems: string[] = [];
    for (const dashboard of all) {
      const links = (dashboard.links ?? []).filter((link) => link.type === 'dashboards' && (link.tags ?? []).includes(SHARED_TAG));
      if (links.length === 0) problems.push(`${dashboard.file}: no "dashboards" link by tag ${SHARED_TAG}`);
      for (const link of links) if (link.includeVars !== true || link.keepTime !== true) problems.push(`${dashboard.file}: its link does not keep time and variables`);
      for (const link of links) {
        const reached = all.filter((other) => other !== dashboard && (link.tags ?? []).every((tag) => (other.tags ?? []).includes(tag)));
        if (reached.length !== all.length - 1) problems.push(`${dashboard.file}: its link reaches ${reached.map((other) => other.file).join(', ')}, not every other dashboard`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('give every panel a unique id and a grid position inside the 24 columns, overlapping no other', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      const panels = allPanels(dashboard);
      const ids = panels.map((panel) => panel.id);
      if (ids.some((id) => typeof id !== 'number')) problems.push(`${dashboard.file}: a panel without a numeric id`);
      if (new Set(ids).size !== ids.length) problems.push(`${dashboard.file}: panel ids not unique`);
      const boxes: { panel: Panel; x: number; y: number; w: number; h: number }[] = [];
      for (const panel of panels) {
        const { x, y, w, h } = panel.gridPos ?? {};
        if (x === undefined || y === undefined || w === undefined || h === undefined) {
          problems.push(`${where(dashboard, panel)}: no complete gridPos`);
          continue;
        }
        if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > 24) problems.push(`${where(dashboard, panel)}: gridPos ${JSON.stringify(panel.gridPos)} outside the grid`);
        for (const box of boxes) {
          if (x < box.x + box.w && box.x < x + w && y < box.y + box.h && box.y < y + h) problems.push(`${where(dashboard, panel)} overlaps ${where(dashboard, box.panel)}`);
        }
        boxes.push({ panel, x, y, w, h });
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('template a Prometheus data source, and job and instance from the exporter\'s build_info', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      const variables = variablesOf(dashboard);
      const byName = (name: string): Variable | undefined => variables.find((variable) => variable.name === name);
      const datasource = byName('datasource');
      if (datasource?.type !== 'datasource' || datasource.query !== 'prometheus' || datasource.label !== 'Data source') {
        problems.push(`${dashboard.file}: no datasource variable of type datasource, query prometheus, labelled "Data source"`);
      } else if (datasource.current?.value !== PROVISIONED_DS_UID) {
        problems.push(`${dashboard.file}: the datasource variable does not default to the provisioned uid ${PROVISIONED_DS_UID}`);
      }
      const expected: Readonly<Record<string, [string, string]>> = {
        job: ['Job', 'label_values(aws_resolution_exporter_build_info, job)'],
        instance: ['Instance', 'label_values(aws_resolution_exporter_build_info{job=~"$job"}, instance)'],
      };
      for (const [name, [label, query]] of Object.entries(expected)) {
        const variable = byName(name);
        if (variable?.type !== 'query') problems.push(`${dashboard.file}: no query variable ${name}`);
        else {
          if (queryOf(variable) !== query) problems.push(`${dashboard.file}: variable ${name} queries ${queryOf(variable)}, not ${query}`);
          if (variable.label !== label) problems.push(`${dashboard.file}: variable ${name} labelled ${String(variable.label)}, not ${label}`);
          if (variable.multi !== true || variable.includeAll !== true) problems.push(`${dashboard.file}: variable ${name} not multi-valued with All`);
          if (variable.allValue !== '.+') problems.push(`${dashboard.file}: variable ${name} allValue ${String(variable.allValue)}, not .+`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('template account, region and domain or workflow from label_values, multi-valued with an All of .*', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      const scope = EXPECTED[dashboard.file]?.scope ?? [];
      for (const name of scope) {
        const variable = variablesOf(dashboard).find((candidate) => candidate.name === name);
        if (variable?.type !== 'query') {
          problems.push(`${dashboard.file}: no query variable ${name}`);
          continue;
        }
        if (!labelValuesOf(queryOf(variable))) problems.push(`${dashboard.file}: variable ${name} is not a label_values(selector, label) query`);
        if (variable.multi !== true || variable.includeAll !== true || variable.allValue !== '.*') problems.push(`${dashboard.file}: variable ${name} not multi-valued with All = .*`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('query every variable through the templated data source, on time-range change, from variables defined before it', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      const defined = new Set<string>();
      for (const variable of variablesOf(dashboard)) {
        const name = variable.name ?? '?';
        if (variable.type === 'query') {
          const query = queryOf(variable);
          if (variable.datasource?.type !== 'prometheus' || variable.datasource.uid !== DS_VARIABLE_UID) problems.push(`${dashboard.file}: variable ${name} not on datasource ${DS_VARIABLE_UID}`);
          if (variable.refresh !== 2) problems.push(`${dashboard.file}: variable ${name} not refreshed on time-range change (refresh 2)`);
          if (variable.definition !== query) problems.push(`${dashboard.file}: variable ${name}'s definition differs from its query`);
          const labelValues = labelValuesOf(query);
          if (!labelValues) problems.push(`${dashboard.file}: variable ${name} is not a label_values(selector, label) query: ${query}`);
          else {
            const parsed = parsePromQL(interpolate(labelValues.selector));
            problems.push(...parsed.errors.map((error) => `${dashboard.file}: variable ${name}: ${error}`));
            if (parsed.selectors.length !== 1 || parsed.nodes[1]?.name !== 'VectorSelector') problems.push(`${dashboard.file}: variable ${name}'s selector is not one series selector`);
            const required = name === 'job' ? [] : name === 'instance' ? ['job'] : ['job', 'instance'];
            for (const label of required) {
              if (!parsed.selectors.every((selector) => selector.matchers.some((m) => m.name === label && m.op === '=~' && m.value === valueOf(label)))) problems.push(`${dashboard.file}: variable ${name}'s selector lacks ${label}=~"$${label}"`);
            }
          }
          for (const reference of referencedVariables(query)) if (!defined.has(reference)) problems.push(`${dashboard.file}: variable ${name} uses $${reference}, not defined before it`);
        }
        defined.add(name);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('give every panel a title and a description', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      for (const panel of allPanels(dashboard)) {
        if (!(panel.title ?? '').trim()) problems.push(`${where(dashboard, panel)}: no title`);
        if (!isRow(panel) && !(panel.description ?? '').trim()) problems.push(`${where(dashboard, panel)}: no description`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('give every panel that shows numbers a valid Grafana unit, in its defaults and its overrides', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      for (const panel of allPanels(dashboard).filter((candidate) => !UNITLESS_PANEL_TYPES.has(candidate.type ?? ''))) {
        const unit = panel.fieldConfig?.defaults?.unit;
        if (unit === undefined || !GRAFANA_UNITS.has(unit)) problems.push(`${where(dashboard, panel)}: unit ${String(unit)} is not a Grafana unit id`);
        for (const override of panel.fieldConfig?.overrides ?? []) {
          for (const property of override.properties ?? []) {
            if (property.id === 'unit' && (typeof property.value !== 'string' || !GRAFANA_UNITS.has(property.value))) problems.push(`${where(dashboard, panel)}: override unit ${String(property.value)} is not a Grafana unit id`);
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('give every panel the templated data source, and every target too', () => {
    const problems: string[] = [];
    const templated = (datasource: Datasource | undefined): boolean => datasource?.type === 'prometheus' && datasource.uid === DS_VARIABLE_UID;
    for (const dashboard of dashboards()) {
      for (const panel of allPanels(dashboard).filter((candidate) => !isRow(candidate))) {
        if (!templated(panel.datasource)) problems.push(`${where(dashboard, panel)}: datasource ${JSON.stringify(panel.datasource)}`);
        for (const target of panel.targets ?? []) if (!templated(target.datasource)) problems.push(`${where(dashboard, panel, target)}: datasource ${JSON.stringify(target.datasource)}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('give every annotation query a name, the templated data source, an expression, and only panels of its dashboard to show on', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      const ids = new Set(allPanels(dashboard).map((panel) => panel.id));
      const names = new Set<string>();
      for (const annotation of annotationQueriesOf(dashboard)) {
        const at = `${dashboard.file} / annotation "${annotation.name ?? ''}"`;
        if (!(annotation.name ?? '').trim()) problems.push(`${at}: no name`);
        if (names.has(annotation.name ?? '')) problems.push(`${at}: name used twice`);
        names.add(annotation.name ?? '');
        if (annotation.datasource?.type !== 'prometheus' || annotation.datasource.uid !== DS_VARIABLE_UID) problems.push(`${at}: datasource ${JSON.stringify(annotation.datasource)}`);
        if (!annotationExpr(annotation).trim()) problems.push(`${at}: no expr`);
        // With useValueForTime Grafana places the event at the series' value, which it reads as milliseconds.
        if (annotation.useValueForTime === true && !/\*\s*1000\s*$/.test(annotationExpr(annotation))) problems.push(`${at}: useValueForTime needs the timestamp in milliseconds (* 1000)`);
        for (const id of annotation.filter?.ids ?? []) if (!ids.has(id)) problems.push(`${at}: shown on panel ${String(id)}, which the dashboard does not have`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('give every panel at least one target, each with an expression and a refId unique in its panel', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      for (const panel of allPanels(dashboard).filter((candidate) => !isRow(candidate))) {
        const targets = panel.targets ?? [];
        if (targets.length === 0) problems.push(`${where(dashboard, panel)}: no target`);
        for (const target of targets) {
          if (!(target.expr ?? '').trim()) problems.push(`${where(dashboard, panel, target)}: no expr`);
          if (!target.refId) problems.push(`${where(dashboard, panel, target)}: no refId`);
        }
        if (new Set(targets.map((target) => target.refId)).size !== targets.length) problems.push(`${where(dashboard, panel)}: refIds not unique`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('write every expression in PromQL that parses once the variables are substituted', () => {
    const all = queriesOf(dashboards());
    expect(all.length).to.be.greaterThan(20);
    expect(all.filter(({ at }) => at.includes(' / annotation ')), 'annotation queries are checked too').to.not.be.empty;
    const problems = all.flatMap(({ at, expr }) => parsePromQL(interpolate(expr)).errors.map((error) => `${at}: ${error}`));
    expect(problems).to.deep.equal([]);
  });

  it('use $__rate_interval as the range of every rate, irate and increase', () => {
    const problems: string[] = [];
    for (const { at, expr } of queriesOf(dashboards())) {
      const { source, nodes } = parsePromQL(interpolate(expr, MAGIC_RATE_INTERVAL));
      for (const call of nodes.filter((node) => node.name === 'FunctionCall' && RATE_FUNCTIONS.has(functionName(source, node)))) {
        const argument = childrenOf(call, 'FunctionCallBody')[0]?.firstChild; // the parentheses are no nodes
        const range = argument?.name === 'MatrixSelector' ? childrenOf(argument, 'DurationExpr')[0] : undefined;
        if (!range || source.slice(range.from, range.to) !== RATE_INTERVAL_MAGIC) problems.push(`${at}: ${source.slice(call.from, call.to)} does not range over $__rate_interval`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('select every series with job=~"$job" and instance=~"$instance"', () => {
    const problems: string[] = [];
    for (const { at, expr } of queriesOf(dashboards())) {
      const { selectors } = parsePromQL(interpolate(expr));
      for (const selector of selectors) {
        for (const label of ['job', 'instance']) {
          if (!selector.matchers.some((matcher) => matcher.name === label && matcher.op === '=~' && matcher.value === valueOf(label))) {
            problems.push(`${at}: ${selector.text} lacks ${label}=~"$${label}"`);
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('filter every job and target series by the dashboard\'s account, region and domain or workflow variables', () => {
    const problems: string[] = [];
    for (const { dashboard, at, expr } of queriesOf(dashboards())) {
      const scope = new Set(EXPECTED[dashboard.file]?.scope ?? []);
      const { selectors } = parsePromQL(interpolate(expr));
      for (const selector of selectors) {
        const labels = SCOPED_METRICS.filter(({ pattern }) => pattern.test(selector.metric ?? '')).flatMap((scoped) => scoped.labels);
        for (const label of labels) {
          if (!scope.has(label)) problems.push(`${at}: ${selector.metric ?? '?'} has a ${label} label the dashboard has no variable for`);
          else if (!selector.matchers.some((matcher) => matcher.name === label && matcher.op === '=~' && matcher.value === valueOf(label))) {
            problems.push(`${at}: ${selector.text} lacks ${label}=~"$${label}"`);
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('match template variables only with =~ (an All of .* must stay a regex), and only variables the dashboard defines', () => {
    const problems: string[] = [];
    for (const { dashboard, at, expr } of queriesOf(dashboards())) {
      const defined = new Set(variablesOf(dashboard).map((variable) => variable.name));
      for (const name of referencedVariables(expr)) if (!defined.has(name)) problems.push(`${at}: uses $${name}, which the dashboard does not define`);
      for (const selector of parsePromQL(interpolate(expr)).selectors) {
        for (const matcher of selector.matchers) {
          if (matcher.value.includes(valueOf('')) && matcher.op !== '=~') problems.push(`${at}: ${matcher.name}${matcher.op}"${matcher.value}" matches a variable without =~`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('never use a counter or a histogram series bare, only as the range of rate, irate or increase', () => {
    const problems: string[] = [];
    for (const { at, expr } of queriesOf(dashboards())) {
      const { source, selectors } = parsePromQL(interpolate(expr));
      for (const selector of selectors) {
        if (COUNTER_SUFFIX.test(selector.metric ?? '') && !insideRateFunction(source, selector.node)) problems.push(`${at}: ${selector.metric ?? '?'} used outside rate, irate or increase`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('query tables as instant tables, merging several queries only after dropping __name__', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      for (const panel of allPanels(dashboard).filter((candidate) => candidate.type === 'table')) {
        for (const target of panel.targets ?? []) if (target.instant !== true || target.format !== 'table') problems.push(`${where(dashboard, panel, target)}: not an instant table query`);
        if ((panel.targets ?? []).length < 2) continue;
        const transformations = panel.transformations ?? [];
        const merge = transformations.findIndex((transformation) => transformation.id === 'merge');
        // Grafana's merge joins rows only where every column they share agrees, and __name__ differs between metrics.
        const dropsName = transformations.slice(0, Math.max(0, merge)).some((transformation) => transformation.id === 'organize' && transformation.options?.excludeByName?.__name__ === true);
        if (merge < 0 || !dropsName) problems.push(`${where(dashboard, panel)}: ${String((panel.targets ?? []).length)} queries not merged after an organize that drops __name__`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('name in overrides and sorting only columns that tables have once renamed', () => {
    const problems: string[] = [];
    for (const dashboard of dashboards()) {
      for (const panel of allPanels(dashboard).filter((candidate) => candidate.type === 'table')) {
        const renamed = new Set((panel.transformations ?? []).flatMap((transformation) => Object.values(transformation.options?.renameByName ?? {})));
        for (const override of panel.fieldConfig?.overrides ?? []) {
          if (override.matcher?.id === 'byName' && !renamed.has(String(override.matcher.options))) problems.push(`${where(dashboard, panel)}: override for a column "${String(override.matcher.options)}" it does not have`);
        }
        for (const sort of panel.options?.sortBy ?? []) if (!renamed.has(sort.displayName ?? '')) problems.push(`${where(dashboard, panel)}: sorted by a column "${String(sort.displayName)}" it does not have`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('are described panel by panel, and annotation by annotation, in grafana/README.md', () => {
    const readme = readFileSync(README, 'utf8');
    const missing = dashboards().flatMap((dashboard) => [
      `## ${(dashboard.title ?? '').replace(TITLE_PREFIX, '')}\n`,
      ...allPanels(dashboard).filter((panel) => !isRow(panel)).map((panel) => `**${panel.title ?? ''}**`),
      ...annotationQueriesOf(dashboard).map((annotation) => `**${annotation.name ?? ''}**`),
    ].filter((heading) => !readme.includes(heading)).map((heading) => `${dashboard.file}: ${heading.trim()}`));
    expect(missing).to.deep.equal([]);
  });

  describe('against the metrics that exist', () => {
    let emitted: ReadonlySet<string> = new Set();
    before(async () => {
      emitted = await emittedMetricNames();
    });

    it('reference only metrics the exporter emits or the recording rules in prometheus/rules.yml record', () => {
      const known = new Set([...emitted, ...recordedMetricNames()]);
      expect(known.size).to.be.greaterThan(50);
      const problems: string[] = [];
      const check = (context: string, source: string): void => {
        for (const selector of parsePromQL(source).selectors) {
          if (selector.metric === undefined) problems.push(`${context}: a selector without a metric name`);
          else if (!known.has(selector.metric)) problems.push(`${context}: ${selector.metric} is neither emitted nor recorded`);
        }
      };
      for (const { at, expr } of queriesOf(dashboards())) check(at, interpolate(expr));
      for (const dashboard of dashboards()) {
        for (const variable of variablesOf(dashboard).filter((candidate) => candidate.type === 'query')) {
          check(`${dashboard.file}: variable ${variable.name ?? '?'}`, interpolate(labelValuesOf(queryOf(variable))?.selector ?? ''));
        }
      }
      expect(problems).to.deep.equal([]);
    });
  });
});

describe('Grafana provisioning', () => {
  it('provisions the Prometheus data source, default, at http://prometheus:9090 with the uid the dashboards default to', () => {
    const doc = parseYaml(readFileSync('grafana/provisioning/datasources/prometheus.yml', 'utf8')) as { apiVersion?: number; datasources?: Record<string, unknown>[] };
    expect(doc.apiVersion).to.equal(1);
    expect(doc.datasources).to.have.length(1);
    expect(doc.datasources?.[0]).to.include({ type: 'prometheus', uid: PROVISIONED_DS_UID, url: 'http://prometheus:9090', access: 'proxy', isDefault: true });
  });

  it('provisions the dashboards from /var/lib/grafana/dashboards into the "AWS resolution" folder', () => {
    const doc = parseYaml(readFileSync('grafana/provisioning/dashboards/aws-resolution-exporter.yml', 'utf8')) as { apiVersion?: number; providers?: { type?: string; folder?: string; options?: { path?: string } }[] };
    expect(doc.apiVersion).to.equal(1);
    expect(doc.providers).to.have.length(1);
    const provider = doc.providers?.[0];
    expect(provider).to.include({ type: 'file', folder: 'AWS resolution' });
    expect(provider?.options?.path).to.equal('/var/lib/grafana/dashboards');
  });
});
