/**
 * Alerts about the exporter and its view of AWS: targets it cannot read or refresh (keyed by the target, like
 * the per-kind alerts), and its own health and AWS's answers (keyed by the exporter process: `instance`).
 */
import { THROTTLING_ERROR_NAMES } from '../../src/aws/errors.js';
import { PAGE_AT_FIRST_FAILURE_INTERVAL } from '../../src/collect/expectations.js';
import { KIND_NAMING } from '../../src/metrics/targetFamilies.js';
import { TARGET_KINDS, TARGET_LABEL, type TargetKind } from '../../src/model/kinds.js';
import { expectation, nested, targetIdentity, type AlertRule, type RuleContext, type RuleGroup } from './model.js';

/** Error codes AWS throttles with, as a regular expression's alternatives. */
export const THROTTLING_CODES = THROTTLING_ERROR_NAMES.join('|');

/**
 * A self-metric expression keyed by `kind` and `target`, per kind, with the label its target has in the per-kind
 * alerts (`domain` or `workflow`) added, so Alertmanager groups it with them and a TargetDown can inhibit them.
 * `build` may join with the kind's own series `on` {@link targetIdentity}.
 */
function perKind(build: (kind: TargetKind, targetLabel: string) => string): string {
  return TARGET_KINDS.map((kind) => build(kind, TARGET_LABEL[kind])).join('\nor\n');
}

function withTargetLabel(expr: string, targetLabel: string): string {
  return `label_replace(\n  ${nested(expr)},\n  "${targetLabel}", "$1", "target", "(.*)"\n)`;
}


const TARGET = 'the {{ $labels.kind }} target {{ $labels.target }} (account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }})';
const TARGET_SUMMARY = '{{ $labels.kind }} target {{ $labels.target }} ({{ $labels.aws_account_id }}, {{ $labels.aws_region }})';

