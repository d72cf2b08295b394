import { expect } from 'chai';
import { DEFAULT_MAX_ATTEMPTS } from '../src/model/callBudget.js';
import type { ExporterConfig } from '../src/config/types.js';
import type { FaultRule, FleetSpec } from '../src/simulator/index.js';
import { ACCOUNT, Harness, ManualClock, REGION, samples, value } from './support/harness.js';
import { promtoolCheckMetrics } from './support/promtool.js';

/**
 * Faults from AWS, injected into one target ("affected") of a fleet that a faulted exporter and a control
 * exporter watch side by side on the same clock. Every cycle, the healthy targets must read exactly as the
 * control reads them, /metrics must answer quickly while the collection runs, and after the fault every
 * series of the affected target, counters included, must again equal the control's: nothing lost, nothing
 * counted twice.
 */

const AFFECTED = 'affected';
const FLEET: FleetSpec = {
  domains: ['healthy-domain'],
  matchingWorkflows: ['healthy-matching', AFFECTED],
  idMappingWorkflows: ['healthy-id-mapping'],
  historyJobsPerTarget: 6,
  runningFraction: 0.5,
  jobIntervalSeconds: 3600,
};
/** Simulated time per cycle: a third of a job interval, so jobs start, progress and finish under the fault. */
const CYCLE_SECONDS = 1200;
const RECOVERY_CYCLES = 2;
/** A scrape during a collection answers from the cache; this is far above its usual few milliseconds. */
const SCRAPE_BUDGET_MS = 250;
const SELF_METRIC = /^(aws_resolution_exporter_|process_|nodejs_)/;

interface Row { fault: string; cycles: number; checks: number; restarts: number }
const report: Row[] = [];

/** The sample lines of one target (identity and job series alike), self-metrics aside. */
function targetSeries(text: string, name: string): string[] {
  return text.split('\n').filter((line) => !line.startsWith('#') && !SELF_METRIC.test(line)
    && (line.includes(`workflow="${name}"`) || line.includes(`domain="${name}"`)));
}

/** Counts every check a case makes, for the report, and fails like expect. */
class Checks {
  count = 0;
  that(condition: boolean, message: string): void {
    expect(condition, message).to.equal(true);
    this.count++;
  }
  equal(actual: unknown, expected: unknown, message: string): void {
    expect(actual, message).to.deep.equal(expected);
    this.count++;
  }
  /**
   * The target's series in both expositions are the same lines. On failure (and only then, as it runs every
   * cycle) the message lists the lines that differ and what each exporter logged about the target: mocha's diff
   * of two long arrays is cut at 8 KiB, which can hide the difference altogether.
   */
  sameSeries(pair: { faulted: string; control: string }, harnesses: SideBySide, name: string, message: string): void {
    const faulted = targetSeries(pair.faulted, name);
    const control = targetSeries(pair.control, name);
    const same = faulted.length === control.length && faulted.every((line, i) => line === control[i]);
    if (same) {
      this.count++;
      return;
    }
    const onlyIn = (lines: string[], other: string[]): string[] => lines.filter((line) => !other.includes(line));
    const logged = (harness: Harness): string[] => harness.logLines.filter((line) => line.includes(`"target":"${name}"`) && !line.includes('"level":"debug"'));
    const detail = [
      message,
      `only with the fault (${faulted.length} lines): ${JSON.stringify(onlyIn(faulted, control))}`,
      `only in the control (${control.length} lines): ${JSON.stringify(onlyIn(control, faulted))}`,
      `faulted exporter logged: ${JSON.stringify(logged(harnesses.faulted))}`,
      `control exporter logged: ${JSON.stringify(logged(harnesses.control))}`,
    ].join('\n');
    expect(same, detail).to.equal(true);
  }
}

class SideBySide {
  private constructor(readonly faulted: Harness, readonly control: Harness, readonly clock: ManualClock) {}

  /**
   * Both exporters run the same configuration, retries included: the control is what the faulted exporter
   * would read without the fault, and a stray transport error on loopback is retried on either side alike.
   */
  static async start(config: Partial<ExporterConfig> = {}): Promise<SideBySide> {
    const clock = new ManualClock();
    const faulted = await Harness.start({ fleet: FLEET, clock, config, maxAttempts: DEFAULT_MAX_ATTEMPTS });
    const control = await Harness.start({ fleet: FLEET, clock, config, maxAttempts: DEFAULT_MAX_ATTEMPTS });
    return new SideBySide(faulted, control, clock);
  }

