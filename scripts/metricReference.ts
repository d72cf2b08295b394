import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { KIND_SPECS } from '../src/collect/kinds.js';
import { TARGET_KINDS, type TargetKind } from '../src/model/kinds.js';
import { domainFamilies, workflowFamilies } from '../src/metrics/factFamilies.js';
import { SelfMetrics } from '../src/metrics/selfMetrics.js';
import { SNAPSHOT_FAMILIES, type FamilyPlan } from '../src/metrics/snapshotMetrics.js';
import { KIND_NAMING, selfTargetFamilies } from '../src/metrics/targetFamilies.js';

/**
 * Every metric family the exporter defines, as the metric reference (docs/metrics.md) and the tests of HELP texts and
 * labels read them: from the family definitions and the self-metrics, never from a hand-kept list.
 */
export interface FamilyReference {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** A family of the snapshot, with the labels its first kind declares (a test holds the other kinds to them). */
function referenceOf(family: FamilyPlan): FamilyReference {
  return { name: family.name, type: family.type, help: family.help, labelNames: [...family.byKind.values()][0]?.labelNames ?? [] };
}

/** The families of a collection snapshot, in exposition order. */
export function snapshotFamilies(): FamilyReference[] {
  return SNAPSHOT_FAMILIES.map(referenceOf);
}

/** Names of prom-client's default metrics (process_*, nodejs_*): not the exporter's to define or document. */
export function defaultMetricNames(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return new Set(registry.getMetricsAsArray().map((metric) => metric.name));
}

function metricType(metric: object): FamilyReference['type'] {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  if (metric instanceof Histogram) return 'histogram';
  throw new Error(`${metric.constructor.name}: a metric type the reference does not know`);
}

/** The exporter's own families (its collections, AWS calls, configuration), less prom-client's defaults. */
export function selfFamilies(): FamilyReference[] {
  const self = new SelfMetrics({ version: '', revision: '' });
  // This gauge is registered at the first state-file write; the reference lists it all the same.
  self.stateWritten(true);
  const defaults = defaultMetricNames();
  return self.registry.getMetricsAsArray().filter((metric) => !defaults.has(metric.name)).map((metric) => ({
    name: metric.name,
    type: metricType(metric),
    help: metric.help,
    // prom-client keeps the declared label names on the metric, though its typings do not say so.
    labelNames: 'labelNames' in metric && Array.isArray(metric.labelNames) ? metric.labelNames.map(String) : [],
  }));
}

/**
 * What the metric reference adds to a family's HELP, by family name: what to read it with, when it is missing, what
 * compares it. Statuses come from the kinds' definitions, so a status AWS adds is listed once the code knows it.
 */
function notes(): Map<string, string> {
  const kinds = TARGET_KINDS.map((kind) => `\`${kind}\``);
  const notes = new Map([
    ['aws_customer_profiles_identity_resolution_next_run_timestamp_seconds', 'Like `kube_cronjob_next_schedule_time`.'],
    ['aws_customer_profiles_identity_resolution_previous_scheduled_run_timestamp_seconds', 'The `AWSResolutionIdentityResolutionScheduledRunNotStarted` alert compares it.'],
    ['aws_entity_resolution_workflow_info', '`resolution_type` is `RULE_MATCHING`, `ML_MATCHING` or `PROVIDER`; empty for ID mapping.'],
    ['aws_entity_resolution_workflow_updated_timestamp_seconds', 'The Entity Resolution dashboard marks it next to the match counts.'],
    ['aws_resolution_exporter_target_up', `\`kind\` is ${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1) ?? ''}; \`target\` the domain or workflow.`],
    ['aws_resolution_exporter_target_last_refresh_success', 'Absent before the target\'s first refresh.'],
    ['aws_resolution_exporter_aws_requests_total', 'Error names such as `ThrottlingException`, `AccessDeniedException`, `TimeoutError`. '
      + '`aws_service` is `customer_profiles`, `entity_resolution` or `sts`. The account is that of the credentials the call ran under '
      + '(an assumed role\'s, or the exporter\'s own), `unknown` until STS has named it; AWS meters quotas per account and region.'],
    ['aws_resolution_exporter_state_file_last_write_successful', 'Only with a `state_file`: absent without one.'],
    ['aws_resolution_exporter_discovered_targets', 'Only with `discover` configured.'],
  ]);
  for (const kind of TARGET_KINDS) {
    const { prefix } = KIND_NAMING[kind];
    const spec = KIND_SPECS[kind];
    const stateset = `Stateset over ${spec.statuses.known.join(', ')}.`;
    notes.set(`${prefix}job_status`, stateset);
    notes.set(`${prefix}latest_job_status`, stateset);
    notes.set(`${prefix}job_duration_seconds`, 'Missing when AWS\'s times would make it negative (an end before the start, a start in the future).');
    notes.set(`${prefix}jobs_finished_total`, `Final statuses: ${[...spec.statuses.terminal].join(', ')}. See [Counters](#counters).`);
    notes.set(`${prefix}latest_job_queued_seconds`, '0 while the job\'s start is still ahead.');
    const notFailed = [...spec.statuses.failure].filter((status) => !spec.statuses.failed.has(status));
    if (notFailed.length > 0) notes.set(`${prefix}consecutive_failed_jobs`, `${notFailed.join(' and ')} is not FAILED: such a job resets the count.`);
  }
  return notes;
}

/** The README's metric tables, each a generated section. */
const REFERENCE_TABLES = ['identity_resolution', 'matching', 'id_mapping', 'facts', 'exporter'] as const;
type ReferenceTable = (typeof REFERENCE_TABLES)[number];

const FACTS = new Set([...domainFamilies, ...workflowFamilies].map((family) => family.name));
const SELF_TARGET = new Set(selfTargetFamilies.map((family) => family.name));

/** The table a snapshot family is listed in: its kind's, unless it is a fact or the exporter's view of a target. */
function tableOf(family: FamilyPlan): ReferenceTable {
  if (SELF_TARGET.has(family.name)) return 'exporter';
  if (FACTS.has(family.name)) return 'facts';
  const kinds: TargetKind[] = [...family.byKind.keys()];
  if (kinds.length !== 1 || kinds[0] === undefined) throw new Error(`${family.name} is fed by ${kinds.join(', ')}: say which README table lists it`);
  return kinds[0];
}

/** Markdown: a | ends a cell and a * may start emphasis (List*Workflows) unless escaped. */
const cell = (text: string): string => text.replace(/[|*]/g, '\\$&');

/**
 * The README's metric reference, table by table: every family with its type, its labels (its declared
 * labelNames, the golden tests hold every series to them), its HELP and the reference's notes. Per-job families
 * come before a target's, each in exposition order; the exporter's own families end the last table.
 */
export function metricTables(): Map<ReferenceTable, string> {
  const rows = new Map<ReferenceTable, FamilyReference[]>(REFERENCE_TABLES.map((table) => [table, []]));
  const levelOrder = [...SNAPSHOT_FAMILIES].sort((a, b) => Number(a.level === 'target') - Number(b.level === 'target'));
  for (const family of levelOrder) rows.get(tableOf(family))?.push(referenceOf(family));
  rows.get('exporter')?.push(...selfFamilies());
  const familyNotes = notes();
  const listed = new Set([...rows.values()].flat().map((family) => family.name));
  const stale = [...familyNotes.keys()].filter((name) => !listed.has(name));
  if (stale.length > 0) throw new Error(`notes for no family: ${stale.join(', ')}`);
  const row = (family: FamilyReference): string => `| \`${family.name}\` | ${family.type} | ${family.labelNames.map((label) => `\`${label}\``).join(', ')} | ${cell(family.help)} | ${familyNotes.get(family.name) ?? ''} |`;
  return new Map([...rows].map(([table, families]) => [table, ['| Metric | Type | Labels | Help | Notes |', '|---|---|---|---|---|', ...families.map(row)].join('\n')]));
}
