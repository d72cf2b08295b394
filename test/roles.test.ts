import { expect } from 'chai';
import type { TargetConfig } from '../src/config/types.js';
import { Harness, samples, value } from './support/harness.js';
import { targetRef } from '../src/model/target.js';

const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';
const role = (account: string, externalId?: string): NonNullable<TargetConfig['role']> => ({ arn: `arn:aws:iam::${account}:role/aws-resolution-reader`, externalId, sessionName: undefined });
const FLEET = { accounts: [ACCOUNT_A, ACCOUNT_B], domains: ['retail'], historyJobsPerTarget: 3, jobIntervalSeconds: 3600 };

describe('assumed roles (role_arn), through STS AssumeRole', function () {
  this.timeout(30_000);
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('watches identically named domains in two accounts, each under its own account id', async () => {
    harness = await Harness.start({
      fleet: FLEET,
      targets: [
        targetRef('identity_resolution', 'retail', 'us-east-1', role(ACCOUNT_A, 'exporter-prod')),
        targetRef('identity_resolution', 'retail', 'us-east-1', role(ACCOUNT_B)),
      ],
    });
    await harness.collect();
    const text = await harness.scrape();
    expect(value(text, 'aws_resolution_exporter_target_up', { aws_account_id: ACCOUNT_A, target: 'retail' })).to.equal(1);
    expect(value(text, 'aws_resolution_exporter_target_up', { aws_account_id: ACCOUNT_B, target: 'retail' })).to.equal(1);
    const jobsOf = (account: string): string[] => samples(text, 'aws_customer_profiles_identity_resolution_job_start_timestamp_seconds', { aws_account_id: account }).map((line) => /job_id="(\w+)"/.exec(line)?.[1] ?? '');
    expect(jobsOf(ACCOUNT_A)).to.have.length(3);
    expect(jobsOf(ACCOUNT_B)).to.have.length(3);
    expect(jobsOf(ACCOUNT_A).some((id) => jobsOf(ACCOUNT_B).includes(id)), 'each account\'s own jobs').to.equal(false);
    expect(harness.simulator.counts.calls('AssumeRole'), 'one session per role').to.equal(2);
    expect(value(text, 'aws_resolution_exporter_aws_requests_total', { aws_service: 'sts', operation: 'AssumeRole', code: 'OK' }), 'AssumeRole is counted like any AWS call').to.equal(2);
    for (const account of [ACCOUNT_A, ACCOUNT_B]) {
      const place = { aws_account_id: account, aws_region: 'us-east-1' };
      expect(value(text, 'aws_resolution_exporter_aws_requests_total', { ...place, operation: 'ListIdentityResolutionJobs', code: 'OK' }), `requests by ${account}`).to.equal(1);
      expect(samples(text, 'aws_resolution_exporter_aws_request_duration_seconds_count', { ...place, operation: 'ListIdentityResolutionJobs' })).to.have.length(1);
      expect(samples(text, 'aws_resolution_exporter_aws_request_retries_total', { ...place, operation: 'ListIdentityResolutionJobs' })).to.have.length(1);
    }
  });

  it('a role that cannot be assumed marks only its target down', async () => {
    harness = await Harness.start({
      fleet: FLEET,
      targets: [
        targetRef('identity_resolution', 'retail', 'us-east-1', role(ACCOUNT_A)),
        targetRef('identity_resolution', 'retail', 'us-east-1', role('999999999999')),
      ],
    });
    await harness.collect();
    const text = await harness.scrape();
    expect(value(text, 'aws_resolution_exporter_target_up', { aws_account_id: ACCOUNT_A })).to.equal(1);
    const down = samples(text, 'aws_resolution_exporter_target_up').filter((line) => !line.includes(ACCOUNT_A));
    expect(down).to.have.length(1);
    expect(down[0]).to.match(/ 0$/);
    expect(harness.logLines.some((line) => line.includes('target collection failed') && line.includes('AccessDenied'))).to.equal(true);
  });

  it('when AWS says the session expired, assumes the role again and recovers', async () => {
    harness = await Harness.start({ fleet: FLEET, targets: [targetRef('identity_resolution', 'retail', 'us-east-1', role(ACCOUNT_A))] });
    await harness.collect();
    expect(harness.simulator.counts.calls('AssumeRole')).to.equal(1);
    // The session lasts an hour in AWS's clock; the SDK's own clock has not moved, so only AWS knows it expired.
    harness.clock.advance(2 * 3600);
    await harness.collect();
    let text = await harness.scrape();
    expect(value(text, 'aws_resolution_exporter_target_up', { target: 'retail' })).to.equal(0);
    expect(value(text, 'aws_resolution_exporter_aws_requests_total', { operation: 'ListIdentityResolutionJobs', code: 'ExpiredTokenException' })).to.equal(1);
    await harness.collect();
    text = await harness.scrape();
    expect(value(text, 'aws_resolution_exporter_target_up', { target: 'retail' }), 'up again with a new session').to.equal(1);
    expect(harness.simulator.counts.calls('AssumeRole')).to.equal(2);
  });
});
