import { expect } from 'chai';
import type { AnyTargetSnapshot } from '../src/collect/snapshot.js';
import { SnapshotMetrics } from '../src/metrics/snapshotMetrics.js';
import { outputShapeLeaves, type SchemaLeaf } from './support/sdkSchema.js';
import type { TargetKind } from '../src/model/kinds.js';

/**
 * Where each member of a job's Get answer goes: a metric (`family` or `family{label}`), or why it is left out.
 * When an SDK update adds a member, the test below fails and names it, instead of the exporter silently
 * missing it (as deleteRecordsProcessed was added in 2025-09).
 */
type Coverage = Record<string, { metric: string } | { skipped: string }>;

const IR = 'aws_customer_profiles_identity_resolution_';
const identityResolution: Coverage = {
  DomainName: { metric: `${IR}job_status{domain}` },
  JobId: { metric: `${IR}job_status{job_id}` },
  Status: { metric: `${IR}job_status{status}` },
  Message: { metric: `${IR}job_message_info{message}` },
  JobStartTime: { metric: `${IR}job_start_timestamp_seconds` },
  JobEndTime: { metric: `${IR}job_end_timestamp_seconds` },
  LastUpdatedAt: { metric: `${IR}job_last_updated_timestamp_seconds` },
  JobExpirationTime: { metric: `${IR}job_expiration_timestamp_seconds` },
  'AutoMerging.Enabled': { metric: `${IR}job_auto_merging_enabled` },
  'AutoMerging.Consolidation.MatchingAttributesList': { skipped: 'lists of attribute names: configuration, not job state, and unbounded as label values' },
  'AutoMerging.ConflictResolution.ConflictResolvingModel': { metric: `${IR}job_info{conflict_resolving_model}` },
  'AutoMerging.ConflictResolution.SourceName': { metric: `${IR}job_info{source_name}` },
  'AutoMerging.MinAllowedConfidenceScoreForMerging': { metric: `${IR}job_auto_merging_min_confidence_score` },
  'ExportingLocation.S3Exporting.S3BucketName': { metric: `${IR}job_info{s3_bucket}` },
  'ExportingLocation.S3Exporting.S3KeyName': { metric: `${IR}job_info{s3_key}` },
  'JobStats.NumberOfProfilesReviewed': { metric: `${IR}job_profiles_reviewed` },
  'JobStats.NumberOfMatchesFound': { metric: `${IR}job_matches_found` },
  'JobStats.NumberOfMergesDone': { metric: `${IR}job_merges_done` },
};

function entityResolution(prefix: string, metrics: Record<string, string>, extra: Coverage): Coverage {
  return {
    jobId: { metric: `${prefix}job_status{job_id}` },
    status: { metric: `${prefix}job_status{status}` },
    startTime: { metric: `${prefix}job_start_timestamp_seconds` },
    endTime: { metric: `${prefix}job_end_timestamp_seconds` },
    'errorDetails.errorMessage': { metric: `${prefix}job_error_info{message}` },
    'outputSourceConfig[].outputS3Path': { metric: `${prefix}job_info{output_s3_path}` },
    'outputSourceConfig[].roleArn': { skipped: 'an IAM role ARN: configuration, not job state' },
    'outputSourceConfig[].KMSArn': { skipped: 'a KMS key ARN: configuration, not job state' },
    ...Object.fromEntries(Object.entries(metrics).map(([member, family]) => [`metrics.${member}`, { metric: `${prefix}${family}` }])),
    ...extra,
  };
}