/** The alerts about a target the exporter cannot read, or whose facts it cannot refresh. */
function targetHealthAlerts(context: RuleContext): AlertRule[] {
  const s = context.series.bind(context);
  const self = (metric: string, kind: TargetKind): string => s(metric, `kind="${kind}"`);
  /** What AWS answered at the target's last failed collection or refresh, from aws_resolution_exporter_target_error_info. */
  const answer = (phase: string, otherwise: string): string => context.query(
    s('aws_resolution_exporter_target_error_info', `phase="${phase}"`, 'kind=%q', 'aws_account_id=%q', 'aws_region=%q', 'target=%q'),
    ['kind', 'aws_account_id', 'aws_region', 'target'],
    ' AWS answered: {{ . | first | label "message" }}',
    otherwise,
  );
  /**
   * The kind's targets whose collections have failed longer than their expected interval (at least 15 minutes),
   * or, for a target without one (an automatic workflow whose history does not yet show its cadence), as long as
   * a target expected to run daily, whose every failure costs a day; the value is for how long.
   */
  const downTooLongOf = (kind: TargetKind, targetLabel: string): string => {
    const up = self('aws_resolution_exporter_target_up', kind);
    // A target that has not been read since the process started has been down since then.
    const lastRead = `${self('aws_resolution_exporter_target_last_success_timestamp_seconds', kind)}\nor\n(${up} == 0) * 0 + on (job, instance) group_left ${s('process_start_time_seconds')}`;
    const downFor = withTargetLabel(`(\n  time() - (\n    ${nested(lastRead, '    ')}\n  )\n)\nand\n${up} == 0`, targetLabel);
    const interval = expectation(context, `${KIND_NAMING[kind].prefix}expected_interval_seconds`);
    const allowed = `clamp_min(${interval}, 900)\nor on (${targetIdentity(targetLabel)})\n${withTargetLabel(up, targetLabel)} * 0 + ${PAGE_AT_FIRST_FAILURE_INTERVAL}`;
    return `${downFor}\n> on (${targetIdentity(targetLabel)}) group_left ()\n(\n  ${nested(allowed)}\n)`;
  };
  /** An alert's condition of every kind, with the tag labels the options name. */
  const tagged = (build: (kind: TargetKind, targetLabel: string) => string): string => perKind((kind, targetLabel) => context.withTagLabels(kind, build(kind, targetLabel)));
  const down = tagged((kind, targetLabel) => withTargetLabel(`${self('aws_resolution_exporter_target_up', kind)} == 0`, targetLabel));
  const targetDown = {
    alert: 'AWSResolutionTargetDown',
    summary: `The exporter cannot read ${TARGET_SUMMARY}.`,
  };
  return [
    context.targetAlert({
      ...targetDown,
      comment: 'The exporter\'s collections of a domain or workflow have failed for 15 minutes (AccessDenied, a missing workflow, network errors): its series are frozen at their last values. It carries domain or workflow like the per-kind alerts, so Alertmanager groups them, and holds back the target\'s warnings (never its pages) while it fires. A warning until the target has been unreadable longer than its expected interval; the critical rule below pages then.',
      expr: `(\n  ${nested(down)}\n)\nunless on (job, instance, kind, aws_account_id, aws_region, target)\n(\n  ${nested(perKind(downTooLongOf))}\n)`,
      for: '15m',
      severity: 'warning',
      description: `The exporter has failed to collect ${TARGET} for 15 minutes; its series show the last data collected. It pages once the target has been unreadable longer than its expected interval.${answer('collection', ' No error is reported now.')}`,
    }),
    context.targetAlert({
      ...targetDown,
      comment: 'The exporter has not been able to read a domain or workflow for longer than its expected interval (and 15 minutes), or since it started that long ago: a run of it could have failed, unseen. Pages.',
      expr: tagged(downTooLongOf),
      severity: 'critical',
      description: `The exporter has failed to collect ${TARGET} for {{ $value | humanizeDuration }}, longer than the target's expected interval between runs: a failed or missing run would go unseen.${answer('collection', ' No error is reported now.')}`,
    }),
    context.targetAlert({
      alert: 'AWSResolutionTargetRefreshFailed',
      comment: 'A target\'s facts (GetDomain: identity resolution on or off, its weekly schedule; Get*Workflow: a workflow\'s settings) or the discovery that found it could not be read: the schedule alerts go blind while its jobs may still be collected. 30 minutes outlasts one failed refresh at the default schedule (a refresh every 10 collections of 2 minutes), so only a second one in a row warns.',
      expr: tagged((kind, targetLabel) => withTargetLabel(`${self('aws_resolution_exporter_target_last_refresh_success', kind)} == 0`, targetLabel)),
      for: '30m',
      severity: 'warning',
      summary: `The exporter cannot refresh what it knows of ${TARGET_SUMMARY}.`,
      description: `The exporter could not refresh the facts of ${TARGET} (GetDomain or Get*Workflow), or the discovery that found it, for 30 minutes: it keeps the last facts it read, and alerts that need them (a domain's schedule) may be blind.${answer('refresh', '')}`,
    }),
  ];
}

