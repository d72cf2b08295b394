import { expect } from 'chai';
import type { IdentityResolutionJobDetail, IdMappingJobDetail, MatchingJobDetail } from '../src/aws/types.js';
import type { AnyTargetSnapshot, CollectionSnapshot } from '../src/collect/snapshot.js';
import { SnapshotMetrics } from '../src/metrics/snapshotMetrics.js';
import { toOpenMetrics } from './support/openMetrics.js';
import { promtoolCheckMetrics } from './support/promtool.js';

const T0 = 1_718_000_000;
const date = (seconds: number): Date => new Date(seconds * 1000);

function target(kind: AnyTargetSnapshot['identity']['kind'], name: string, jobs: { id: string; detail: unknown }[], extra: Partial<AnyTargetSnapshot> = {}): AnyTargetSnapshot {
  return {
    identity: { kind, target: name, accountId: '123456789012', region: 'us-east-1' },
    up: true,
    dataTime: T0 + 7200,
    lastSuccessTime: T0 + 7200,
    lastError: undefined,
    jobs,
    latestStatus: undefined,
    lastSuccessEnd: undefined,
    lastFailureEnd: undefined,
    counters: undefined,
    ...extra,
  } as AnyTargetSnapshot;
}

async function render(...targets: AnyTargetSnapshot[]): Promise<string> {
  const metrics = new SnapshotMetrics();
  const snapshot: CollectionSnapshot = { targets, finishedAt: T0 + 7200, durationSeconds: 1 };
  metrics.publish(snapshot);
  return metrics.text();
}