  /** One cycle: time moves, both collect; the faulted exporter is scraped while it collects. */
  async cycle(checks: Checks): Promise<{ faulted: string; control: string }> {
    this.clock.advance(CYCLE_SECONDS);
    const collecting = Promise.all([this.faulted.collect(), this.control.collect()]);
    const started = performance.now();
    const during = await fetch(`${this.faulted.exporter.url}/metrics`);
    const elapsed = performance.now() - started;
    checks.that(during.ok && elapsed < SCRAPE_BUDGET_MS, `/metrics answered ${during.status} in ${elapsed.toFixed(0)} ms during the collection`);
    await during.text();
    await collecting;
    const [faulted, control] = await Promise.all([this.faulted.scrape(), this.control.scrape()]);
    for (const healthy of ['healthy-domain', 'healthy-matching', 'healthy-id-mapping']) {
      checks.sameSeries({ faulted, control }, this, healthy, `${healthy} reads exactly as without the fault`);
    }
    checks.that((await fetch(`${this.faulted.exporter.url}/-/healthy`)).ok, 'the exporter is still up');
    return { faulted, control };
  }

  async close(): Promise<void> {
    await Promise.all([this.faulted.close(), this.control.close()]);
  }
}

interface FaultCase {
  readonly fault: string;
  readonly rules: readonly FaultRule[];
  readonly cycles: number;
  /** target_up of the affected target while the fault lasts; undefined when the SDK's retries may absorb it. */
  readonly upDuringFault: 0 | 1 | undefined;
  /** The error code the affected target's requests are counted under, if AWS answered with one. */
  readonly code?: string;
  readonly retried?: boolean;
  readonly config?: Partial<ExporterConfig>;
}

const onAffected = (effect: FaultRule['effect'], extra: Partial<FaultRule> = {}): FaultRule => ({ target: AFFECTED, effect, ...extra });

const CASES: readonly FaultCase[] = [
  { fault: 'throttling storm: 50 % of calls answered 429', rules: [onAffected({ type: 'throttle' }, { probability: 0.5 })], cycles: 3, upDuringFault: undefined, code: 'ThrottlingException', retried: true },
  { fault: 'throttling storm: 100 % of calls answered 429', rules: [onAffected({ type: 'throttle' })], cycles: 2, upDuringFault: 0, code: 'ThrottlingException', retried: true },
  { fault: '500 InternalServerException burst', rules: [onAffected({ type: 'error', status: 500, code: 'InternalServerException' })], cycles: 2, upDuringFault: 0, code: 'InternalServerException', retried: true },
  { fault: '503 ServiceUnavailable burst', rules: [onAffected({ type: 'error', status: 503, code: 'ServiceUnavailable' })], cycles: 2, upDuringFault: 0, code: 'ServiceUnavailable', retried: true },
  { fault: 'connection reset', rules: [onAffected({ type: 'reset' })], cycles: 2, upDuringFault: 0, retried: true },
  { fault: 'answer slower than request_timeout', rules: [onAffected({ type: 'delay', ms: 1500 })], cycles: 2, upDuringFault: 0, code: 'TimeoutError', config: { requestTimeoutSeconds: 0.3 } },
  { fault: 'hanging connection', rules: [onAffected({ type: 'hang' })], cycles: 2, upDuringFault: 0, code: 'TimeoutError', config: { requestTimeoutSeconds: 0.3 } },
  { fault: 'malformed body: invalid JSON', rules: [onAffected({ type: 'body', body: '{"jobs": [' })], cycles: 2, upDuringFault: 0 },
  { fault: 'malformed body: wrong types', rules: [onAffected({ type: 'body', body: '{"jobs": "many", "nextToken": 42}' }, { operation: 'ListMatchingJobs' })], cycles: 2, upDuringFault: 0 },
  { fault: 'malformed body: required members missing', rules: [onAffected({ type: 'body', body: '{"jobs": [{"status": "SUCCEEDED"}]}' }, { operation: 'ListMatchingJobs' })], cycles: 2, upDuringFault: undefined },
  { fault: 'nextToken repeating forever', rules: [onAffected({ type: 'repeat-token' }, { operation: 'ListMatchingJobs' })], cycles: 2, upDuringFault: 0, config: { maxJobsPerTarget: 50 } },
  { fault: 'job vanishes between List and Get (404)', rules: [onAffected({ type: 'error', status: 404, code: 'ResourceNotFoundException' }, { operation: 'GetMatchingJob' })], cycles: 2, upDuringFault: 1 },
];

