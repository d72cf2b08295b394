import { CustomerProfilesClient, GetIdentityResolutionJobCommand, ListDomainsCommand, ListIdentityResolutionJobsCommand } from '@aws-sdk/client-customer-profiles';
import {
  EntityResolutionClient,
  GetIdMappingJobCommand,
  GetMatchingJobCommand,
  ListIdMappingJobsCommand,
  ListMatchingJobsCommand,
  paginateListIdMappingJobs,
  paginateListMatchingJobs,
  paginateListMatchingWorkflows,
} from '@aws-sdk/client-entityresolution';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { outputShapeLeaves } from './support/sdkSchema.js';

const CREDENTIALS = { accessKeyId: 'AKIASIMULATORTEST001', secretAccessKey: 'simulator-test-secret' };

/** Leaf paths of a plain JSON object, lists marked `[]`, as outputShapeLeaves names them. */
function leafPaths(value: unknown, path = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
    for (const item of value) leafPaths(item, `${path}[]`, into);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)) {
    for (const [key, member] of Object.entries(value)) leafPaths(member, path ? `${path}.${key}` : key, into);
  } else {
    into.add(path);
  }
  return into;
}

describe('the built-in AWS simulator, as the real SDK clients see it', function () {
  this.timeout(20_000);
  let simulator: Simulator;
  let profiles: CustomerProfilesClient;
  let entityResolution: EntityResolutionClient;
  before(async () => {
    simulator = await startSimulator({
      seed: 3,
      fleet: { domains: ['retail-us', 'retail-eu'], matchingWorkflows: ['dedupe'], idMappingWorkflows: ['crm-to-ads'], historyJobsPerTarget: 120, runningFraction: 0.5 },
    });
    const config = { region: 'us-east-1', endpoint: simulator.url, credentials: CREDENTIALS, maxAttempts: 1 };
    profiles = new CustomerProfilesClient(config);
    entityResolution = new EntityResolutionClient(config);
  });
  after(async () => {
    profiles.destroy();
    entityResolution.destroy();
    await simulator.close();
  });

  it('emits every member of the three Get job shapes somewhere in its generated fleet', async () => {
    const seen = { ir: new Set<string>(), matching: new Set<string>(), idMapping: new Set<string>() };
    const irJobs = await profiles.send(new ListIdentityResolutionJobsCommand({ DomainName: 'retail-us', MaxResults: 100 }));
    for (const job of irJobs.IdentityResolutionJobsList ?? []) {
      const { $metadata, ...detail } = await profiles.send(new GetIdentityResolutionJobCommand({ DomainName: 'retail-us', JobId: job.JobId }));
      leafPaths(detail, '', seen.ir);
    }
    // Every page: a failed job (the only one with errorDetails) is rare enough that one page may hold none.
    for await (const page of paginateListMatchingJobs({ client: entityResolution, pageSize: 25 }, { workflowName: 'dedupe' })) for (const job of page.jobs ?? []) {
      const { $metadata, ...detail } = await entityResolution.send(new GetMatchingJobCommand({ workflowName: 'dedupe', jobId: job.jobId }));
      leafPaths(detail, '', seen.matching);
    }
    for await (const page of paginateListIdMappingJobs({ client: entityResolution, pageSize: 25 }, { workflowName: 'crm-to-ads' })) for (const job of page.jobs ?? []) {
      const { $metadata, ...detail } = await entityResolution.send(new GetIdMappingJobCommand({ workflowName: 'crm-to-ads', jobId: job.jobId }));
      leafPaths(detail, '', seen.idMapping);
    }
    const expected = (sdk: string, shape: string): string[] => outputShapeLeaves(sdk, shape).map((leaf) => leaf.path).sort();
    expect([...seen.ir].map((path) => path.replace(/\[\]$/, '')).sort()).to.deep.equal(expected('@aws-sdk/client-customer-profiles', 'GetIdentityResolutionJobResponse'));
    expect([...seen.matching].sort()).to.deep.equal(expected('@aws-sdk/client-entityresolution', 'GetMatchingJobOutput'));
    expect([...seen.idMapping].sort()).to.deep.equal(expected('@aws-sdk/client-entityresolution', 'GetIdMappingJobOutput'));
  });

  it('lists summaries with exactly the members of the List models, newest first, the last page without a token', async () => {
    const pages: number[] = [];
    let previous = Number.POSITIVE_INFINITY;
    for await (const page of paginateListMatchingJobs({ client: entityResolution, pageSize: 25 }, { workflowName: 'dedupe' })) {
      pages.push(page.jobs?.length ?? 0);
      for (const job of page.jobs ?? []) {
        expect(Object.keys(job).every((key) => ['jobId', 'status', 'startTime', 'endTime'].includes(key))).to.equal(true);
        const start = job.startTime?.getTime() ?? 0;
        expect(start).to.be.at.most(previous);
        previous = start;
      }
    }
    expect(pages).to.deep.equal([25, 25, 25, 25, 20]);
    const irPage = await profiles.send(new ListIdentityResolutionJobsCommand({ DomainName: 'retail-us' }));
    expect(irPage.IdentityResolutionJobsList).to.have.length(100);
    expect(irPage.NextToken).to.be.a('string');
    const keys = new Set((irPage.IdentityResolutionJobsList ?? []).flatMap((job) => Object.keys(job)));
    for (const onlyOnGet of ['AutoMerging', 'LastUpdatedAt', 'JobExpirationTime']) expect(keys.has(onlyOnGet), onlyOnGet).to.equal(false);
  });

  it('rejects a page size above the model\'s limit as AWS does: 400 with the service\'s own error', async () => {
    const erError = await entityResolution.send(new ListMatchingJobsCommand({ workflowName: 'dedupe', maxResults: 26 })).catch((err: unknown) => err);
    expect(erError).to.have.property('name', 'ValidationException');
    expect(erError).to.have.nested.property('$metadata.httpStatusCode', 400);
    const cpError = await profiles.send(new ListDomainsCommand({ MaxResults: 101 })).catch((err: unknown) => err);
    expect(cpError).to.have.property('name', 'BadRequestException');
    const badToken = await profiles.send(new ListIdentityResolutionJobsCommand({ DomainName: 'retail-us', NextToken: 'bm90LWEtdG9rZW4=' })).catch((err: unknown) => err);
    expect(badToken).to.have.property('name', 'BadRequestException');
  });

  it('answers unknown domains, workflows and jobs with 404 ResourceNotFoundException', async () => {
    for (const call of [
      profiles.send(new ListIdentityResolutionJobsCommand({ DomainName: 'nope' })),
      entityResolution.send(new GetMatchingJobCommand({ workflowName: 'dedupe', jobId: '0'.repeat(32) })),
      entityResolution.send(new ListIdMappingJobsCommand({ workflowName: 'missing' })),
    ]) {
      const err = await call.catch((error: unknown) => error);
      expect(err).to.have.property('name', 'ResourceNotFoundException');
      expect(err).to.have.nested.property('$metadata.httpStatusCode', 404);
    }
  });

  it('accepts an ID-mapping workflow ARN in the path, percent-encoded by the SDK', async () => {
    const page = await entityResolution.send(new ListIdMappingJobsCommand({ workflowName: 'arn:aws:entityresolution:us-east-1:123456789012:idmappingworkflow/crm-to-ads', maxResults: 3 }));
    expect(page.jobs).to.have.length(3);
  });

  it('pages workflows and domains, and answers STS GetCallerIdentity and AssumeRole', async () => {
    const workflows: string[] = [];
    for await (const page of paginateListMatchingWorkflows({ client: entityResolution }, {})) workflows.push(...(page.workflowSummaries ?? []).map((w) => w.workflowName ?? ''));
    expect(workflows).to.deep.equal(['dedupe']);
    const domains = await profiles.send(new ListDomainsCommand({}));
    expect(domains.Items?.map((item) => item.DomainName)).to.deep.equal(['retail-eu', 'retail-us']);
    const sts = new STSClient({ region: 'us-east-1', endpoint: simulator.url, credentials: CREDENTIALS });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).to.equal('123456789012');
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/reader', RoleSessionName: 'exporter' }));
    expect(assumed.Credentials?.Expiration).to.be.instanceOf(Date);
    expect(assumed.AssumedRoleUser?.Arn).to.equal('arn:aws:sts::123456789012:assumed-role/reader/exporter');
    const denied = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/reader', RoleSessionName: 'exporter' })).catch((err: unknown) => err);
    expect(denied).to.have.property('name', 'AccessDenied');
    sts.destroy();
  });

  it('enforces a TPS quota per operation with 429 ThrottlingException, and counts it', async () => {
    simulator.faults.setQuota('ListMatchingJobs', 2);
    simulator.counts.reset();
    const results = await Promise.all(Array.from({ length: 6 }, () => entityResolution.send(new ListMatchingJobsCommand({ workflowName: 'dedupe', maxResults: 1 })).then(() => 'OK', (err: unknown) => (err as Error).name)));
    simulator.faults.setQuota('ListMatchingJobs', undefined);
    expect(results.filter((result) => result === 'OK')).to.have.length(2);
    expect(results.filter((result) => result === 'ThrottlingException')).to.have.length(4);
    expect(simulator.counts.answered('ThrottlingException', 'ListMatchingJobs')).to.equal(4);
  });
});
