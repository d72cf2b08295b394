import { expect } from 'chai';
import type { DomainDetail } from '../src/aws/catalogSources.js';
import type { IdentityResolutionJobDetail, MatchingJobDetail } from '../src/aws/types.js';
import { CallPacer } from '../src/aws/pacing.js';
import { Poller } from '../src/collect/poller.js';
import { Refresher } from '../src/collect/refresh.js';
import type { CollectionSnapshot } from '../src/collect/snapshot.js';
import { parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { awsError, FakeAws, type FakeJob } from './support/fakeAws.js';

// The poller and the refresher against AWS in memory: no HTTP, no SDK, no simulator. The integration tests
// drive the same code through the real SDK clients against the simulator.

const NOW_MS = Date.UTC(2026, 5, 1, 12);
const silent = createLogger('error', 'json', { write: () => undefined });

function matchingJob(id: string, status: string, hoursAgo: number, recordsProcessed: number): FakeJob<'matching'> {
  const startTime = new Date(NOW_MS - hoursAgo * 3_600_000);
  const endTime = status === 'RUNNING' ? undefined : new Date(startTime.getTime() + 600_000);
  const detail: MatchingJobDetail = { jobId: id, status: status as MatchingJobDetail['status'], startTime, endTime, metrics: { totalRecordsProcessed: recordsProcessed } };
  return { summary: { id, status, startTime, endTime, item: detail }, detail };
}

/** A finished identity-resolution job: ListIdentityResolutionJobs carries its JobStats as GetIdentityResolutionJob does. */
function identityResolutionJob(id: string, daysAgo: number, profilesReviewed: number): FakeJob<'identity_resolution'> {
  const startTime = new Date(NOW_MS - daysAgo * 86_400_000);
  const endTime = new Date(startTime.getTime() + 3_600_000);
  const detail: IdentityResolutionJobDetail = { JobId: id, Status: 'COMPLETED', JobStartTime: startTime, JobEndTime: endTime, JobStats: { NumberOfProfilesReviewed: profilesReviewed } };
  return { summary: { id, status: 'COMPLETED', startTime, endTime, item: detail }, detail };
}

function domain(name: string, matching: boolean): DomainDetail {
  return { DomainName: name, Matching: { Enabled: matching }, CreatedAt: new Date(NOW_MS - 86_400_000), LastUpdatedAt: new Date(NOW_MS - 3_600_000) };
}

function pollerOf(aws: FakeAws, yaml: string): { poller: Poller; published: CollectionSnapshot[] } {
  const published: CollectionSnapshot[] = [];
  const poller = new Poller(parseConfig(yaml, 'unit.yaml'), {
    sources: aws,
    accounts: aws,
    pacer: new CallPacer(1000, 4),
    logger: silent,
    now: () => NOW_MS,
    observer: {
      collectionFinished: (snapshot) => { published.push(snapshot); return undefined; },
      collectionSkipped: () => undefined,
      refreshFinished: () => undefined,
    },
  });
  return { poller, published };
}

describe('the poller, against AWS in memory', () => {
  const config = 'region: us-east-1\nentity_resolution:\n  matching_workflows: [{ name: nightly }, { name: broken }]\n';

  it('marks only the failing target down, with its error, and keeps the others exact', async () => {
    const aws = new FakeAws();
    aws.setJobs('matching', 'nightly', [matchingJob('j2', 'SUCCEEDED', 2, 40), matchingJob('j1', 'FAILED', 26, 7)]);
    aws.failures.set('matching/broken', awsError('AccessDeniedException', 'not authorized to perform ListMatchingJobs'));
    const { poller } = pollerOf(aws, config);

    const snapshot = await poller.collect();
    const byName = new Map(snapshot?.targets.map((target) => [target.identity.target, target]));
    expect(byName.get('nightly')).to.include({ up: true, latestStatus: 'SUCCEEDED' });
    expect(byName.get('nightly')?.jobs.map((job) => job.id)).to.deep.equal(['j2', 'j1']);
    expect(byName.get('broken')).to.include({ up: false });
    expect(byName.get('broken')?.lastError?.code).to.equal('AccessDeniedException');
    expect(byName.get('broken')?.lastError?.description).to.match(/^AccessDeniedException: not authorized/);
    expect(byName.get('broken')?.identity).to.deep.equal({ kind: 'matching', target: 'broken', accountId: '123456789012', region: 'us-east-1' });
  });

  it('reads a job\'s detail once after it finished, however many collections list it', async () => {
    const aws = new FakeAws();
    aws.setJobs('matching', 'nightly', [matchingJob('j1', 'RUNNING', 1, 0)]);
    const { poller } = pollerOf(aws, 'region: us-east-1\nentity_resolution:\n  matching_workflows: [{ name: nightly }]\n');
    await poller.collect();
    aws.setJobs('matching', 'nightly', [matchingJob('j1', 'SUCCEEDED', 1, 12)]);
    const getsWhileRunning = aws.calls.filter((call) => call === 'GetJob matching/nightly').length;
    for (let i = 0; i < 3; i++) await poller.collect();
    expect(aws.calls.filter((call) => call === 'GetJob matching/nightly').length - getsWhileRunning).to.equal(1);
  });

  it('in summary mode has a domain\'s volume medians at once without an extra Get: its list items carry the counts', async () => {
    const aws = new FakeAws();
    aws.domains.set('retail', domain('retail', true));
    aws.setJobs('identity_resolution', 'retail', [1000, 100, 120, 90, 110, 95].map((reviewed, i) => identityResolutionJob(`ir${String(6 - i)}`, 1 + 7 * i, reviewed)));
    const { poller } = pollerOf(aws, 'region: us-east-1\nmax_jobs_per_target: 0\ncustomer_profiles:\n  domains: [{ name: retail }]\n');
    const snapshot = await poller.collect();
    expect(aws.calls.filter((call) => call === 'GetJob identity_resolution/retail'), 'only the newest job\'s').to.have.length(1);
    expect(snapshot?.targets[0]?.runs?.volumes?.median.get('profiles_reviewed'), 'the median of the five before the newest').to.equal(100);
  });

  it('recovers a target whose calls succeed again', async () => {
    const aws = new FakeAws();
    aws.setJobs('matching', 'broken', [matchingJob('j1', 'SUCCEEDED', 3, 5)]);
    aws.failures.set('matching/broken', awsError('ThrottlingException'));
    const { poller, published } = pollerOf(aws, config);
    await poller.collect();
    aws.failures.clear();
    await poller.collect();
    const states = published.map((snapshot) => snapshot.targets.find((target) => target.identity.target === 'broken')?.up);
    expect(states).to.deep.equal([false, true]);
  });
});

describe('the refresher, against AWS in memory', () => {
  const discovery = parseConfig('region: us-east-1\ncustomer_profiles:\n  discover: {}\n', 'unit.yaml').discovery;

  it('discovers the domains whose identity resolution is on, and keeps them through a failed ListDomains', async () => {
    const aws = new FakeAws();
    aws.domains.set('retail', domain('retail', true));
    aws.domains.set('archive', domain('archive', false));
    const refresher = new Refresher({ sources: aws, accounts: aws, pacer: new CallPacer(1000, 4), logger: silent });

    const first = await refresher.discover(discovery, refresher.round());
    expect(first.ok).to.equal(true);
    expect(first.targets.map((target) => target.name)).to.deep.equal(['retail']);

    aws.failures.set('ListDomains', awsError('InternalServerException'));
    const second = await refresher.discover(discovery, refresher.round());
    expect(second.ok).to.equal(false);
    expect(second.targets.map((target) => target.name)).to.deep.equal(['retail']);
    expect(second.stale.map(({ target, error }) => [target.name, error.code])).to.deep.equal([['retail', 'InternalServerException']]);
  });

  it('reads each domain once per round, however many discoveries and targets need it', async () => {
    const aws = new FakeAws();
    aws.domains.set('retail', domain('retail', true));
    const refresher = new Refresher({ sources: aws, accounts: aws, pacer: new CallPacer(1000, 4), logger: silent });
    const round = refresher.round();
    const { targets } = await refresher.discover(discovery, round);
    const identity = { kind: 'identity_resolution' as const, target: 'retail', accountId: '123456789012', region: 'us-east-1' };
    expect(await refresher.refreshFacts([{ identity, role: undefined, name: 'retail' }], round, NOW_MS / 1000)).to.equal(true);
    expect(targets).to.have.length(1);
    expect(aws.calls.filter((call) => call === 'GetDomain identity_resolution/retail')).to.have.length(1);
    expect(refresher.factsOf(identity)?.domain?.Matching?.Enabled).to.equal(true);
  });
});
