import { expect } from 'chai';
import type { AnyTargetSnapshot, Expectations, RunSummary } from '../src/collect/snapshot.js';
import { judgeTarget, worstFirst } from '../src/collect/targetHealth.js';
import { DEFAULT_EXPECTATIONS } from '../src/collect/expectations.js';
import { landingPage } from '../src/http/landing.js';
import { oncePerSecond } from '../src/http/oncePerSecond.js';

const NOW = 1_800_000_000;
const MINUTE = 60;

/** Expectations as the collector makes them: the defaults, some overridden as if configured. */
function expectations(overrides: Partial<Record<keyof Expectations, number>> = {}): Expectations {
  const values = { ...DEFAULT_EXPECTATIONS, ...overrides };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value, source: key in overrides ? 'config' : 'default' }])) as unknown as Expectations;
}

const RUNS: RunSummary = {
  latestStatus: 'SUCCEEDED',
  latest: { start: NOW - 10 * MINUTE, end: NOW - 5 * MINUTE, queuedSeconds: undefined, runningSeconds: undefined },
  latestFinished: { id: 'j1', status: 'SUCCEEDED', message: undefined },
  consecutiveFailures: 0,
  earliestStart: NOW - 600 * MINUTE,
  history: { starts: [], successDurations: [] },
  volumes: { last: new Map([['input_records', 1000]]), median: new Map([['input_records', 1000]]) },
};

/** A matching workflow expected hourly, runs of at most 10 minutes, paging at the third failure in a row. */
function workflow(name: string, changes: { up?: boolean; lastSuccessEnd?: number | undefined; runs?: Partial<RunSummary>; expect?: Partial<Record<keyof Expectations, number>>; message?: string } = {}): AnyTargetSnapshot {
  return {
    identity: { kind: 'matching', target: name, accountId: '123456789012', region: 'eu-west-1' },
    up: changes.up ?? true,
    dataTime: NOW,
    lastSuccessTime: NOW,
    lastError: changes.up === false ? { code: 'AccessDeniedException', description: `AccessDeniedException: ${changes.message ?? 'denied'}` } : undefined,
    jobs: [],
    latestStatus: undefined,
    lastSuccessEnd: 'lastSuccessEnd' in changes ? changes.lastSuccessEnd : NOW - 5 * MINUTE,
    lastFailureEnd: undefined,
    counters: undefined,
    runs: { ...RUNS, ...changes.runs },
    expectations: expectations({ interval: 60 * MINUTE, maxDuration: 10 * MINUTE, failedJobsToPage: 3, ...changes.expect }),
  };
}

describe('a target\'s health, judged from its snapshot (collect/targetHealth.ts)', () => {
  it('is ok with a recent success, no failure and its volume near its median', () => {
    expect(judgeTarget(workflow('w'), NOW)).to.include({ state: 'ok', inTrouble: false, sinceSuccessSeconds: 5 * MINUTE, freshnessBudgetSeconds: 3 * 60 * MINUTE + 10 * MINUTE });
  });

  it('is late once the last success is older than failedJobsToPage intervals plus a run, and not before', () => {
    const budget = 3 * 60 * MINUTE + 10 * MINUTE;
    expect(judgeTarget(workflow('w', { lastSuccessEnd: NOW - budget }), NOW).state).to.equal('ok');
    expect(judgeTarget(workflow('w', { lastSuccessEnd: NOW - budget - 1 }), NOW)).to.include({ state: 'late', inTrouble: true });
    expect(judgeTarget(workflow('w', { lastSuccessEnd: NOW - budget - 1, expect: { interval: 2 * 60 * MINUTE } }), NOW).state, 'a longer interval, a longer budget').to.equal('ok');
  });

  it('with no success seen, counts from the oldest job seen', () => {
    const health = judgeTarget(workflow('w', { lastSuccessEnd: undefined, runs: { consecutiveFailures: undefined, earliestStart: NOW - 4 * 60 * MINUTE } }), NOW);
    expect(health).to.include({ state: 'late', neverSucceeded: true, sinceSuccessSeconds: 4 * 60 * MINUTE });
  });

  it('is failing at failedJobsToPage failures in a row, or at any with no success seen; one failure below that only waits for the next run', () => {
    expect(judgeTarget(workflow('w', { runs: { consecutiveFailures: 2 } }), NOW)).to.include({ state: 'failed', inTrouble: false, consecutiveFailures: 2, failedJobsToPage: 3 });
    expect(judgeTarget(workflow('w', { runs: { consecutiveFailures: 3 } }), NOW)).to.include({ state: 'failing', inTrouble: true });
    expect(judgeTarget(workflow('w', { runs: { consecutiveFailures: 1 }, expect: { failedJobsToPage: 1 } }), NOW).state).to.equal('failing');
    expect(judgeTarget(workflow('w', { lastSuccessEnd: undefined, runs: { consecutiveFailures: 1, earliestStart: NOW - MINUTE } }), NOW).state).to.equal('failing');
  });

  it('is out of volume when a count leaves its band around the median, or the match rate leaves its own', () => {
    const volumes = (input: number, matchRate?: number): Partial<RunSummary> => ({
      volumes: {
        last: new Map([['input_records', input], ...(matchRate === undefined ? [] : [['match_rate', matchRate] as const])]),
        median: new Map([['input_records', 1000], ['match_rate', 0.1]]),
      },
    });
    expect(judgeTarget(workflow('w', { runs: volumes(500) }), NOW).state, 'at the band\'s edge').to.equal('ok');
    expect(judgeTarget(workflow('w', { runs: volumes(499) }), NOW)).to.include({ state: 'volume', inTrouble: true });
    expect(judgeTarget(workflow('w', { runs: volumes(2001) }), NOW).volume).to.include({ name: 'input_records', last: 2001, median: 1000, outOfRange: true });
    expect(judgeTarget(workflow('w', { runs: volumes(1000, 0.13) }), NOW).volume, 'match rate above 1.25 times its median').to.include({ name: 'match_rate', outOfRange: true });
    expect(judgeTarget(workflow('w', { runs: volumes(1000, 0.12) }), NOW).state).to.equal('ok');
  });

  it('is down while its collection fails, whatever its runs said before', () => {
    expect(judgeTarget(workflow('w', { up: false, runs: { consecutiveFailures: 5 } }), NOW)).to.include({ state: 'down', inTrouble: true });
  });

  it('orders worst first, then by account, region, kind and name', () => {
    const rows = ['ok-b', 'ok-a', 'late', 'down', 'failing'].map((name) => {
      const target = workflow(name, {
        up: name !== 'down',
        lastSuccessEnd: name === 'late' ? NOW - 24 * 60 * MINUTE : NOW - MINUTE,
        runs: { consecutiveFailures: name === 'failing' ? 3 : 0 },
      });
      return { target, health: judgeTarget(target, NOW) };
    });
    expect(worstFirst(rows).map((row) => row.target.identity.target)).to.deep.equal(['down', 'failing', 'late', 'ok-a', 'ok-b']);
  });
});

