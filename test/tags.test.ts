import { expect } from 'chai';
import type { DomainDetail, WorkflowDetail } from '../src/aws/catalogSources.js';
import { CallPacer } from '../src/aws/pacing.js';
import { Refresher } from '../src/collect/refresh.js';
import { parseConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { tagKeyProblem, tagLabelName, tagLabels } from '../src/model/tags.js';
import { FakeAws } from './support/fakeAws.js';

// Tags as labels and as a discovery filter, against AWS in memory (the simulator tests drive the same code through
// the real SDK clients).

const silent = createLogger('error', 'json', { write: () => undefined });
const NOW = Date.UTC(2026, 5, 1, 12) / 1000;

function domain(name: string, tags: Record<string, string> | undefined, matching = true): DomainDetail {
  return { DomainName: name, Matching: { Enabled: matching }, CreatedAt: new Date(0), LastUpdatedAt: new Date(0), ...(tags ? { Tags: tags } : {}) };
}

function workflow(kind: WorkflowDetail['kind'], name: string, tags: Record<string, string> | undefined): WorkflowDetail {
  return { kind, name, resolutionType: undefined, incrementalRunType: undefined, outputKinds: ['s3'], updatedAt: undefined, tags };
}

describe('tag keys as labels', () => {
  it('become tag_<key>, every character a label name cannot hold turned into _', () => {
    expect(['team', 'cost-center', 'aws:cloudformation:stack-name', 'Owner Email', 'équipe'].map(tagLabelName))
      .to.deep.equal(['tag_team', 'tag_cost_center', 'tag_aws_cloudformation_stack_name', 'tag_Owner_Email', 'tag__quipe']);
  });

  it('refuse a key that names nothing once sanitised, an empty one, and one longer than AWS allows', () => {
    expect(tagKeyProblem('team')).to.equal(undefined);
    expect(tagKeyProblem(':/-')).to.match(/becomes the label tag____, which names nothing/);
    expect(tagKeyProblem('')).to.match(/cannot be empty/);
    expect(tagKeyProblem('k'.repeat(129))).to.match(/at most 128 characters/);
  });

  it('are bounded by the allow-list: a resource\'s other tags, however many, make no label', () => {
    const fiftyTags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${i}`, `value-${i}`]));
    expect(tagLabels({ ...fiftyTags, team: 'payments' }, ['team', 'cost-center'])).to.deep.equal({ tag_team: 'payments' });
    expect(tagLabels(undefined, ['team'])).to.deep.equal({});
  });
});

describe('discovery by tag (require_tags)', () => {
  const config = parseConfig(`region: us-east-1
tag_labels: [team]
customer_profiles:
  discover:
    require_tags: { team: payments, owner: }
entity_resolution:
  discover:
    include: "^pay"
    require_tags: { team: payments }
`, 'unit.yaml');

  function aws(): FakeAws {
    const fake = new FakeAws();
    fake.domains.set('payments-eu', domain('payments-eu', { team: 'payments', owner: 'ana' }));
    fake.domains.set('payments-us', domain('payments-us', { team: 'payments' }));
    fake.domains.set('marketing', domain('marketing', { team: 'marketing', owner: 'bo' }));
    fake.domains.set('untagged', domain('untagged', undefined));
    fake.workflowList = [
      workflow('matching', 'pay-dedupe', { team: 'payments' }),
      workflow('id_mapping', 'pay-ids', { team: 'marketing' }),
      workflow('matching', 'ads-dedupe', { team: 'payments' }),
    ];
    return fake;
  }

  it('keeps exactly the resources with every required tag, and says why each other one was left out', async () => {
    const fake = aws();
    const refresher = new Refresher({ sources: fake, accounts: fake, pacer: new CallPacer(1000, 4), logger: silent });
    const { targets, leftOut, ok } = await refresher.discover(config.discovery, refresher.round());
    expect(ok).to.equal(true);
    expect(targets.map((target) => `${target.kind}/${target.name}`)).to.deep.equal(['identity_resolution/payments-eu', 'matching/pay-dedupe']);
    expect(targets.every((target) => target.tagLabels?.join() === 'team'), 'the top-level tag_labels go with every discovered target').to.equal(true);
    expect(leftOut.map(({ target, why }) => `${target.name}: ${why}`)).to.deep.equal([
      'payments-us: tag owner is missing',
      'marketing: tag team is "marketing", not "payments"',
      'untagged: tag team is missing',
      'pay-ids: tag team is "marketing", not "payments"',
      'ads-dedupe: name does not match include "^pay"',
    ]);
  });

  it('costs no call for domains (ListDomains carries their tags) and one Get per workflow the name patterns let through, shared with the facts', async () => {
    const fake = aws();
    const refresher = new Refresher({ sources: fake, accounts: fake, pacer: new CallPacer(1000, 4), logger: silent });
    const round = refresher.round();
    await refresher.discover(config.discovery, round);
    const identity = { kind: 'matching' as const, target: 'pay-dedupe', accountId: '123456789012', region: 'us-east-1' };
    await refresher.refreshFacts([{ identity, role: undefined, name: 'pay-dedupe' }], round, NOW);
    expect(fake.calls.filter((call) => call.startsWith('GetDomain')), 'GetDomain only for the domain kept by its tags').to.deep.equal(['GetDomain identity_resolution/payments-eu']);
    expect(fake.calls.filter((call) => call.startsWith('GetWorkflow'))).to.deep.equal(['GetWorkflow matching/pay-dedupe', 'GetWorkflow id_mapping/pay-ids']);
    expect(refresher.factsOf(identity)?.workflow?.tags).to.deep.equal({ team: 'payments' });
  });

  it('shares each Get between discovery and facts when no region is configured (the SDK\'s default region)', async () => {
    const fake = aws();
    const noRegion = parseConfig('entity_resolution:\n  discover:\n    require_tags: { team: payments }\n', 'unit.yaml');
    const refresher = new Refresher({ sources: fake, accounts: fake, pacer: new CallPacer(1000, 4), logger: silent });
    const round = refresher.round();
    await refresher.discover(noRegion.discovery, round);
    const identity = { kind: 'matching' as const, target: 'pay-dedupe', accountId: '123456789012', region: fake.region };
    await refresher.refreshFacts([{ identity, role: undefined, name: 'pay-dedupe' }], round, NOW);
    expect(fake.calls.filter((call) => call === 'GetWorkflow matching/pay-dedupe')).to.have.length(1);
  });
});
