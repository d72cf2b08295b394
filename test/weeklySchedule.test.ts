import { expect } from 'chai';
import { AWS_DEFAULT_SCHEDULE, scheduledRuns } from '../src/model/weeklySchedule.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

describe('weekly identity-resolution schedule', () => {
  it('finds the last and next run around a time, in UTC', () => {
    // 2026-11-25 is a Wednesday.
    expect(scheduledRuns({ dayOfTheWeek: 'MONDAY', time: '14:30' }, at('2026-11-25T10:00:00Z'))).to.deep.equal({ previous: at('2026-11-23T14:30:00Z'), next: at('2026-11-30T14:30:00Z') });
    expect(scheduledRuns({ dayOfTheWeek: 'WEDNESDAY', time: '9:05' }, at('2026-11-25T10:00:00Z'))).to.deep.equal({ previous: at('2026-11-25T09:05:00Z'), next: at('2026-12-02T09:05:00Z') });
    expect(scheduledRuns({ dayOfTheWeek: 'WEDNESDAY', time: '23:59' }, at('2026-11-25T10:00:00Z'))).to.deep.equal({ previous: at('2026-11-18T23:59:00Z'), next: at('2026-11-25T23:59:00Z') });
  });

  it('counts a run due exactly now as the previous one', () => {
    expect(scheduledRuns(AWS_DEFAULT_SCHEDULE, at('2026-11-28T00:00:00Z'))?.previous).to.equal(at('2026-11-28T00:00:00Z'));
  });

  it('uses AWS\'s default (Saturday 00:00 UTC) as given, and refuses what it cannot read', () => {
    expect(scheduledRuns(AWS_DEFAULT_SCHEDULE, at('2026-11-25T10:00:00Z'))).to.deep.equal({ previous: at('2026-11-21T00:00:00Z'), next: at('2026-11-28T00:00:00Z') });
    expect(scheduledRuns({ dayOfTheWeek: 'FUNDAY', time: '10:00' }, 0)).to.equal(undefined);
    expect(scheduledRuns({ dayOfTheWeek: 'MONDAY', time: '24:00' }, 0)).to.equal(undefined);
  });
});
