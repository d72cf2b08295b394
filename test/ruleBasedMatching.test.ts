import { expect } from 'chai';
import type { DomainDetail } from '../src/aws/catalogSources.js';
import { nextRuleBasedMatching } from '../src/collect/ruleBasedMatching.js';

const UPDATED = 1_780_000_000;
const HOUR = 3600;

function domain(status: string | undefined, enabled = true): DomainDetail {
  return {
    DomainName: 'retail',
    CreatedAt: new Date(0),
    LastUpdatedAt: new Date(UPDATED * 1000),
    RuleBasedMatching: { Enabled: enabled, ...(status === undefined ? {} : { Status: status as 'ACTIVE' }) },
  };
}

describe('a domain\'s rule-based matching over refreshes', () => {
  it('dates a status seen first from the domain\'s LastUpdatedAt, so a status stuck before a restart reads as stuck after it', () => {
    const stuck = nextRuleBasedMatching(undefined, domain('IN_PROGRESS'), UPDATED + 72 * HOUR);
    expect(stuck).to.deep.equal({ status: 'IN_PROGRESS', since: UPDATED, inactiveSince: UPDATED });
    expect(nextRuleBasedMatching(undefined, domain('ACTIVE'), UPDATED + HOUR)).to.deep.equal({ status: 'ACTIVE', since: UPDATED, inactiveSince: undefined });
  });

  it('dates a change from the refresh that saw it, and keeps counting inactivity from PENDING through IN_PROGRESS', () => {
    const pending = nextRuleBasedMatching(undefined, domain('PENDING'), UPDATED + 60);
    const inProgress = nextRuleBasedMatching(pending, domain('IN_PROGRESS'), UPDATED + HOUR);
    expect(inProgress).to.deep.equal({ status: 'IN_PROGRESS', since: UPDATED + HOUR, inactiveSince: UPDATED });
    const same = nextRuleBasedMatching(inProgress, domain('IN_PROGRESS'), UPDATED + 2 * HOUR);
    expect(same).to.equal(inProgress);
    const active = nextRuleBasedMatching(same, domain('ACTIVE'), UPDATED + 5 * HOUR);
    expect(active).to.deep.equal({ status: 'ACTIVE', since: UPDATED + 5 * HOUR, inactiveSince: undefined });
    const reconfigured = nextRuleBasedMatching(active, domain('PENDING'), UPDATED + 30 * HOUR);
    expect(reconfigured).to.deep.equal({ status: 'PENDING', since: UPDATED + 30 * HOUR, inactiveSince: UPDATED + 30 * HOUR });
  });

  it('is nothing while rule-based matching is off or AWS gives no status', () => {
    expect(nextRuleBasedMatching(undefined, domain('ACTIVE', false), UPDATED)).to.equal(undefined);
    expect(nextRuleBasedMatching(undefined, domain(undefined), UPDATED)).to.equal(undefined);
  });

  it('never dates a status in the future, whatever the clocks say', () => {
    expect(nextRuleBasedMatching(undefined, domain('PENDING'), UPDATED - 10)?.since).to.equal(UPDATED - 10);
  });
});
