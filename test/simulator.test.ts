import { CustomerProfilesClient, GetDomainCommand, ListDomainsCommand, ListIdentityResolutionJobsCommand } from '@aws-sdk/client-customer-profiles';
import {
  EntityResolutionClient,
  GetIdMappingWorkflowCommand,
  GetMatchingJobCommand,
  GetMatchingWorkflowCommand,
  ListIdMappingJobsCommand,
  ListMatchingJobsCommand,
  ListMatchingWorkflowsCommand,
  paginateListMatchingJobs,
  paginateListMatchingWorkflows,
} from '@aws-sdk/client-entityresolution';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expect } from 'chai';
import { startSimulator, type Simulator } from '../src/simulator/index.js';

const CREDENTIALS = { accessKeyId: 'AKIASIMULATORTEST001', secretAccessKey: 'simulator-test-secret' };

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

describe('the simulator\'s domains and workflows: tags, settings and setup over simulated time', function () {
  this.timeout(20_000);
  const DAY = 86_400;
  const START_MS = Date.UTC(2025, 5, 2, 9);
  const PLATFORM = { team: 'data-platform' };
  const MARKETING = { team: 'marketing-analytics', 'cost-center': 'cc-42' };
  let nowMs = START_MS;
  let simulator: Simulator;
  let profiles: CustomerProfilesClient;
  let entityResolution: EntityResolutionClient;
  before(async () => {
    simulator = await startSimulator({
      seed: 5,
      now: () => nowMs,
      fleet: {
        domains: [
          { name: 'retail-us', tags: PLATFORM, ruleBasedMatching: { configuredSecondsAgo: 0, pendingSeconds: 3600, inProgressSeconds: 7200 }, dataStore: { enabledSecondsAgo: 0, readySeconds: 1000 } },
          { name: 'loyalty', tags: MARKETING, ruleBasedMatching: { configuredSecondsAgo: 3 * DAY, stuck: true }, dataStore: false },
          'untagged',
        ],
        matchingWorkflows: [
          { name: 'automatic', tags: PLATFORM, incrementalRunType: 'IMMEDIATE' },
          { name: 'to-profiles', tags: MARKETING, resolutionType: 'RULE_MATCHING', output: { customerProfilesDomain: 'loyalty' } },
          { name: 'ml', resolutionType: 'ML_MATCHING' },
          { name: 'provider', resolutionType: 'PROVIDER', output: { customerProfilesDomain: 'retail-us', s3: true } },
        ],
        idMappingWorkflows: [{ name: 'crm-to-ads', tags: MARKETING, idMappingType: 'RULE_BASED', incrementalRunType: 'ON_DEMAND' }, { name: 'web-to-crm', idMappingType: 'PROVIDER' }],
        historyJobsPerTarget: 2,
      },
    });
    const config = { region: 'us-east-1', endpoint: simulator.url, credentials: CREDENTIALS, maxAttempts: 1 };
    profiles = new CustomerProfilesClient(config);
    entityResolution = new EntityResolutionClient(config);
  });
  afterEach(() => {
    nowMs = START_MS;
    simulator.faults.clear();
  });
  after(async () => {
    profiles.destroy();
    entityResolution.destroy();
    await simulator.close();
  });
  const domain = (DomainName: string) => profiles.send(new GetDomainCommand({ DomainName }));
  const failure = (call: Promise<unknown>): Promise<unknown> => call.then(() => undefined, (err: unknown) => err);

  it('answers each domain\'s and workflow\'s own tags, and no tags member for one that has none', async () => {
    const items = (await profiles.send(new ListDomainsCommand({}))).Items ?? [];
    expect(Object.fromEntries(items.map((item) => [item.DomainName, item.Tags]))).to.deep.equal({ 'retail-us': PLATFORM, loyalty: MARKETING, untagged: undefined });
    expect((await domain('loyalty')).Tags).to.deep.equal(MARKETING);
    expect((await domain('untagged')).Tags).to.equal(undefined);
    expect((await entityResolution.send(new GetMatchingWorkflowCommand({ workflowName: 'automatic' }))).tags).to.deep.equal(PLATFORM);
    expect((await entityResolution.send(new GetMatchingWorkflowCommand({ workflowName: 'ml' }))).tags).to.equal(undefined);
    expect((await entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'crm-to-ads' }))).tags).to.deep.equal(MARKETING);
    const raw = await fetch(`${simulator.url}/domains/untagged`).then((response) => response.json() as Promise<Record<string, unknown>>);
    expect(raw, 'the member left out, not empty').to.not.have.property('Tags');
  });

  it('answers a matching workflow\'s settings: resolution technique, automatic runs, output to S3 or Customer Profiles', async () => {
    const get = (workflowName: string) => entityResolution.send(new GetMatchingWorkflowCommand({ workflowName }));
    const automatic = await get('automatic');
    expect(automatic.resolutionTechniques?.resolutionType, 'an automatic workflow is rule-based').to.equal('RULE_MATCHING');
    expect(automatic.resolutionTechniques?.ruleBasedProperties ?? automatic.resolutionTechniques?.ruleConditionProperties).to.not.equal(undefined);
    expect(automatic.incrementalRunConfig).to.deep.equal({ incrementalRunType: 'IMMEDIATE' });
    expect(automatic.outputSourceConfig?.[0]?.outputS3Path).to.equal('s3://entity-resolution-output/automatic/');
    expect(automatic.workflowArn).to.equal('arn:aws:entityresolution:us-east-1:123456789012:matchingworkflow/automatic');
    expect(automatic.roleArn).to.match(/^arn:aws:iam::123456789012:role\//);
    const toProfiles = (await get('to-profiles')).outputSourceConfig?.[0];
    expect(toProfiles?.outputS3Path).to.equal(undefined);
    expect(toProfiles?.customerProfilesIntegrationConfig?.domainArn).to.equal('arn:aws:profile:us-east-1:123456789012:domains/loyalty');
    expect(toProfiles?.customerProfilesIntegrationConfig?.objectTypeArn).to.match(/^arn:aws:profile:us-east-1:123456789012:domains\/loyalty\/object-types\/\w+$/);
    const provider = await get('provider');
    expect(provider.resolutionTechniques?.providerProperties?.providerServiceArn).to.match(/:providerservice\//);
    expect(provider.outputSourceConfig?.[0]).to.include({ outputS3Path: 's3://entity-resolution-output/provider/' }).and.to.have.property('customerProfilesIntegrationConfig');
    const ml = await get('ml');
    expect(ml.resolutionTechniques).to.deep.equal({ resolutionType: 'ML_MATCHING' });
    expect(ml.incrementalRunConfig, 'runs start on demand').to.equal(undefined);
    const summaries = (await entityResolution.send(new ListMatchingWorkflowsCommand({}))).workflowSummaries ?? [];
    for (const summary of summaries) {
      const detail = await get(summary.workflowName ?? '');
      expect(detail.resolutionTechniques?.resolutionType, summary.workflowName).to.equal(summary.resolutionType);
      expect([detail.createdAt, detail.updatedAt], summary.workflowName).to.deep.equal([summary.createdAt, summary.updatedAt]);
    }
    const refused = await failure(startSimulator({ fleet: { matchingWorkflows: [{ name: 'ml-automatic', resolutionType: 'ML_MATCHING', incrementalRunType: 'IMMEDIATE' }] } }));
    expect(refused, 'AWS has no incremental runs for ML matching').to.have.property('message').that.contains('ml-automatic');
  });

  it('answers an ID-mapping workflow\'s settings by its name or its ARN, and 404 for a workflow that does not exist', async () => {
    const byName = await entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'crm-to-ads' }));
    const byArn = await entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'arn:aws:entityresolution:us-east-1:123456789012:idmappingworkflow/crm-to-ads' }));
    expect({ ...byArn, $metadata: undefined }).to.deep.equal({ ...byName, $metadata: undefined });
    expect(byName.idMappingTechniques?.idMappingType).to.equal('RULE_BASED');
    expect(byName.idMappingTechniques?.ruleBasedProperties?.recordMatchingModel).to.be.a('string');
    expect(byName.incrementalRunConfig).to.deep.equal({ incrementalRunType: 'ON_DEMAND' });
    expect(byName.inputSourceConfig?.map((source) => source.type)).to.deep.equal(['SOURCE', 'TARGET']);
    const provider = await entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'web-to-crm' }));
    expect(provider.idMappingTechniques?.providerProperties?.providerServiceArn).to.be.a('string');
    expect(provider.incrementalRunConfig).to.equal(undefined);
    for (const call of [
      entityResolution.send(new GetMatchingWorkflowCommand({ workflowName: 'nope' })),
      entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'nope' })),
      entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'arn:aws:entityresolution:us-east-1:999999999999:idmappingworkflow/crm-to-ads' })),
    ]) {
      const err = await failure(call);
      expect(err).to.have.property('name', 'ResourceNotFoundException');
      expect(err).to.have.nested.property('$metadata.httpStatusCode', 404);
    }
    const body = await fetch(`${simulator.url}/matchingworkflows/nope`).then((response) => response.json() as Promise<Record<string, unknown>>);
    expect(body, 'Entity Resolution errors say message, lowercase').to.include({ message: 'Workflow nope not found' });
  });

  it('denies, throttles and counts the workflow Gets as every other call', async () => {
    simulator.faults.add({ target: 'ml', effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: 'User is not authorized to access ml' } });
    simulator.faults.setQuota('GetIdMappingWorkflow', 1);
    simulator.counts.reset();
    expect(await failure(entityResolution.send(new GetMatchingWorkflowCommand({ workflowName: 'ml' })))).to.have.property('name', 'AccessDeniedException');
    const results = await Promise.all([1, 2, 3].map(() => entityResolution.send(new GetIdMappingWorkflowCommand({ workflowName: 'web-to-crm' })).then(() => 'OK', (err: unknown) => (err as Error).name)));
    expect(results.sort()).to.deep.equal(['OK', 'ThrottlingException', 'ThrottlingException']);
    expect(simulator.counts.callsFor('GetMatchingWorkflow', 'ml')).to.equal(1);
    expect(simulator.counts.answered('AccessDeniedException', 'GetMatchingWorkflow')).to.equal(1);
    expect(simulator.counts.callsFor('GetIdMappingWorkflow', 'web-to-crm')).to.equal(3);
  });

  it('moves rule-based matching from PENDING through IN_PROGRESS to ACTIVE as simulated time passes, unless it is stuck', async () => {
    const statusAt = async (name: string, secondsLater: number): Promise<string | undefined> => {
      nowMs = START_MS + secondsLater * 1000;
      return (await domain(name)).RuleBasedMatching?.Status;
    };
    const timeline: (string | undefined)[] = [];
    for (const secondsLater of [0, 3599, 3600, 3 * 3600 - 1, 3 * 3600, 30 * DAY]) timeline.push(await statusAt('retail-us', secondsLater));
    expect(timeline).to.deep.equal(['PENDING', 'PENDING', 'IN_PROGRESS', 'IN_PROGRESS', 'ACTIVE', 'ACTIVE']);
    expect(await statusAt('loyalty', 30 * DAY), 'stuck').to.equal('IN_PROGRESS');
    const loyalty = await domain('loyalty');
    expect(loyalty.RuleBasedMatching?.Enabled).to.equal(true);
    expect(loyalty.LastUpdatedAt?.getTime(), 'LastUpdatedAt: when rule-based matching was configured').to.equal(START_MS - 3 * DAY * 1000);
    expect(loyalty.CreatedAt?.getTime()).to.be.below(START_MS - 3 * DAY * 1000);
    const listed = (await profiles.send(new ListDomainsCommand({}))).Items?.find((item) => item.DomainName === 'loyalty');
    expect(listed?.LastUpdatedAt?.getTime()).to.equal(loyalty.LastUpdatedAt?.getTime());
  });

  it('answers a data store\'s readiness below 100 % with a message while it ingests the profiles, then 100 % without one', async () => {
    const readinessAt = async (secondsLater: number) => {
      nowMs = START_MS + secondsLater * 1000;
      return (await domain('retail-us')).DataStore;
    };
    expect(await readinessAt(0)).to.deep.equal({ Enabled: true, Readiness: { ProgressPercentage: 0, Message: 'Ingesting existing profiles' } });
    expect(await readinessAt(500)).to.deep.equal({ Enabled: true, Readiness: { ProgressPercentage: 50, Message: 'Ingesting existing profiles' } });
    expect(await readinessAt(1000)).to.deep.equal({ Enabled: true, Readiness: { ProgressPercentage: 100 } });
    expect((await domain('loyalty')).DataStore, 'disabled').to.deep.equal({ Enabled: false });
    expect((await domain('untagged')).DataStore, 'never set up').to.equal(undefined);
  });
});
