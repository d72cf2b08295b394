/** Prometheus rules as typed objects, and the PromQL vocabulary the rule modules share. */
import { TARGET_LABEL, type TargetKind } from '../../src/model/kinds.js';
import { tagLabelName } from '../../src/model/tags.js';
import type { MonitoringOptions, Severity } from '../options.js';

export interface AlertRule {
  readonly alert: string;
  /** Why the rule is as it is, written above it in the rendered file. */
  readonly comment: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels: { readonly severity: Severity } & Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RecordingRule {
  readonly record: string;
  readonly comment: string;
  readonly expr: string;
}

export interface RuleGroup<R extends AlertRule | RecordingRule = AlertRule | RecordingRule> {
  readonly name: string;
  readonly rules: readonly R[];
}

/** What an alert is written from: everything but the parts the options decide (severity override, runbook link). */
export interface AlertSpec {
  readonly alert: string;
  readonly comment: string;
  readonly expr: string;
  readonly for?: string;
  readonly keepFiringFor?: string;
  readonly severity: Severity;
  readonly labels?: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
}

/** The selectors, templates and links of one rendering: the options made into PromQL. */
export class RuleContext {
  constructor(private readonly options: MonitoringOptions) {}

  /** A selector of the exporter's series: `name{<selector>, <matchers>}`. */
  series(name: string, ...matchers: string[]): string {
    return `${name}{${[this.options.selector.trim(), ...matchers].join(', ')}}`;
  }

  /**
   * An annotation template that runs `expr` (whose selectors are narrowed to the alert's own `labels`, each a
   * printf %q) and renders `body` with its answer as `.`, or `otherwise` when it has none.
   */
  query(expr: string, labels: readonly string[], body: string, otherwise = ''): string {
    // Every selector of the query is narrowed by the same labels in the same order: the arguments repeat.
    const count = (expr.match(/%q/g) ?? []).length;
    const args = Array.from({ length: count }, (_, i) => `$labels.${labels[i % labels.length] ?? ''}`).join(' ');
    return `{{ with printf \`${expr}\` ${args} | query }}${body}${otherwise === '' ? '' : `{{ else }}${otherwise}`}{{ end }}`;
  }

  /**
   * `expr`, one kind's condition about targets within one process, with the tag labels the options name copied
   * from each target's info series. A target without one (its GetDomain or Get*Workflow never answered) keeps
   * its alert, untagged: an owner missing must never lose a page. In parentheses, so that in an `or` of kinds
   * the fallback's `on` sees only its own kind (a matching and an ID-mapping workflow may share a name).
   */
  withTagLabels(kind: TargetKind, expr: string): string {
    if (this.options.tagKeys.length === 0) return expr;
    const on = `on (${targetIdentity(TARGET_LABEL[kind])})`;
    const [info, ...matchers] = INFO_SERIES[kind];
    const condition = `(\n  ${nested(expr)}\n)`;
    const joined = `${condition}\n* ${on} group_left (${this.options.tagKeys.map(tagLabelName).join(', ')})\n${this.series(info, ...matchers)}\nor ${on}\n${condition}`;
    return `(\n  ${nested(joined)}\n)`;
  }

  /**
   * An alert about one target, whichever exporter process reports it: its series are taken per process (`on`
   * {@link targetIdentity}) and the alert drops the process's labels, so two processes reporting the target (a
   * rolling update, a shard moving, two replicas) make one alert, and a process replaced by another keeps it.
   * It keeps firing through a gap in the series as long as a replaced pod's start and first collection.
   */
  targetAlert(spec: AlertSpec): AlertRule {
    return this.alert({ ...spec, expr: `max without (${PROCESS_LABELS.join(', ')}) (\n  ${nested(spec.expr)}\n)`, keepFiringFor: TARGET_KEEP_FIRING_FOR });
  }

  /** The alert as Prometheus loads it: the severity an option may override, and its runbook section's link. */
  alert(spec: AlertSpec): AlertRule {
    return {
      alert: spec.alert,
      comment: spec.comment,
      expr: spec.expr,
      ...(spec.for === undefined ? {} : { for: spec.for }),
      ...(spec.keepFiringFor === undefined ? {} : { keep_firing_for: spec.keepFiringFor }),
      labels: { severity: this.options.severities.get(spec.alert) ?? spec.severity, ...spec.labels },
      annotations: { summary: spec.summary, description: spec.description, runbook_url: `${this.options.runbookUrl}#${spec.alert.toLowerCase()}` },
    };
  }
}

/**
 * Each kind's info series, which carries a target's tag labels: one per target and process, so joining it is
 * many-to-one. A matching and an ID-mapping workflow may share a name, so a workflow's is narrowed to its kind.
 */
const INFO_SERIES: Readonly<Record<TargetKind, readonly [name: string, ...matchers: string[]]>> = {
  identity_resolution: ['aws_customer_profiles_domain_info'],
  matching: ['aws_entity_resolution_workflow_info', 'kind="matching"'],
  id_mapping: ['aws_entity_resolution_workflow_info', 'kind="id_mapping"'],
};

/** The labels of the process that reports a target (Prometheus's, and Kubernetes service discovery's), not of the target. */
export const PROCESS_LABELS = ['instance', 'pod'] as const;

/**
 * How long a target's alert stays firing after its series went away: longer than a replaced pod takes to start and
 * finish its first collection, so a restart neither resolves an alert nor fires it again.
 */
export const TARGET_KEEP_FIRING_FOR = '10m';

/** The labels that identify a target's series in the per-kind families: the scrape's, account, region, and domain or workflow. */
export function targetIdentity(targetLabel: string): string {
  return `job, instance, aws_account_id, aws_region, ${targetLabel}`;
}

/** An expectation without its `source` label, so it matches the target's other series one to one. */
export function expectation(context: RuleContext, name: string): string {
  return `max without (source) (${context.series(name)})`;
}

/** Indents every line after the first, so a sub-expression nests readably in a larger one. */
export function nested(expr: string, indent = '  '): string {
  return expr.split('\n').join(`\n${indent}`);
}