export function exporterAlertGroup(context: RuleContext): RuleGroup<AlertRule> {
  const s = context.series.bind(context);
  const requests = (matchers: string[] = []): string => `sum by (job, instance, aws_account_id, aws_region) (rate(${s('aws_resolution_exporter_aws_requests_total', ...matchers)}[15m]))`;
  return {
    name: 'aws-resolution-exporter.alerts',
    rules: [
      ...targetHealthAlerts(context),
      context.alert({
        alert: 'AWSResolutionExporterDown',
        comment: 'Prometheus cannot scrape the exporter, or has no exporter target at all.',
        expr: `${s('up')} == 0\nor\nabsent(${s('up')})`,
        for: '5m',
        severity: 'critical',
        summary: 'Prometheus cannot scrape aws-resolution-exporter{{ with $labels.instance }} {{ . }}{{ end }}.',
        description: 'Prometheus has had no successful scrape of aws-resolution-exporter (job {{ $labels.job }}{{ with $labels.instance }}, instance {{ . }}{{ end }}) for 5 minutes: no identity-resolution, matching or ID-mapping job is being watched.',
      }),
      context.alert({
        alert: 'AWSResolutionCollectionsStale',
        comment: 'The last finished collection (or, before the first, the process start) is older than 3 schedule intervals, and than 10 minutes.',
        expr: [
          'time()',
          '- (',
          `  ${s('aws_resolution_exporter_last_collection_timestamp_seconds')} > 0`,
          '  or',
          `  ${s('process_start_time_seconds')}`,
          ')',
          `> clamp_min(3 * ${s('aws_resolution_exporter_schedule_interval_seconds')}, 600)`,
        ].join('\n'),
        for: '5m',
        severity: 'warning',
        summary: 'Exporter {{ $labels.instance }}: no collection finished for several schedule intervals.',
        description: 'The exporter {{ $labels.instance }} finished its last collection {{ $value | humanizeDuration }} ago, more than 3 schedule intervals (and 10m): the job metrics it serves are stale.',
      }),
      context.alert({
        alert: 'AWSResolutionStateFileWriteFailed',
        comment: 'The state file (counters, finished jobs, run history) could not be written after a collection: a restart would lose what was learnt since the last good write.',
        expr: `${s('aws_resolution_exporter_state_file_last_write_successful')} == 0`,
        for: '10m',
        severity: 'warning',
        summary: 'Exporter {{ $labels.instance }}: cannot write its state file.',
        description: 'The exporter {{ $labels.instance }} has failed to write its state file after every collection for 10 minutes: a restart now would restart its counters from the last good file.',
      }),
      context.alert({
        alert: 'AWSResolutionRequestsThrottled',
        comment: 'More than 10% of the exporter\'s requests to one AWS operation, in one account and region, throttled for 15 minutes.',
        expr: `${s('instance_operation:aws_resolution_exporter_aws_requests_throttled:ratio_rate5m')} > 0.1`,
        for: '15m',
        severity: 'warning',
        summary: 'Exporter {{ $labels.instance }}: AWS throttles many of its {{ $labels.operation }} requests in {{ $labels.aws_account_id }}, {{ $labels.aws_region }}.',
        description: 'AWS throttled {{ $value | humanizePercentage }} of the {{ $labels.aws_service }} {{ $labels.operation }} requests of the exporter {{ $labels.instance }} in account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }} over the last 5 minutes, for 15 minutes (threshold 10%).',
      }),
      context.alert({
        alert: 'AWSResolutionRequestErrors',
        comment: `More than 10% of the exporter's requests in one account and region failed with an error other than throttling (AccessDenied, 5xx, timeouts) over 15 minutes, for 15 minutes: broken credentials or an AWS problem there. A share, not any error, so transient errors the SDK retried away do not page.`,
        expr: `${requests([`code!~"OK|${THROTTLING_CODES}"`])}\n/\n${requests()}\n> 0.1`,
        for: '15m',
        severity: 'warning',
        summary: 'Exporter {{ $labels.instance }}: AWS answers many of its requests in {{ $labels.aws_account_id }}, {{ $labels.aws_region }} with errors.',
        description: `AWS answered {{ $value | humanizePercentage }} of the requests of the exporter {{ $labels.instance }} in account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }} with an error other than throttling over the last 15 minutes (threshold 10%)${context.query(`topk(1, sum by (code) (increase(${s('aws_resolution_exporter_aws_requests_total', 'instance=%q', 'aws_account_id=%q', 'aws_region=%q', `code!~"OK|${THROTTLING_CODES}"`)}[15m])))`, ['instance', 'aws_account_id', 'aws_region'], ', mostly {{ . | first | label "code" }}')}.`,
      }),
      context.alert({
        alert: 'AWSResolutionConfigReloadFailed',
        comment: 'The last attempt to load the configuration failed: the exporter runs on the last good one.',
        expr: `${s('aws_resolution_exporter_config_last_reload_successful')} == 0`,
        for: '10m',
        severity: 'warning',
        summary: 'Exporter {{ $labels.instance }}: could not load its configuration.',
        description: 'The exporter {{ $labels.instance }} failed to load its configuration file and runs on the last good configuration.',
      }),
    ],
  };
}

