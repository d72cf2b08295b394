/** Alerts about the exporter and its view of AWS: targets it cannot read or refresh, its own health, AWS's answers. */
import type { AlertRule, RuleContext, RuleGroup } from './model.js';

/** Error codes AWS throttles with (STS names its error Throttling). */
export const THROTTLING_CODES = 'ThrottlingException|Throttling|TooManyRequestsException';

/**
 * A self-metric keyed by `kind` and `target`, given the label its target has in the per-kind alerts (`domain` or
 * `workflow`), so Alertmanager groups it with them and a TargetDown can inhibit them.
 */
function withTargetLabel(context: RuleContext, metric: string, condition: string): string {
  return [
    `label_replace(${context.series(metric, 'kind="identity_resolution"')} ${condition}, "domain", "$1", "target", "(.*)")`,
    'or',
    `label_replace(${context.series(metric, 'kind=~"matching|id_mapping"')} ${condition}, "workflow", "$1", "target", "(.*)")`,
  ].join('\n');
}

const TARGET = 'the {{ $labels.kind }} target {{ $labels.target }} (account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }})';

export function exporterAlertGroup(context: RuleContext): RuleGroup<AlertRule> {
  const s = context.series.bind(context);
  const requests = (matchers: string[] = []): string => `sum by (job, instance, aws_account_id, aws_region) (rate(${s('aws_resolution_exporter_aws_requests_total', ...matchers)}[15m]))`;
  return {
    name: 'aws-resolution-exporter.alerts',
    rules: [
      context.alert({
        alert: 'AWSResolutionTargetDown',
        comment: 'The exporter\'s collections of a domain or workflow have failed for 15 minutes (AccessDenied, a missing workflow, network errors): its series are frozen at their last values. It carries domain or workflow like the per-kind alerts, so Alertmanager groups them and inhibits the target\'s other alerts while it fires.',
        expr: withTargetLabel(context, 'aws_resolution_exporter_target_up', '== 0'),
        for: '15m',
        severity: 'warning',
        summary: 'The exporter cannot collect a domain or workflow.',
        description: `The exporter {{ $labels.instance }} has failed to collect ${TARGET} for 15 minutes; its series show the last data collected.`,
      }),
      context.alert({
        alert: 'AWSResolutionTargetRefreshFailed',
        comment: 'A target\'s facts (GetDomain: identity resolution on or off, its weekly schedule; List*Workflows) or the discovery that found it could not be read: the schedule alerts go blind while its jobs may still be collected. 30 minutes outlasts one failed refresh at the default schedule (a refresh every 10 collections of 2 minutes), so only a second one in a row pages.',
        expr: withTargetLabel(context, 'aws_resolution_exporter_target_last_refresh_success', '== 0'),
        for: '30m',
        severity: 'warning',
        summary: 'The exporter cannot refresh what it knows of a domain or workflow.',
        description: `The exporter {{ $labels.instance }} could not refresh the facts of ${TARGET} (GetDomain or List*Workflows), or the discovery that found it, for 30 minutes: it keeps the last facts it read, and alerts that need them (a domain's schedule) may be blind.`,
      }),
      context.alert({
        alert: 'AWSResolutionExporterDown',
        comment: 'Prometheus cannot scrape the exporter, or has no exporter target at all.',
        expr: `${s('up')} == 0\nor\nabsent(${s('up')})`,
        for: '5m',
        severity: 'critical',
        summary: 'Prometheus cannot scrape aws-resolution-exporter.',
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
        summary: 'The exporter has not finished a collection for several schedule intervals.',
        description: 'The exporter {{ $labels.instance }} finished its last collection {{ $value | humanizeDuration }} ago, more than 3 schedule intervals (and 10m): the job metrics it serves are stale.',
      }),
      context.alert({
        alert: 'AWSResolutionStateFileWriteFailed',
        comment: 'The state file (counters, finished jobs, run history) could not be written after a collection: a restart would lose what was learnt since the last good write.',
        expr: `${s('aws_resolution_exporter_state_file_last_write_successful')} == 0`,
        for: '10m',
        severity: 'warning',
        summary: 'The exporter cannot write its state file.',
        description: 'The exporter {{ $labels.instance }} has failed to write its state file after every collection for 10 minutes: a restart now would restart its counters from the last good file.',
      }),
      context.alert({
        alert: 'AWSResolutionRequestsThrottled',
        comment: 'More than 10% of the exporter\'s requests to one AWS operation, in one account and region, throttled for 15 minutes.',
        expr: `${s('instance_operation:aws_resolution_exporter_aws_requests_throttled:ratio_rate5m')} > 0.1`,
        for: '15m',
        severity: 'warning',
        summary: 'AWS throttles many of the exporter\'s requests.',
        description: 'AWS throttled {{ $value | humanizePercentage }} of the {{ $labels.aws_service }} {{ $labels.operation }} requests of the exporter {{ $labels.instance }} in account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }} over the last 5 minutes, for 15 minutes (threshold 10%).',
      }),
      context.alert({
        alert: 'AWSResolutionRequestErrors',
        comment: `More than 10% of the exporter's requests in one account and region failed with an error other than throttling (AccessDenied, 5xx, timeouts) over 15 minutes, for 15 minutes: broken credentials or an AWS problem there. A share, not any error, so transient errors the SDK retried away do not page.`,
        expr: `${requests([`code!~"OK|${THROTTLING_CODES}"`])}\n/\n${requests()}\n> 0.1`,
        for: '15m',
        severity: 'warning',
        summary: 'AWS answers many of the exporter\'s requests with errors.',
        description: `AWS answered {{ $value | humanizePercentage }} of the requests of the exporter {{ $labels.instance }} in account {{ $labels.aws_account_id }}, region {{ $labels.aws_region }} with an error other than throttling over the last 15 minutes (threshold 10%)${context.query(`topk(1, sum by (code) (increase(${s('aws_resolution_exporter_aws_requests_total', 'instance=%q', 'aws_account_id=%q', 'aws_region=%q', `code!~"OK|${THROTTLING_CODES}"`)}[15m])))`, ['instance', 'aws_account_id', 'aws_region'], ', mostly {{ . | first | label "code" }}')}.`,
      }),
      context.alert({
        alert: 'AWSResolutionConfigReloadFailed',
        comment: 'The last attempt to load the configuration failed: the exporter runs on the last good one.',
        expr: `${s('aws_resolution_exporter_config_last_reload_successful')} == 0`,
        for: '10m',
        severity: 'warning',
        summary: 'The exporter could not load its configuration.',
        description: 'The exporter {{ $labels.instance }} failed to load its configuration file and runs on the last good configuration.',
      }),
    ],
  };
}