describe('the status page (http/landing.ts)', () => {
  const page = (targets: AnyTargetSnapshot[]): string => landingPage({
    version: '1.2.3',
    telemetryPath: '/metrics',
    collection: { targets, finishedAt: NOW - 2, durationSeconds: 1.5 },
    awsRequests: { requests: 40, errors: 3, throttled: 2 },
    now: NOW,
  });

  it('escapes what AWS says: an error message cannot inject markup', () => {
    const html = page([
      workflow('denied', { up: false, message: '<script>alert(1)</script> & "quotes"' }),
      workflow('failed', { runs: { consecutiveFailures: 3, latestFinished: { id: 'j', status: 'FAILED', message: '<img src=x onerror=alert(2)>' } } }),
    ]);
    expect(html).to.not.contain('<script>alert');
    expect(html).to.not.contain('<img');
    expect(html).to.contain('AccessDeniedException: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).to.contain('FAILED: &lt;img src=x onerror=alert(2)&gt;');
    expect(html, 'no script of its own').to.not.match(/<script/i);
  });

  it('shows each target\'s numbers against its expectations, and the exporter\'s own state', () => {
    const html = page([workflow('householding', { runs: { consecutiveFailures: 4 } })]);
    expect(html).to.contain('<tr class="trouble" data-state="failing">');
    expect(html).to.contain('<td>5m / 3h10m</td>');
    expect(html).to.contain('<td class="bad">4 / 3</td>');
    expect(html).to.contain('input records 1,000 / 1,000: ×1 (band ×0.5–2)');
    expect(html).to.contain('SUCCEEDED, ended 5m ago');
    expect(html).to.contain('1 of 1 targets in trouble: householding.');
    expect(html).to.contain('40 since start, 3 failed, 2 of them throttled');
    expect(html).to.contain('took 1.5s');
  });
});

describe('the status page under a flood of browsers', () => {
  it('is rendered at most once a second; a render that fails is tried again at the next request', async () => {
    let renders = 0;
    let clockMs = 5_000;
    let fail = false;
    const page = oncePerSecond(() => {
      renders++;
      return fail ? Promise.reject(new Error('view failed')) : Promise.resolve(`page ${renders}`);
    }, () => clockMs);
    expect(await Promise.all([page(), page(), page()])).to.deep.equal(['page 1', 'page 1', 'page 1']);
    clockMs += 999;
    expect(await page()).to.equal('page 1');
    clockMs += 1;
    expect(await page()).to.equal('page 2');
    clockMs += 1000;
    fail = true;
    await page().then(() => expect.fail('the render failed'), () => undefined);
    fail = false;
    expect(await page(), 'the failure was not kept').to.equal('page 4');
    expect(renders).to.equal(4);
  });
});