describe('faults from AWS, through the simulator and the real SDK clients', function () {
  this.timeout(60_000);
  let pair: SideBySide | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });
  after(() => {
    if (report.length === 0) return;
    const width = Math.max(...report.map((row) => row.fault.length));
    console.log(`\n    ${'fault'.padEnd(width)}  cycles  checks passed  process restarts`);
    for (const row of report) console.log(`    ${row.fault.padEnd(width)}  ${String(row.cycles).padStart(6)}  ${String(row.checks).padStart(13)}  ${String(row.restarts).padStart(16)}`);
  });

  for (const faultCase of CASES) {
    it(`${faultCase.fault}: the target says what happened, the others keep exact values, and it recovers with nothing counted twice`, async () => {
      const checks = new Checks();
      pair = await SideBySide.start(faultCase.config);
      await pair.cycle(checks);
      const exporterBefore = pair.faulted.exporter;
      const removers = faultCase.rules.map((rule) => pair?.faulted.simulator.faults.add(rule));
      for (let i = 0; i < faultCase.cycles; i++) {
        const { faulted } = await pair.cycle(checks);
        if (faultCase.upDuringFault !== undefined) checks.equal(value(faulted, 'aws_resolution_exporter_target_up', { target: AFFECTED }), faultCase.upDuringFault, 'target_up of the affected target');
        const failed = samples(faulted, 'aws_resolution_exporter_aws_requests_total', { aws_service: 'entity_resolution' }).filter((line) => !line.includes('code="OK"'));
        if (faultCase.code) checks.that(failed.some((line) => line.includes(`code="${faultCase.code}"`)), `requests counted under code ${faultCase.code}: ${failed.join('; ')}`);
        if (faultCase.upDuringFault === 0) checks.that(pair.faulted.logLines.some((line) => line.includes('target collection failed') && line.includes(`"target":"${AFFECTED}"`)), 'the failure is logged with its error');
        if (faultCase.retried) {
          const retries = samples(faulted, 'aws_resolution_exporter_aws_request_retries_total', { aws_service: 'entity_resolution' }).map((line) => Number(line.split(' ').pop()));
          checks.that(retries.some((count) => count > 0), 'the SDK retried');
        }
        checks.equal(promtoolCheckMetrics(faulted), '', 'promtool check metrics');
      }
      for (const remove of removers) remove?.();
      let last = { faulted: '', control: '' };
      for (let i = 0; i < RECOVERY_CYCLES; i++) last = await pair.cycle(checks);
      checks.equal(value(last.faulted, 'aws_resolution_exporter_target_up', { target: AFFECTED }), 1, 'the affected target is up again');
      checks.sameSeries(last, pair, AFFECTED, 'after recovery the affected target reads as without the fault, counters included');
      checks.that(pair.faulted.exporter === exporterBefore, 'the same exporter ran throughout');
      report.push({ fault: faultCase.fault, cycles: 1 + faultCase.cycles + RECOVERY_CYCLES, checks: checks.count, restarts: 0 });
    });
  }

  it('a collection that outlives collection_timeout is cut there: the hung target down, the rest exact', async () => {
    const checks = new Checks();
    pair = await SideBySide.start({ collectionTimeoutSeconds: 1, requestTimeoutSeconds: 30 });
    await pair.cycle(checks);
    pair.faulted.simulator.faults.add(onAffected({ type: 'hang' }));
    const started = performance.now();
    const { faulted } = await pair.cycle(checks);
    const seconds = (performance.now() - started) / 1000;
    checks.that(seconds < 3, `the collection ended at its deadline, after ${seconds.toFixed(1)} s`);
    checks.equal(value(faulted, 'aws_resolution_exporter_target_up', { target: AFFECTED }), 0, 'the hung target is down');
    checks.that(pair.faulted.logLines.some((line) => line.includes('"aws_error":"CollectionDeadlineExceeded"') && line.includes(AFFECTED)), 'the log names the deadline');
    pair.faulted.simulator.faults.clear();
    const recovered = await pair.cycle(checks);
    checks.sameSeries(recovered, pair, AFFECTED, 'recovers exactly');
    report.push({ fault: 'collection past its deadline (hang, collection_timeout 1s)', cycles: 3, checks: checks.count, restarts: 0 });
  });

  it('a target deleted (404) loses nothing else, and when re-created is read afresh', async () => {
    const checks = new Checks();
    pair = await SideBySide.start();
    const { faulted: before } = await pair.cycle(checks);
    const ref = { accountId: ACCOUNT, region: REGION, kind: 'matching' as const, name: AFFECTED };
    const oldJobs = samples(before, 'aws_entity_resolution_matching_job_start_timestamp_seconds', { workflow: AFFECTED });
    pair.faulted.simulator.fleet.remove(ref);
    const { faulted: gone } = await pair.cycle(checks);
    checks.equal(value(gone, 'aws_resolution_exporter_target_up', { target: AFFECTED }), 0, 'a deleted target is down');
    checks.that(samples(gone, 'aws_resolution_exporter_aws_requests_total', { operation: 'ListMatchingJobs', code: 'ResourceNotFoundException' }).length === 1, 'its 404 is counted');
    checks.equal(samples(gone, 'aws_entity_resolution_matching_job_start_timestamp_seconds', { workflow: AFFECTED }), oldJobs, 'its last known jobs stay, marked down');
    pair.faulted.simulator.fleet.add(ref, pair.faulted.simulator.now());
    const { faulted: back } = await pair.cycle(checks);
    checks.equal(value(back, 'aws_resolution_exporter_target_up', { target: AFFECTED }), 1, 're-created, it is up');
    const newJobs = samples(back, 'aws_entity_resolution_matching_job_start_timestamp_seconds', { workflow: AFFECTED });
    checks.that(newJobs.length > 0 && newJobs.every((line) => !oldJobs.includes(line)), 'its series are the new workflow\'s jobs only');
    checks.equal(promtoolCheckMetrics(back), '', 'promtool check metrics');
    report.push({ fault: 'target deleted (404) and re-created', cycles: 3, checks: checks.count, restarts: 0 });
  });

  it('clock skew: a start in the future and an end before the start are exported as sent, with no negative duration', async () => {
    const checks = new Checks();
    pair = await SideBySide.start();
    const target = pair.faulted.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: AFFECTED });
    const now = pair.faulted.simulator.now();
    target?.putJob({ jobId: 'f'.repeat(32), status: 'RUNNING', startTime: now + 7200 });
    target?.putJob({ jobId: 'e'.repeat(32), status: 'SUCCEEDED', startTime: now - 600, endTime: now - 3600 });
    await pair.faulted.collect();
    const text = await pair.faulted.scrape();
    const job = (id: string): Record<string, string> => ({ workflow: AFFECTED, job_id: id.repeat(32) });
    checks.equal(value(text, 'aws_entity_resolution_matching_job_start_timestamp_seconds', job('f')), now + 7200, 'the future start as sent');
    checks.equal(value(text, 'aws_entity_resolution_matching_job_end_timestamp_seconds', job('e')), now - 3600, 'the early end as sent');
    checks.equal(samples(text, 'aws_entity_resolution_matching_job_duration_seconds', job('f')), [], 'no duration for a job that has not started yet');
    checks.equal(samples(text, 'aws_entity_resolution_matching_job_duration_seconds', job('e')), [], 'no negative duration');
    checks.equal(value(text, 'aws_resolution_exporter_target_up', { target: AFFECTED }), 1, 'the target is up');
    checks.equal(promtoolCheckMetrics(text), '', 'promtool check metrics');
    report.push({ fault: 'clock skew (future start, end before start)', cycles: 1, checks: checks.count, restarts: 0 });
  });

  it('a collection that overruns the schedule: the next tick is skipped and counted, never two at once', async () => {
    const checks = new Checks();
    const harness = await Harness.start({ fleet: FLEET, simulator: { latencyMs: 150 } });
    try {
      const first = harness.exporter.collect();
      checks.that(harness.exporter.collect() === undefined, 'a second collection does not start');
      checks.that(harness.exporter.collect() === undefined, 'nor a third');
      await first;
      checks.equal(value(await harness.scrape(), 'aws_resolution_exporter_collections_skipped_total'), 2, 'both skips counted');
      checks.equal(value(await harness.scrape(), 'aws_resolution_exporter_collections_total'), 1, 'one collection ran');
    } finally {
      await harness.close();
    }
    report.push({ fault: 'collection overrunning the schedule', cycles: 1, checks: checks.count, restarts: 0 });
  });
});
