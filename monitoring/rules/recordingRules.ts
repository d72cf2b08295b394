/** Recording rules: what the dashboards and the alerts read precomputed, named level:metric:operations. */
import type { RecordingRule, RuleContext, RuleGroup } from './model.js';
import { THROTTLING_CODES } from './exporterAlerts.js';

export function recordingRuleGroup(context: RuleContext): RuleGroup<RecordingRule> {
  const s = context.series.bind(context);
  const requests = s('aws_resolution_exporter_aws_requests_total');
  const perJobRatio = (record: string, comment: string, numerator: string, denominator: string): RecordingRule => ({
    record, comment, expr: `${s(numerator)}\n/\n(${s(denominator)} > 0)`,
  });
  return {
    name: 'aws-resolution-exporter.rules',
    rules: [
      {
        record: 'instance_operation_code:aws_resolution_exporter_aws_requests:rate5m',
        comment: 'Requests per second to AWS, by account, region, service, operation and result code (OK or the AWS error name).',
        expr: `rate(${requests}[5m])`,
      },
      {
        record: 'instance_operation:aws_resolution_exporter_aws_requests_throttled:ratio_rate5m',
        comment: 'Share of the requests to each (account, region, aws_service, operation) that AWS throttled; 0 (not absent) when none was. STS names its throttling error "Throttling", the other services "ThrottlingException".',
        expr: [
          '(',
          `  sum without (code) (rate(${s('aws_resolution_exporter_aws_requests_total', `code=~"${THROTTLING_CODES}"`)}[5m]))`,
          '  or',
          `  sum without (code) (rate(${requests}[5m])) * 0`,
          ')',
          '/',
          `sum without (code) (rate(${requests}[5m]))`,
        ].join('\n'),
      },
      {
        record: 'instance_operation:aws_resolution_exporter_aws_request_duration_seconds:p99_rate5m',
        comment: '99th percentile of the duration of one HTTP request to AWS, by account, region, service and operation.',
        expr: [
          'histogram_quantile(0.99,',
          '  sum by (job, instance, aws_account_id, aws_region, aws_service, operation, le) (',
          `    rate(${s('aws_resolution_exporter_aws_request_duration_seconds_bucket')}[5m])`,
          '  )',
          ')',
        ].join('\n'),
      },
      {
        record: 'instance_kind:aws_resolution_exporter_target_up:ratio',
        comment: 'Share of the targets of each kind whose last collection succeeded (1 = all up).',
        expr: `avg without (aws_account_id, aws_region, target) (${s('aws_resolution_exporter_target_up')})`,
      },
      perJobRatio('job_id:aws_customer_profiles_identity_resolution_job_merges_done_per_matches_found:ratio', 'Per identity-resolution job: merges done per match found (absent while no match was found).',
        'aws_customer_profiles_identity_resolution_job_merges_done', 'aws_customer_profiles_identity_resolution_job_matches_found'),
      perJobRatio('job_id:aws_entity_resolution_matching_job_records_not_processed_per_input_records:ratio', 'Per matching job: share of the input records not processed (absent while the input is empty or unknown).',
        'aws_entity_resolution_matching_job_records_not_processed', 'aws_entity_resolution_matching_job_input_records'),
      perJobRatio('job_id:aws_entity_resolution_id_mapping_job_records_not_processed_per_input_records:ratio', 'Per ID-mapping job: share of the input records not processed.',
        'aws_entity_resolution_id_mapping_job_records_not_processed', 'aws_entity_resolution_id_mapping_job_input_records'),
    ],
  };
}