const BASE_METRICS = { inputRecords: 'job_input_records', totalRecordsProcessed: 'job_records_processed', recordsNotProcessed: 'job_records_not_processed', deleteRecordsProcessed: 'job_delete_records_processed' };
const M = 'aws_entity_resolution_matching_';
const I = 'aws_entity_resolution_id_mapping_';
const matching = entityResolution(M, { ...BASE_METRICS, matchIDs: 'job_match_ids' }, {});
const idMapping = entityResolution(I, {
  ...BASE_METRICS,
  totalMappedRecords: 'job_mapped_records', totalMappedSourceRecords: 'job_mapped_source_records', totalMappedTargetRecords: 'job_mapped_target_records',
  uniqueRecordsLoaded: 'job_unique_records_loaded', newMappedRecords: 'job_new_mapped_records', newMappedSourceRecords: 'job_new_mapped_source_records',
  newMappedTargetRecords: 'job_new_mapped_target_records', newUniqueRecordsLoaded: 'job_new_unique_records_loaded', mappedRecordsRemoved: 'job_mapped_records_removed',
  mappedSourceRecordsRemoved: 'job_mapped_source_records_removed', mappedTargetRecordsRemoved: 'job_mapped_target_records_removed',
}, { jobType: { metric: `${I}job_info{job_type}` } });

/** A detail object with a distinct value in every leaf the schema lists. */
function fullDetail(leaves: readonly SchemaLeaf[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  leaves.forEach((leaf, index) => {
    const value = { string: `v${index}`, number: index + 1, boolean: true, timestamp: new Date((1_700_000_000 + index) * 1000), list: [['a']] }[leaf.kind];
    const parts = leaf.path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const key = part.replace('[]', '');
      if (part.endsWith('[]')) {
        node[key] ??= [{}];
        node = (node[key] as Record<string, unknown>[])[0]!;
      } else {
        node = (node[key] ??= {}) as Record<string, unknown>;
      }
    }
    node[parts.at(-1)!] = value;
  });
  return root;
}

const cases: [string, string, string, TargetKind, Coverage][] = [
  ['@aws-sdk/client-customer-profiles', 'GetIdentityResolutionJobResponse', 'GetIdentityResolutionJob', 'identity_resolution', identityResolution],
  ['@aws-sdk/client-entityresolution', 'GetMatchingJobOutput', 'GetMatchingJob', 'matching', matching],
  ['@aws-sdk/client-entityresolution', 'GetIdMappingJobOutput', 'GetIdMappingJob', 'id_mapping', idMapping],
];

describe('every member of the SDK job models is exported or deliberately skipped', () => {
  for (const [sdk, shape, operation, kind, coverage] of cases) {
    it(`${operation}: the SDK's members are exactly the covered ones`, () => {
      const paths = outputShapeLeaves(sdk, shape).map((leaf) => leaf.path).sort();
      expect(paths, `members of ${shape} in ${sdk} (a new one needs a metric or a reason to skip it)`).to.deep.equal(Object.keys(coverage).sort());
    });

    it(`${operation}: a job with every member set shows each one in its metric`, async () => {
      const detail = fullDetail(outputShapeLeaves(sdk, shape));
      const metrics = new SnapshotMetrics();
      const target = {
        identity: { kind, target: 'wf', accountId: '123456789012', region: 'us-east-1' }, up: true, dataTime: 1_700_000_100, lastSuccessTime: 1_700_000_100,
        lastError: undefined, jobs: [{ id: 'job', detail }], latestStatus: undefined, lastSuccessEnd: undefined, lastFailureEnd: undefined, counters: undefined,
      } as unknown as AnyTargetSnapshot;
      metrics.publish({ targets: [target], finishedAt: 1_700_000_100, durationSeconds: 1 });
      const text = await metrics.text();
      for (const [member, where] of Object.entries(coverage)) {
        if (!('metric' in where) || member.endsWith('JobId') || member === 'jobId' || member === 'DomainName') continue;
        const [, family = '', label] = /^([a-z0-9_]+)(?:\{([a-z0-9_]+)\})?$/.exec(where.metric) ?? [];
        const lines = text.split('\n').filter((line) => line.startsWith(`${family}{`));
        expect(lines, `${member} → ${where.metric}`).to.not.be.empty;
        if (label !== undefined) expect(lines.some((line) => line.includes(`${label}="`) && !line.includes(`${label}=""`)), `${member} → ${where.metric}`).to.equal(true);
      }
    });
  }
});
