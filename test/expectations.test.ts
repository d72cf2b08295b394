import { expect } from 'chai';
import { DEFAULT_EXPECTATIONS, expectationsOf } from '../src/collect/expectations.js';
import type { RunHistory } from '../src/collect/snapshot.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const NOW = 1_800_000_000;

/** Run starts `gaps` apart (newest first), and successful runs of `durations` seconds. */
function history(gaps: readonly number[], durations: readonly number[] = []): RunHistory {
  const starts = [NOW];
  for (const gap of gaps) starts.push((starts.at(-1) ?? NOW) - gap);
  return { starts, successDurations: durations };
}

describe('a target\'s expectations', () => {
  it('fall back to documented defaults without config, schedule or history', () => {
    const expected = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: undefined, recentMedians: undefined });
    expect(expected).to.deep.equal({
      interval: { value: 7 * DAY, source: 'default' },
      maxDuration: { value: DAY, source: 'default' },
      maxQueued: { value: 2 * HOUR, source: 'default' },
      volumeMinRatio: { value: 0.5, source: 'default' },
      volumeMaxRatio: { value: 2, source: 'default' },
      // Held to a week by default, so a failed run waits a week for its next chance: it pages at once.
      failedJobsToPage: { value: 1, source: 'default' },
      maxRecordsNotProcessedRatio: { value: 0.05, source: 'default' },
      matchRateMinRatio: { value: 0.8, source: 'default' },
      matchRateMaxRatio: { value: 1.25, source: 'default' },
      ruleBasedMatchingMaxInactive: { value: DAY, source: 'default' },
    });
    expect(DEFAULT_EXPECTATIONS.interval).to.equal(7 * DAY);
  });

  it('learn an hourly, a daily and a weekly cadence from history, and three times the median run', () => {
    const hourly = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([HOUR, HOUR + 60, HOUR - 30], [600, 900, 1200]) });
    expect(hourly.interval).to.deep.equal({ value: HOUR + 60, source: 'history' });
    expect(hourly.maxDuration).to.deep.equal({ value: 2700, source: 'history' });
    const weekly = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([7 * DAY, 7 * DAY, 7 * DAY]) });
    expect(weekly.interval?.value, 'a workflow that runs weekly is not held to a day').to.equal(7 * DAY);
  });

  it('widen the interval for an irregular (on-demand) cadence, but never past twice the median gap', () => {
    const onDemand = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([5 * DAY, 9 * DAY, 6 * DAY, 8 * DAY, 7 * DAY]) });
    expect(onDemand.interval?.value).to.equal(9 * DAY);
    const outage = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([DAY, DAY, 20 * DAY, DAY]) });
    expect(outage.interval?.value, 'one long outage does not stretch the interval beyond 2 x the median').to.equal(2 * DAY);
  });

  it('give an automatic (IMMEDIATE) workflow no default interval: only its config or its history set one', () => {
    const quiet = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([HOUR]), automatic: true });
    expect(quiet.interval, 'AWS runs it when data arrives: no fixed interval to miss').to.equal(undefined);
    expect(quiet.failedJobsToPage).to.deep.equal({ value: 3, source: 'default' });
    expect(quiet.maxDuration.source, 'its other thresholds keep their defaults').to.equal('default');
    const busy = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([HOUR, HOUR, HOUR]), automatic: true });
    expect(busy.interval).to.deep.equal({ value: HOUR, source: 'history' });
    const configured = expectationsOf({ target: undefined, global: { interval: DAY }, scheduledInterval: undefined, history: undefined, automatic: true });
    expect(configured.interval).to.deep.equal({ value: DAY, source: 'config' });
  });

  it('need three runs before history counts', () => {
    const young = expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: history([HOUR], [60, 60]) });
    expect(young.interval?.source).to.equal('default');
    expect(young.maxDuration.source).to.equal('default');
  });

  it('take the target\'s own config over the schedule, the schedule over the top-level config, and that over history', () => {
    const inputs = { scheduledInterval: 7 * DAY, history: history([HOUR, HOUR, HOUR], [60, 60, 60]), recentMedians: undefined };
    expect(expectationsOf({ ...inputs, target: { interval: 2 * DAY }, global: { interval: DAY } }).interval).to.deep.equal({ value: 2 * DAY, source: 'config' });
    expect(expectationsOf({ ...inputs, target: undefined, global: { interval: DAY } }).interval).to.deep.equal({ value: 7 * DAY, source: 'schedule' });
    expect(expectationsOf({ ...inputs, scheduledInterval: undefined, target: undefined, global: { interval: DAY } }).interval).to.deep.equal({ value: DAY, source: 'config' });
    const own = expectationsOf({ ...inputs, target: { maxQueued: 600, volumeMinRatio: 0.1 }, global: { maxDuration: 120, volumeMaxRatio: 10 } });
    expect(own.maxQueued).to.deep.equal({ value: 600, source: 'config' });
    expect(own.maxDuration).to.deep.equal({ value: 120, source: 'config' });
    expect(own.volumeMinRatio).to.deep.equal({ value: 0.1, source: 'config' });
    expect(own.volumeMaxRatio).to.deep.equal({ value: 10, source: 'config' });
  });

  it('page at the third failure in a row of a target that runs more often than daily, at the first of a daily or weekly one, and as configured', () => {
    const hourly = history([HOUR, HOUR, HOUR]);
    const of = (inputs: Partial<Parameters<typeof expectationsOf>[0]>): ReturnType<typeof expectationsOf>['failedJobsToPage'] =>
      expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: undefined, recentMedians: undefined, ...inputs }).failedJobsToPage;
    expect(of({ history: hourly })).to.deep.equal({ value: 3, source: 'default' });
    expect(of({ history: history([DAY, DAY, DAY]) }), 'a daily workflow waits a day for its next chance').to.deep.equal({ value: 1, source: 'history' });
    expect(of({ scheduledInterval: 7 * DAY, history: hourly }), 'a domain\'s weekly schedule').to.deep.equal({ value: 1, source: 'schedule' });
    expect(of({ target: { interval: 2 * DAY }, history: hourly })).to.deep.equal({ value: 1, source: 'config' });
    expect(of({ global: { failedJobsToPage: 5 }, scheduledInterval: 7 * DAY })).to.deep.equal({ value: 5, source: 'config' });
    expect(of({ target: { failedJobsToPage: 2 }, global: { failedJobsToPage: 5 } })).to.deep.equal({ value: 2, source: 'config' });
  });

  it('allow a run to leave unprocessed 5 points above its recent median share, 5 % without history, or as configured', () => {
    const of = (inputs: Partial<Parameters<typeof expectationsOf>[0]>): ReturnType<typeof expectationsOf>['maxRecordsNotProcessedRatio'] =>
      expectationsOf({ target: undefined, global: {}, scheduledInterval: undefined, history: undefined, recentMedians: undefined, ...inputs }).maxRecordsNotProcessedRatio;
    expect(of({})).to.deep.equal({ value: 0.05, source: 'default' });
    expect(of({ recentMedians: new Map([['records_not_processed_ratio', 0]]) })).to.deep.equal({ value: 0.05, source: 'history' });
    const usual = of({ recentMedians: new Map([['records_not_processed_ratio', 0.2]]) });
    expect(usual.source).to.equal('history');
    expect(usual.value).to.be.closeTo(0.25, 1e-9);
    expect(of({ global: { maxRecordsNotProcessedRatio: 0.3 }, recentMedians: new Map([['records_not_processed_ratio', 0.2]]) })).to.deep.equal({ value: 0.3, source: 'config' });
  });
});