/** The sample lines of one metric name (labels and value), for exact comparison. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

const fullIdentityResolutionJob: IdentityResolutionJobDetail = {
  DomainName: 'retail-us',
  JobId: 'a'.repeat(32),
  Status: 'PARTIAL_SUCCESS',
  Message: 'Some "profiles" failed\\merge\nsee logs ✓',
  JobStartTime: date(T0),
  JobEndTime: date(T0 + 3600.5),
  LastUpdatedAt: date(T0 + 3601),
  JobExpirationTime: date(T0 + 86400 * 30),
  AutoMerging: {
    Enabled: true,
    ConflictResolution: { ConflictResolvingModel: 'SOURCE', SourceName: 'crm' },
    MinAllowedConfidenceScoreForMerging: 0.8,
  },
  ExportingLocation: { S3Exporting: { S3BucketName: 'exports', S3KeyName: 'ir/' } },
  JobStats: { NumberOfProfilesReviewed: 1200, NumberOfMatchesFound: 40, NumberOfMergesDone: 0 },
};

describe('snapshot metrics', () => {
  it('turns every field of an identity-resolution job into its series', async () => {
    const text = await render(target('identity_resolution', 'retail-us', [{ id: 'a'.repeat(32), detail: fullIdentityResolutionJob }]));
    const labels = `aws_account_id="123456789012",aws_region="us-east-1",domain="retail-us",job_id="${'a'.repeat(32)}"`;
    const p = 'aws_customer_profiles_identity_resolution_';
    expect(samples(text, `${p}job_status`)).to.deep.equal(
      ['PENDING', 'PREPROCESSING', 'FIND_MATCHING', 'MERGING', 'COMPLETED', 'PARTIAL_SUCCESS', 'FAILED'].map(
        (s) => `${p}job_status{${labels},status="${s}"} ${s === 'PARTIAL_SUCCESS' ? 1 : 0}`,
      ),
    );
    expect(samples(text, `${p}job_start_timestamp_seconds`)).to.deep.equal([`${p}job_start_timestamp_seconds{${labels}} ${T0}`]);
    expect(samples(text, `${p}job_end_timestamp_seconds`)).to.deep.equal([`${p}job_end_timestamp_seconds{${labels}} ${T0 + 3600.5}`]);
    expect(samples(text, `${p}job_last_updated_timestamp_seconds`)).to.deep.equal([`${p}job_last_updated_timestamp_seconds{${labels}} ${T0 + 3601}`]);
    expect(samples(text, `${p}job_expiration_timestamp_seconds`)).to.deep.equal([`${p}job_expiration_timestamp_seconds{${labels}} ${T0 + 86400 * 30}`]);
    expect(samples(text, `${p}job_duration_seconds`)).to.deep.equal([`${p}job_duration_seconds{${labels}} 3600.5`]);
    expect(samples(text, `${p}job_profiles_reviewed`)).to.deep.equal([`${p}job_profiles_reviewed{${labels}} 1200`]);
    expect(samples(text, `${p}job_matches_found`)).to.deep.equal([`${p}job_matches_found{${labels}} 40`]);
    expect(samples(text, `${p}job_merges_done`)).to.deep.equal([`${p}job_merges_done{${labels}} 0`]);
    expect(samples(text, `${p}job_auto_merging_enabled`)).to.deep.equal([`${p}job_auto_merging_enabled{${labels}} 1`]);
    expect(samples(text, `${p}job_auto_merging_min_confidence_score`)).to.deep.equal([`${p}job_auto_merging_min_confidence_score{${labels}} 0.8`]);
    expect(samples(text, `${p}job_info`)).to.deep.equal([`${p}job_info{${labels},conflict_resolving_model="SOURCE",source_name="crm",s3_bucket="exports",s3_key="ir/"} 1`]);
    expect(samples(text, `${p}job_message_info`)).to.deep.equal([`${p}job_message_info{${labels},message="Some \\"profiles\\" failed\\\\merge\\nsee logs ✓"} 1`]);
    expect(promtoolCheckMetrics(text)).to.equal('');
  });

  it('exports no series for fields AWS left out, and 0 where AWS sent 0', async () => {
    const sparse: IdentityResolutionJobDetail = { JobId: 'b'.repeat(32), Status: 'PENDING', JobStats: { NumberOfMergesDone: 0 } };
    const text = await render(target('identity_resolution', 'd', [{ id: 'b'.repeat(32), detail: sparse }]));
    const p = 'aws_customer_profiles_identity_resolution_';
    for (const absent of ['job_start_timestamp_seconds', 'job_end_timestamp_seconds', 'job_duration_seconds', 'job_profiles_reviewed', 'job_matches_found', 'job_auto_merging_enabled', 'job_auto_merging_min_confidence_score', 'job_message_info', 'job_last_updated_timestamp_seconds', 'job_expiration_timestamp_seconds']) {
      expect(samples(text, `${p}${absent}`), absent).to.deep.equal([]);
    }
    expect(samples(text, `${p}job_merges_done`)).to.have.length(1);
    expect(samples(text, `${p}job_merges_done`)[0]).to.match(/ 0$/);
  });

  it('measures a running job to the time its data was read', async () => {
    const running: MatchingJobDetail = { jobId: 'c'.repeat(32), status: 'RUNNING', startTime: date(T0) };
    const text = await render(target('matching', 'wf', [{ id: 'c'.repeat(32), detail: running }]));
    expect(samples(text, 'aws_entity_resolution_matching_job_duration_seconds')[0]).to.match(/ 7200$/);
    expect(samples(text, 'aws_entity_resolution_matching_job_end_timestamp_seconds')).to.deep.equal([]);
  });

  it('exports every matching and ID-mapping metric under its contract name', async () => {
    const matching: MatchingJobDetail = {
      jobId: 'd'.repeat(32), status: 'FAILED', startTime: date(T0), endTime: date(T0 + 60),
      metrics: { inputRecords: 100, totalRecordsProcessed: 90, recordsNotProcessed: 10, deleteRecordsProcessed: 2, matchIDs: 30 },
      errorDetails: { errorMessage: 'S3 access denied' },
      outputSourceConfig: [{ roleArn: 'arn:aws:iam::123456789012:role/er', outputS3Path: 's3://out/matching/', KMSArn: 'arn:aws:kms:us-east-1:123456789012:key/x' }],
    };
    const idMapping: IdMappingJobDetail = {
      jobId: 'e'.repeat(32), status: 'SUCCEEDED', startTime: date(T0), endTime: date(T0 + 120), jobType: 'INCREMENTAL',
      metrics: {
        inputRecords: 1, totalRecordsProcessed: 2, recordsNotProcessed: 3, deleteRecordsProcessed: 4, totalMappedRecords: 5,
        totalMappedSourceRecords: 6, totalMappedTargetRecords: 7, uniqueRecordsLoaded: 8, newMappedRecords: 9, newMappedSourceRecords: 10,
        newMappedTargetRecords: 11, newUniqueRecordsLoaded: 12, mappedRecordsRemoved: 13, mappedSourceRecordsRemoved: 14, mappedTargetRecordsRemoved: 15,
      },
      outputSourceConfig: [{ roleArn: 'arn:aws:iam::123456789012:role/er', outputS3Path: 's3://out/idm/' }],
    };
    const text = await render(target('matching', 'dedupe', [{ id: 'd'.repeat(32), detail: matching }]), target('id_mapping', 'crm-to-ads', [{ id: 'e'.repeat(32), detail: idMapping }]));
    const m = 'aws_entity_resolution_matching_';
    const ml = `aws_account_id="123456789012",aws_region="us-east-1",workflow="dedupe",job_id="${'d'.repeat(32)}"`;
    const expected: [string, number][] = [['job_input_records', 100], ['job_records_processed', 90], ['job_records_not_processed', 10], ['job_delete_records_processed', 2], ['job_match_ids', 30], ['job_start_timestamp_seconds', T0], ['job_end_timestamp_seconds', T0 + 60], ['job_duration_seconds', 60]];
    for (const [name, value] of expected) expect(samples(text, `${m}${name}`), name).to.deep.equal([`${m}${name}{${ml}} ${value}`]);
    expect(samples(text, `${m}job_error_info`)).to.deep.equal([`${m}job_error_info{${ml},message="S3 access denied"} 1`]);
    expect(samples(text, `${m}job_info`)).to.deep.equal([`${m}job_info{${ml},output_s3_path="s3://out/matching/"} 1`]);

    const i = 'aws_entity_resolution_id_mapping_';
    const il = `aws_account_id="123456789012",aws_region="us-east-1",workflow="crm-to-ads",job_id="${'e'.repeat(32)}"`;
    const idExpected = ['job_input_records', 'job_records_processed', 'job_records_not_processed', 'job_delete_records_processed', 'job_mapped_records', 'job_mapped_source_records', 'job_mapped_target_records', 'job_unique_records_loaded', 'job_new_mapped_records', 'job_new_mapped_source_records', 'job_new_mapped_target_records', 'job_new_unique_records_loaded', 'job_mapped_records_removed', 'job_mapped_source_records_removed', 'job_mapped_target_records_removed'];
    idExpected.forEach((name, index) => expect(samples(text, `${i}${name}`), name).to.deep.equal([`${i}${name}{${il}} ${index + 1}`]));
    expect(samples(text, `${i}job_info`)).to.deep.equal([`${i}job_info{${il},job_type="INCREMENTAL",output_s3_path="s3://out/idm/"} 1`]);
    expect(samples(text, `${i}job_match_ids`)).to.deep.equal([]);
    expect(promtoolCheckMetrics(text)).to.equal('');
  });

  it('exports an unknown status as it comes, alongside the known ones', async () => {
    const job: MatchingJobDetail = { jobId: 'f'.repeat(32), status: 'PAUSED' as MatchingJobDetail['status'], startTime: date(T0) };
    const text = await render(target('matching', 'wf', [{ id: 'f'.repeat(32), detail: job }], { latestStatus: 'PAUSED' }));
    const statuses = samples(text, 'aws_entity_resolution_matching_job_status').map((line) => /status="(\w+)"\} (\d)/.exec(line)?.slice(1).join('='));
    expect(statuses).to.deep.equal(['QUEUED=0', 'RUNNING=0', 'SUCCEEDED=0', 'FAILED=0', 'PAUSED=1']);
    expect(samples(text, 'aws_entity_resolution_matching_latest_job_status').filter((l) => l.endsWith(' 1'))).to.have.length(1);
  });

  it('keeps one series per label set, over thousands of them: a gauge\'s later value replaces the earlier, a counter\'s adds to it', async () => {
    // The same workflow listed twice (as two targets): every one of its series is emitted twice.
    const listed = (scale: number, finished: number): AnyTargetSnapshot => target('matching', 'wf', Array.from({ length: 1500 }, (_, i) => {
      const detail: MatchingJobDetail = { jobId: `job-${i}`, status: 'SUCCEEDED', startTime: date(T0), metrics: { inputRecords: scale * i } };
      return { id: detail.jobId ?? '', detail };
    }), { counters: { finishedByStatus: new Map([['SUCCEEDED', finished]]), statisticSums: new Map() } });
    const text = await render(listed(1, 2), listed(2, 3));
    const p = 'aws_entity_resolution_matching_';
    const l = 'aws_account_id="123456789012",aws_region="us-east-1",workflow="wf"';
    expect(samples(text, `${p}job_input_records`)).to.deep.equal(Array.from({ length: 1500 }, (_, i) => `${p}job_input_records{${l},job_id="job-${i}"} ${2 * i}`));
    expect(samples(text, `${p}job_status`)).to.have.length(1500 * 4);
    expect(samples(text, `${p}jobs_finished_total`)).to.deep.equal([`${p}jobs_finished_total{${l},status="SUCCEEDED"} 5`]);
  });

  it('cuts long messages to 256 characters', async () => {
    const job: MatchingJobDetail = { jobId: '1'.repeat(32), status: 'FAILED', startTime: date(T0), errorDetails: { errorMessage: 'x'.repeat(10_000) } };
    const text = await render(target('matching', 'wf', [{ id: '1'.repeat(32), detail: job }]));
    const message = /message="(x*)"/.exec(samples(text, 'aws_entity_resolution_matching_job_error_info')[0] ?? '')?.[1];
    expect(message).to.have.length(256);
  });

  it('exports target summaries and counters, and target self-metrics', async () => {
    const text = await render(target('id_mapping', 'crm-to-ads', [], {
      latestStatus: 'RUNNING', lastSuccessEnd: T0 + 10, lastFailureEnd: T0 + 5,
      counters: { finishedByStatus: new Map([['SUCCEEDED', 3], ['FAILED', 0]]), statisticSums: new Map([['records_processed', 300], ['records_not_processed', 0]]) },
    }), target('identity_resolution', 'down-domain', [], { up: false, lastError: { code: 'AccessDeniedException', description: 'AccessDeniedException: denied' }, lastSuccessTime: undefined }));
    const l = 'aws_account_id="123456789012",aws_region="us-east-1",workflow="crm-to-ads"';
    const p = 'aws_entity_resolution_id_mapping_';
    expect(samples(text, `${p}jobs_finished_total`)).to.deep.equal([`${p}jobs_finished_total{${l},status="SUCCEEDED"} 3`, `${p}jobs_finished_total{${l},status="FAILED"} 0`]);
    expect(samples(text, `${p}records_processed_total`)).to.deep.equal([`${p}records_processed_total{${l}} 300`]);
    expect(samples(text, `${p}records_not_processed_total`)).to.deep.equal([`${p}records_not_processed_total{${l}} 0`]);
    expect(samples(text, `${p}last_success_timestamp_seconds`)).to.deep.equal([`${p}last_success_timestamp_seconds{${l}} ${T0 + 10}`]);
    expect(samples(text, `${p}last_failure_timestamp_seconds`)).to.deep.equal([`${p}last_failure_timestamp_seconds{${l}} ${T0 + 5}`]);
    expect(samples(text, 'aws_resolution_exporter_target_up')).to.deep.equal([
      'aws_resolution_exporter_target_up{kind="id_mapping",aws_account_id="123456789012",aws_region="us-east-1",target="crm-to-ads"} 1',
      'aws_resolution_exporter_target_up{kind="identity_resolution",aws_account_id="123456789012",aws_region="us-east-1",target="down-domain"} 0',
    ]);
    expect(samples(text, 'aws_resolution_exporter_target_error_info'), 'what AWS answered, for the down target only').to.deep.equal([
      'aws_resolution_exporter_target_error_info{kind="identity_resolution",aws_account_id="123456789012",aws_region="us-east-1",target="down-domain",phase="collection",code="AccessDeniedException",message="AccessDeniedException: denied"} 1',
    ]);
    expect(samples(text, 'aws_customer_profiles_identity_resolution_jobs_finished_total')).to.deep.equal([]);
    expect(promtoolCheckMetrics(text)).to.equal('');
  });

  it('exports the target-level view and the target\'s expectations, whatever the per-job window holds', async () => {
    const text = await render(target('identity_resolution', 'retail-us', [], {
      refreshOk: false,
      runs: {
        latestStatus: 'PENDING',
        latest: { start: T0 + 7000, end: undefined, queuedSeconds: 200, runningSeconds: undefined },
        latestFinished: { id: 'f'.repeat(32), status: 'FAILED', message: 'Access "denied"' },
        consecutiveFailures: 3,
        earliestStart: T0 - 86_400,
        history: { starts: [], successDurations: [] },
        volumes: { last: new Map([['profiles_reviewed', 0], ['merges_done', 50], ['match_rate', 0.02]]), median: new Map([['profiles_reviewed', 1000], ['match_rate', 0.025]]) },
      },
      refreshError: { code: 'AccessDeniedException', description: 'AccessDeniedException: not allowed to GetDomain' },
      expectations: {
        interval: { value: 604_800, source: 'schedule' },
        maxDuration: { value: 10_800, source: 'history' },
        maxQueued: { value: 7200, source: 'default' },
        volumeMinRatio: { value: 0.25, source: 'config' },
        volumeMaxRatio: { value: 2, source: 'default' },
        failedJobsToPage: { value: 1, source: 'schedule' },
        maxRecordsNotProcessedRatio: { value: 0.05, source: 'default' },
        matchRateMinRatio: { value: 0.8, source: 'default' },
        matchRateMaxRatio: { value: 1.5, source: 'config' },
        ruleBasedMatchingMaxInactive: { value: 86400, source: 'default' },
      },
    }));
    const l = 'aws_account_id="123456789012",aws_region="us-east-1",domain="retail-us"';
    const p = 'aws_customer_profiles_identity_resolution_';
    const expected: Record<string, string[]> = {
      latest_job_start_timestamp_seconds: [`{${l}} ${T0 + 7000}`],
      latest_job_end_timestamp_seconds: [],
      latest_job_queued_seconds: [`{${l}} 200`],
      latest_job_running_seconds: [],
      consecutive_failed_jobs: [`{${l}} 3`],
      latest_finished_job_info: [`{${l},job_id="${'f'.repeat(32)}",status="FAILED",message="Access \\"denied\\""} 1`],
      earliest_job_start_timestamp_seconds: [`{${l}} ${T0 - 86_400}`],
      last_success_profiles_reviewed: [`{${l}} 0`],
      last_success_merges_done: [`{${l}} 50`],
      last_success_matches_found: [],
      recent_median_profiles_reviewed: [`{${l}} 1000`],
      recent_median_merges_done: [],
      expected_interval_seconds: [`{${l},source="schedule"} 604800`],
      expected_max_duration_seconds: [`{${l},source="history"} 10800`],
      expected_max_queued_seconds: [`{${l},source="default"} 7200`],
      last_success_match_rate: [`{${l}} 0.02`],
      recent_median_match_rate: [`{${l}} 0.025`],
      expected_volume_min_ratio: [`{${l},source="config"} 0.25`],
      expected_volume_max_ratio: [`{${l},source="default"} 2`],
      expected_failed_jobs_to_page: [`{${l},source="schedule"} 1`],
      // A domain has no records left unprocessed to hold to anything.
      expected_max_records_not_processed_ratio: [],
      expected_match_rate_min_ratio: [`{${l},source="default"} 0.8`],
      expected_match_rate_max_ratio: [`{${l},source="config"} 1.5`],
    };
    for (const [name, lines] of Object.entries(expected)) expect(samples(text, `${p}${name}`), name).to.deep.equal(lines.map((line) => `${p}${name}${line}`));
    expect(samples(text, 'aws_resolution_exporter_target_last_refresh_success')).to.deep.equal([
      'aws_resolution_exporter_target_last_refresh_success{kind="identity_resolution",aws_account_id="123456789012",aws_region="us-east-1",target="retail-us"} 0',
    ]);
    expect(samples(text, 'aws_resolution_exporter_target_error_info')).to.deep.equal([
      'aws_resolution_exporter_target_error_info{kind="identity_resolution",aws_account_id="123456789012",aws_region="us-east-1",target="retail-us",phase="refresh",code="AccessDeniedException",message="AccessDeniedException: not allowed to GetDomain"} 1',
    ]);
    expect(promtoolCheckMetrics(text)).to.equal('');
  });

  it('exports no target-level view before a target was first collected, nor a refresh result before its first refresh', async () => {
    const text = await render(target('matching', 'wf', []));
    for (const name of ['latest_job_start_timestamp_seconds', 'consecutive_failed_jobs', 'latest_finished_job_info', 'expected_interval_seconds', 'last_success_input_records']) {
      expect(samples(text, `aws_entity_resolution_matching_${name}`), name).to.deep.equal([]);
    }
    expect(samples(text, 'aws_resolution_exporter_target_last_refresh_success')).to.deep.equal([]);
  });

  it('drops the series of a job that left the window at the next publish', async () => {
    const metrics = new SnapshotMetrics();
    const job: MatchingJobDetail = { jobId: '2'.repeat(32), status: 'RUNNING', startTime: date(T0) };
    metrics.publish({ targets: [target('matching', 'wf', [{ id: '2'.repeat(32), detail: job }])], finishedAt: T0, durationSeconds: 1 });
    expect(await metrics.text()).to.contain('2'.repeat(32));
    metrics.publish({ targets: [target('matching', 'wf', [])], finishedAt: T0 + 60, durationSeconds: 1 });
    expect(await metrics.text()).not.to.contain('2'.repeat(32));
  });
});

describe('OpenMetrics rendering', () => {
  it('names counter families without _total, drops blank lines and ends with # EOF', () => {
    const text = '# HELP a_total Things.\n# TYPE a_total counter\na_total{x="1"} 3\n\n# HELP b Level.\n# TYPE b gauge\nb 1\n';
    expect(toOpenMetrics(text)).to.equal('# HELP a Things.\n# TYPE a counter\na_total{x="1"} 3\n# HELP b Level.\n# TYPE b gauge\nb 1\n# EOF\n');
  });
});
