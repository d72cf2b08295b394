import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { WireObject } from '../src/simulator/index.js';
import { ACCOUNT, Harness, REGION, samples, value } from './support/harness.js';
import { promtoolCheckMetrics } from './support/promtool.js';
import { targetRef } from '../src/model/target.js';
import { medianOf, SEED_SUCCESSES } from '../src/collect/runSummary.js';

const IR = 'aws_customer_profiles_identity_resolution_';
const M = 'aws_entity_resolution_matching_';
const I = 'aws_entity_resolution_id_mapping_';
/** A job interval no test outlives: the fleet's targets then hold only the jobs a test puts there. */
const NEVER = 1e9;

function jobLabels(target: 'domain' | 'workflow', name: string, jobId: string): Record<string, string> {
  return { aws_account_id: ACCOUNT, aws_region: REGION, [target]: name, job_id: jobId };
}

describe('exporter against the simulator, through the real AWS SDK clients', function () {
  this.timeout(30_000);
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  describe('every field of each job shape', () => {
    const T0 = 1_790_000_000;
    const fullIdentityResolution: WireObject = {
      DomainName: 'retail-us', JobId: 'a'.repeat(32), Status: 'PARTIAL_SUCCESS', Message: 'merge conflicts in 3 profiles',
      JobStartTime: T0, JobEndTime: T0 + 3600.25, LastUpdatedAt: T0 + 3601, JobExpirationTime: T0 + 30 * 86_400,
      AutoMerging: {
        Enabled: true, Consolidation: { MatchingAttributesList: [['EmailAddress']] },
        ConflictResolution: { ConflictResolvingModel: 'SOURCE', SourceName: 'crm' }, MinAllowedConfidenceScoreForMerging: 0.85,
      },
      ExportingLocation: { S3Exporting: { S3BucketName: 'exports', S3KeyName: 'ir/retail-us/' } },
      JobStats: { NumberOfProfilesReviewed: 120_000, NumberOfMatchesFound: 4_000, NumberOfMergesDone: 3_500 },
    };
    const fullMatching: WireObject = {
      jobId: 'b'.repeat(32), status: 'FAILED', startTime: T0, endTime: T0 + 600.5,
      metrics: { inputRecords: 1000, totalRecordsProcessed: 900, recordsNotProcessed: 100, deleteRecordsProcessed: 7, matchIDs: 640 },
      errorDetails: { errorMessage: 'Output bucket is not writable' },
      outputSourceConfig: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/er`, outputS3Path: 's3://out/dedupe/', KMSArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k` }],
    };
    const idMappingMetrics = {
      inputRecords: 1, totalRecordsProcessed: 2, recordsNotProcessed: 3, deleteRecordsProcessed: 4, totalMappedRecords: 5,
      totalMappedSourceRecords: 6, totalMappedTargetRecords: 7, uniqueRecordsLoaded: 8, newMappedRecords: 9, newMappedSourceRecords: 10,
      newMappedTargetRecords: 11, newUniqueRecordsLoaded: 12, mappedRecordsRemoved: 13, mappedSourceRecordsRemoved: 14, mappedTargetRecordsRemoved: 15,
    };
    const fullIdMapping: WireObject = {
      jobId: 'c'.repeat(32), status: 'SUCCEEDED', startTime: T0, endTime: T0 + 120, jobType: 'INCREMENTAL', metrics: idMappingMetrics,
      outputSourceConfig: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/er`, outputS3Path: 's3://out/idm/' }],
    };

    async function withJobs(jobs: { ir?: WireObject; matching?: WireObject; idMapping?: WireObject }): Promise<string> {
      harness = await Harness.start({
        fleet: { domains: ['retail-us'], matchingWorkflows: ['dedupe'], idMappingWorkflows: ['crm-to-ads'], historyJobsPerTarget: 0, jobIntervalSeconds: NEVER },
        config: { lookbackSeconds: 10 * 365 * 86_400 },
      });
      const fleet = harness.simulator.fleet;
      if (jobs.ir) fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'identity_resolution', name: 'retail-us' })?.putJob(jobs.ir);
      if (jobs.matching) fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'dedupe' })?.putJob(jobs.matching);
      if (jobs.idMapping) fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'id_mapping', name: 'crm-to-ads' })?.putJob(jobs.idMapping);
      await harness.collect();
      return harness.scrape();
    }

    it('identity resolution: every member of GetIdentityResolutionJob reaches its series', async () => {
      const text = await withJobs({ ir: fullIdentityResolution });
      const labels = jobLabels('domain', 'retail-us', 'a'.repeat(32));
      const expected: [string, number][] = [
        ['job_start_timestamp_seconds', T0], ['job_end_timestamp_seconds', T0 + 3600.25], ['job_last_updated_timestamp_seconds', T0 + 3601],
        ['job_expiration_timestamp_seconds', T0 + 30 * 86_400], ['job_duration_seconds', 3600.25], ['job_profiles_reviewed', 120_000],
        ['job_matches_found', 4_000], ['job_merges_done', 3_500], ['job_auto_merging_enabled', 1], ['job_auto_merging_min_confidence_score', 0.85],
      ];
      for (const [family, number] of expected) expect(value(text, `${IR}${family}`, labels), family).to.equal(number);
      expect(value(text, `${IR}job_status`, { ...labels, status: 'PARTIAL_SUCCESS' })).to.equal(1);
      expect(value(text, `${IR}job_status`, { ...labels, status: 'COMPLETED' })).to.equal(0);
      expect(value(text, `${IR}job_info`, { ...labels, conflict_resolving_model: 'SOURCE', source_name: 'crm', s3_bucket: 'exports', s3_key: 'ir/retail-us/' })).to.equal(1);
      expect(value(text, `${IR}job_message_info`, { ...labels, message: 'merge conflicts in 3 profiles' })).to.equal(1);
      expect(promtoolCheckMetrics(text)).to.equal('');
    });

    it('matching: every member of GetMatchingJob reaches its series', async () => {
      const text = await withJobs({ matching: fullMatching });
      const labels = jobLabels('workflow', 'dedupe', 'b'.repeat(32));
      const expected: [string, number][] = [
        ['job_start_timestamp_seconds', T0], ['job_end_timestamp_seconds', T0 + 600.5], ['job_duration_seconds', 600.5], ['job_input_records', 1000],
        ['job_records_processed', 900], ['job_records_not_processed', 100], ['job_delete_records_processed', 7], ['job_match_ids', 640],
      ];
      for (const [family, number] of expected) expect(value(text, `${M}${family}`, labels), family).to.equal(number);
      expect(value(text, `${M}job_status`, { ...labels, status: 'FAILED' })).to.equal(1);
      expect(value(text, `${M}job_error_info`, { ...labels, message: 'Output bucket is not writable' })).to.equal(1);
      expect(value(text, `${M}job_info`, { ...labels, output_s3_path: 's3://out/dedupe/' })).to.equal(1);
    });

    it('ID mapping: every member of GetIdMappingJob reaches its series', async () => {
      const text = await withJobs({ idMapping: fullIdMapping });
      const labels = jobLabels('workflow', 'crm-to-ads', 'c'.repeat(32));
      const families = [
        'job_input_records', 'job_records_processed', 'job_records_not_processed', 'job_delete_records_processed', 'job_mapped_records',
        'job_mapped_source_records', 'job_mapped_target_records', 'job_unique_records_loaded', 'job_new_mapped_records', 'job_new_mapped_source_records',
        'job_new_mapped_target_records', 'job_new_unique_records_loaded', 'job_mapped_records_removed', 'job_mapped_source_records_removed', 'job_mapped_target_records_removed',
      ];
      // The simulator's metrics are numbered 1..15 in model order, so each family must carry its own member's value.
      families.forEach((family, index) => { expect(value(text, `${I}${family}`, labels), family).to.equal(index + 1); });
      expect(value(text, `${I}job_info`, { ...labels, job_type: 'INCREMENTAL', output_s3_path: 's3://out/idm/' })).to.equal(1);
      expect(value(text, `${I}job_duration_seconds`, labels)).to.equal(120);
    });

    it('a member AWS leaves out is a missing series, and a 0 AWS sends is 0', async () => {
      const text = await withJobs({
        ir: { JobId: 'd'.repeat(32), Status: 'PENDING', JobStartTime: T0, JobStats: { NumberOfMergesDone: 0 } },
        matching: { jobId: 'e'.repeat(32), status: 'QUEUED', startTime: T0 },
      });
      const ir = jobLabels('domain', 'retail-us', 'd'.repeat(32));
      for (const family of ['job_end_timestamp_seconds', 'job_profiles_reviewed', 'job_matches_found', 'job_auto_merging_enabled', 'job_message_info', 'job_expiration_timestamp_seconds']) {
        expect(samples(text, `${IR}${family}`, ir), family).to.deep.equal([]);
      }
      expect(value(text, `${IR}job_merges_done`, ir)).to.equal(0);
      const matching = jobLabels('workflow', 'dedupe', 'e'.repeat(32));
      for (const family of ['job_input_records', 'job_records_processed', 'job_match_ids', 'job_end_timestamp_seconds', 'job_error_info']) {
        expect(samples(text, `${M}${family}`, matching), family).to.deep.equal([]);
      }
      expect(value(text, `${M}job_status`, { ...matching, status: 'QUEUED' })).to.equal(1);
    });

    it('exports a status the SDK model does not know as it comes', async () => {
      const text = await withJobs({ matching: { jobId: 'f'.repeat(32), status: 'ARCHIVED', startTime: T0 } });
      const labels = jobLabels('workflow', 'dedupe', 'f'.repeat(32));
      expect(value(text, `${M}job_status`, { ...labels, status: 'ARCHIVED' })).to.equal(1);
      for (const known of ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED']) expect(value(text, `${M}job_status`, { ...labels, status: known })).to.equal(0);
      expect(value(text, `${M}latest_job_status`, { workflow: 'dedupe', status: 'ARCHIVED' })).to.equal(1);
      expect(promtoolCheckMetrics(text)).to.equal('');
    });

    it('escapes quotes, backslashes, newlines and non-ASCII in label values, and cuts long messages', async () => {
      const message = `He said "no" \\ then\nleft — ünïcødé ✓ 🚀 ${'x'.repeat(400)}`;
      const text = await withJobs({ matching: { ...fullMatching, errorDetails: { errorMessage: message } } });
      const line = samples(text, `${M}job_error_info`)[0] ?? '';
      expect(line).to.contain('message="He said \\"no\\" \\\\ then\\nleft — ünïcødé ✓ 🚀 xxx');
      const label = /message="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '';
      const unescaped = label.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      expect([...new Intl.Segmenter().segment(unescaped)]).to.have.length(256);
      expect(promtoolCheckMetrics(text)).to.equal('');
    });
  });

  describe('the window and incremental polling', () => {
    it('pages newest-first and stops as soon as max_jobs_per_target is covered', async () => {
      harness = await Harness.start({
        fleet: { domains: ['big-domain'], matchingWorkflows: ['busy'], historyJobsPerTarget: 150, runningFraction: 0 },
        config: { maxJobsPerTarget: 30, lookbackSeconds: 10 * 365 * 86_400 },
      });
      await harness.collect();
      const counts = harness.simulator.counts;
      // 30 jobs: two Entity Resolution pages of 25, one Customer Profiles page of 100.
      expect(counts.calls('ListMatchingJobs')).to.equal(2);
      expect(counts.calls('ListIdentityResolutionJobs')).to.equal(1);
      expect(counts.calls('GetMatchingJob')).to.equal(30);
      const text = await harness.scrape();
      expect(value(text, 'aws_resolution_exporter_target_jobs', { target: 'busy' })).to.equal(30);
      const busy = harness.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'busy' });
      const newest = busy?.generatedJobId(harness.simulator.now(), 0) ?? '';
      const thirtieth = busy?.generatedJobId(harness.simulator.now(), 29) ?? '';
      const thirtyFirst = busy?.generatedJobId(harness.simulator.now(), 30) ?? '';
      expect(samples(text, `${M}job_start_timestamp_seconds`, { job_id: newest })).to.have.length(1);
      expect(samples(text, `${M}job_start_timestamp_seconds`, { job_id: thirtieth })).to.have.length(1);
      expect(samples(text, `${M}job_start_timestamp_seconds`, { job_id: thirtyFirst })).to.deep.equal([]);
    });

    it('reads every page when the list is not newest-first, and still exports the newest jobs', async () => {
      harness = await Harness.start({
        fleet: { matchingWorkflows: ['unordered'], historyJobsPerTarget: 60, runningFraction: 0, listOrder: 'oldest-first' },
        config: { maxJobsPerTarget: 5, lookbackSeconds: 10 * 365 * 86_400 },
      });
      await harness.collect();
      expect(harness.simulator.counts.calls('ListMatchingJobs')).to.equal(3);
      const text = await harness.scrape();
      const target = harness.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'unordered' });
      for (let back = 0; back < 5; back++) {
        expect(samples(text, `${M}job_status`, { job_id: target?.generatedJobId(harness.simulator.now(), back) ?? '' })).to.have.length(4);
      }
      expect(value(text, 'aws_resolution_exporter_target_jobs', { target: 'unordered' })).to.equal(5);
    });

    it('exports per-job series only for jobs started within the lookback', async () => {
      harness = await Harness.start({
        fleet: { matchingWorkflows: ['daily'], historyJobsPerTarget: 20, runningFraction: 0 },
        config: { maxJobsPerTarget: 10, lookbackSeconds: 3 * 86_400 },
      });
      await harness.collect();
      const text = await harness.scrape();
      const starts = samples(text, `${M}job_start_timestamp_seconds`).map((line) => Number(line.split(' ').pop()));
      expect(starts.length).to.be.within(2, 4);
      const cutoff = harness.simulator.now() - 3 * 86_400;
      for (const start of starts) expect(start).to.be.at.least(cutoff);
      // Beyond the window, only the newest successes the volume medians need are read, at the first collection.
      const daily = harness.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'daily' });
      const newestSuccesses = (daily?.jobs(harness.simulator.now()) ?? []).filter((job) => job.detail().status === 'SUCCEEDED').slice(0, SEED_SUCCESSES);
      const seeded = newestSuccesses.filter((job) => job.start < cutoff).length;
      expect(harness.simulator.counts.calls('GetMatchingJob')).to.equal(starts.length + seeded);
    });

    it('in summary mode has a workflow\'s volume medians from the first collection, reading its newest successes once', async () => {
      harness = await Harness.start({
        fleet: { matchingWorkflows: ['weekly'], historyJobsPerTarget: 8, runningFraction: 0, jobIntervalSeconds: 7 * 86_400 },
        config: { maxJobsPerTarget: 0 },
      });
      await harness.collect();
      const weekly = harness.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'weekly' });
      const newestSuccesses = (weekly?.jobs(harness.simulator.now()) ?? []).map((job) => job.detail()).filter((detail) => detail.status === 'SUCCEEDED').slice(0, SEED_SUCCESSES);
      const inputRecords = newestSuccesses.map((detail) => (detail.metrics as { inputRecords: number }).inputRecords);
      expect(inputRecords.length, 'several successful runs to take a median over').to.be.at.least(3);
      const text = await harness.scrape();
      const labels = { aws_account_id: ACCOUNT, aws_region: REGION, workflow: 'weekly' };
      expect(value(text, `${M}recent_median_input_records`, labels)).to.equal(medianOf(inputRecords.slice(1)));
      expect(value(text, `${M}jobs_finished_total`, { ...labels, status: 'SUCCEEDED' }), 'history, not news').to.equal(0);
      expect(samples(text, `${M}job_start_timestamp_seconds`), 'no per-job series').to.deep.equal([]);

      harness.simulator.counts.reset();
      await harness.collect();
      expect(harness.simulator.counts.calls('GetMatchingJob'), 'nothing new, nothing read').to.equal(0);
    });

    it('gets each job once when new or unfinished, never again once finished, and counts each finish once', async () => {
      harness = await Harness.start({ fleet: { matchingWorkflows: ['nightly'], historyJobsPerTarget: 12, runningFraction: 1, jobIntervalSeconds: 86_400 } });
      const counts = harness.simulator.counts;
      const labels = { aws_account_id: ACCOUNT, aws_region: REGION, workflow: 'nightly' };
      await harness.collect();
      expect(counts.calls('GetMatchingJob')).to.equal(10);
      let text = await harness.scrape();
      // History is not news: every terminal status starts at 0.
      expect(value(text, `${M}jobs_finished_total`, { ...labels, status: 'SUCCEEDED' })).to.equal(0);
      expect(value(text, `${M}jobs_finished_total`, { ...labels, status: 'FAILED' })).to.equal(0);
      expect(value(text, `${M}records_processed_total`, labels)).to.equal(0);
      expect(value(text, `${M}latest_job_status`, { ...labels, status: 'RUNNING' })).to.equal(1);

      counts.reset();
      await harness.collect();
      expect(counts.calls('GetMatchingJob'), 'only the running job is fetched again').to.equal(1);

      counts.reset();
      harness.clock.advance(6 * 3600);
      await harness.collect();
      expect(counts.calls('GetMatchingJob')).to.equal(1);
      text = await harness.scrape();
      const finishedStatus = ['SUCCEEDED', 'FAILED'].find((status) => value(text, `${M}latest_job_status`, { ...labels, status }) === 1) ?? 'none';
      expect(value(text, `${M}jobs_finished_total`, { ...labels, status: finishedStatus })).to.equal(1);
      const newestId = harness.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'nightly' })?.generatedJobId(harness.simulator.now()) ?? '';
      const processed = value(text, `${M}job_records_processed`, { job_id: newestId });
      expect(value(text, `${M}records_processed_total`, labels)).to.equal(processed);

      counts.reset();
      await harness.collect();
      expect(counts.calls('GetMatchingJob'), 'a finished job is never fetched again').to.equal(0);
      text = await harness.scrape();
      expect(value(text, `${M}jobs_finished_total`, { ...labels, status: finishedStatus }), 'counted once').to.equal(1);

      counts.reset();
      harness.clock.advance(86_400);
      await harness.collect();
      expect(counts.calls('GetMatchingJob'), 'the next day brings one new job').to.equal(1);
      text = await harness.scrape();
      expect(value(text, 'aws_resolution_exporter_target_jobs', { target: 'nightly' }), 'the oldest job left the window').to.equal(10);
    });

    it('keeps a target up and drops a job that vanished between List and Get', async () => {
      harness = await Harness.start({ fleet: { matchingWorkflows: ['flaky'], historyJobsPerTarget: 5, runningFraction: 0 } });
      harness.simulator.faults.add({ operation: 'GetMatchingJob', times: 1, effect: { type: 'error', status: 404, code: 'ResourceNotFoundException', message: 'Job not found' } });
      await harness.collect();
      const text = await harness.scrape();
      expect(value(text, 'aws_resolution_exporter_target_up', { target: 'flaky' })).to.equal(1);
      expect(value(text, 'aws_resolution_exporter_target_jobs', { target: 'flaky' })).to.equal(4);
    });
  });

  describe('failures', () => {
    it('marks only the failing target down, keeps its last series, and recovers', async () => {
      harness = await Harness.start({ fleet: { matchingWorkflows: ['healthy', 'broken'], historyJobsPerTarget: 3, runningFraction: 0 } });
      await harness.collect();
      const before = await harness.scrape();
      const remove = harness.simulator.faults.add({ target: 'broken', effect: { type: 'error', status: 500, code: 'InternalServerException', message: 'boom' } });
      await harness.collect();
      const during = await harness.scrape();
      expect(value(during, 'aws_resolution_exporter_target_up', { target: 'broken' })).to.equal(0);
      expect(value(during, 'aws_resolution_exporter_target_up', { target: 'healthy' })).to.equal(1);
      expect(samples(during, `${M}job_status`, { workflow: 'broken' })).to.deep.equal(samples(before, `${M}job_status`, { workflow: 'broken' }));
      expect(samples(during, `${M}job_records_processed`, { workflow: 'healthy' })).to.deep.equal(samples(before, `${M}job_records_processed`, { workflow: 'healthy' }));
      expect(value(during, 'aws_resolution_exporter_aws_requests_total', { operation: 'ListMatchingJobs', code: 'InternalServerException' })).to.equal(1);
      expect(harness.logLines.some((line) => line.includes('InternalServerException') && line.includes('broken'))).to.equal(true);
      remove();
      await harness.collect();
      expect(value(await harness.scrape(), 'aws_resolution_exporter_target_up', { target: 'broken' })).to.equal(1);
    });

    it('a denied domain is down from the start with no made-up job series or counters', async () => {
      harness = await Harness.start({
        fleet: { domains: ['open', 'locked'], historyJobsPerTarget: 3 },
        simulator: { deniedTargets: ['locked'] },
      });
      await harness.collect();
      const text = await harness.scrape();
      expect(value(text, 'aws_resolution_exporter_target_up', { target: 'locked' })).to.equal(0);
      expect(value(text, 'aws_resolution_exporter_target_up', { target: 'open' })).to.equal(1);
      expect(samples(text, `${IR}jobs_finished_total`, { domain: 'locked' })).to.deep.equal([]);
      expect(samples(text, `${IR}job_status`, { domain: 'locked' })).to.deep.equal([]);
      expect(samples(text, `${IR}jobs_finished_total`, { domain: 'open' })).to.have.length(3);
      expect(value(text, 'aws_resolution_exporter_aws_requests_total', { operation: 'ListIdentityResolutionJobs', code: 'AccessDeniedException' })).to.equal(1);
    });
  });

  describe('service', () => {
    it('asks STS for the account once, and counts every AWS request by operation and code', async () => {
      harness = await Harness.start({ fleet: { domains: ['a', 'b'], matchingWorkflows: ['m'], idMappingWorkflows: ['i'], historyJobsPerTarget: 2 } });
      await harness.collect();
      await harness.collect();
      await harness.collect();
      const counts = harness.simulator.counts;
      expect(counts.calls('GetCallerIdentity')).to.equal(1);
      const text = await harness.scrape();
      for (const operation of ['ListIdentityResolutionJobs', 'GetIdentityResolutionJob', 'ListMatchingJobs', 'ListIdMappingJobs', 'GetIdMappingJob']) {
        expect(value(text, 'aws_resolution_exporter_aws_requests_total', { operation, code: 'OK' }), operation).to.equal(counts.calls(operation));
      }
      expect(value(text, 'aws_resolution_exporter_collections_total')).to.equal(3);
      expect(promtoolCheckMetrics(text)).to.equal('');
    });

    it('watches an ID-mapping workflow given by ARN, labelled with its name and region', async () => {
      harness = await Harness.start({
        fleet: { idMappingWorkflows: ['shared-map'], historyJobsPerTarget: 2, regions: ['eu-west-1'] },
        targets: [targetRef('id_mapping', `arn:aws:entityresolution:eu-west-1:${ACCOUNT}:idmappingworkflow/shared-map`, 'eu-west-1')],
      });
      await harness.collect();
      const text = await harness.scrape();
      expect(value(text, 'aws_resolution_exporter_target_up', { kind: 'id_mapping', target: 'shared-map', aws_region: 'eu-west-1' })).to.equal(1);
      expect(samples(text, `${I}job_status`, { workflow: 'shared-map', aws_region: 'eu-west-1' }).length).to.equal(8);
    });

    it('skips and counts a collection asked for while one runs', async () => {
      harness = await Harness.start({ fleet: { matchingWorkflows: ['slow'], historyJobsPerTarget: 2 }, simulator: { latencyMs: 200 } });
      const first = harness.exporter.collect();
      expect(harness.exporter.collect()).to.equal(undefined);
      await first;
      expect(value(await harness.scrape(), 'aws_resolution_exporter_collections_skipped_total')).to.equal(1);
    });

    it('is not ready before the first collection, then serves gzip and OpenMetrics on request, and a landing page', async () => {
      harness = await Harness.start({ fleet: { domains: ['retail-us'], historyJobsPerTarget: 2 }, simulator: { deniedTargets: [] } });
      const url = harness.exporter.url;
      expect((await fetch(`${url}/-/ready`)).status).to.equal(503);
      expect((await fetch(`${url}/-/healthy`)).status).to.equal(200);
      await harness.collect();
      expect((await fetch(`${url}/-/ready`)).status).to.equal(200);

      const gzipped = await fetch(`${url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(gzipped.headers.get('content-encoding')).to.equal('gzip');
      const raw = await import('node:http').then(({ get }) => new Promise<Buffer>((resolve, reject) => {
        get(`${url}/metrics`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => { resolve(Buffer.concat(chunks)); });
        }).on('error', reject);
      }));
      expect(gunzipSync(raw).toString('utf8')).to.contain('aws_resolution_exporter_target_up{');

      const openMetrics = await fetch(`${url}/metrics`, { headers: { Accept: 'application/openmetrics-text; version=1.0.0' } });
      expect(openMetrics.headers.get('content-type')).to.contain('application/openmetrics-text');
      expect(await openMetrics.text()).to.match(/# EOF\n$/);

      const landing = await (await fetch(`${url}/`)).text();
      expect(landing).to.contain('retail-us');
      expect(landing).to.contain('href="/metrics"');
    });
  });
});
