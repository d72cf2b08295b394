import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { soakSection } from '../scripts/benchReference.js';
import type { TargetConfig } from '../src/config/types.js';
import type { WindowJob } from '../bench/simulatorProcess.js';
import { parseSamples } from '../bench/soak/exposition.js';
import { FinishLedger } from '../bench/soak/ledger.js';
import { passed, summaryLine, type SoakRecord, type SoakResult } from '../bench/soak/verdict.js';
import { compareWithTruth, type TargetTruth } from '../bench/soak/verify.js';
import { targetRef } from '../src/model/target.js';

const run = promisify(execFile);

const SUMMARY = /^soak: [\d.]+ min, (\d+) collections, (\d+) jobs finished, (\d+) churn steps \((\d+) added, (\d+) removed, (\d+) reloads\), (\d+) faults injected, 0 mismatches, 0 restarts, peak rss \d+ MiB, rss [\d.]+ -> [\d.]+ MiB \([+-][\d.]+ %\) after warm-up: PASS$/;

describe('the soak (npm run soak)', function () {
  this.timeout(180_000);

  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'soak-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('runs the exporter through churn and faults, and finds it equal to the simulator\'s truth, never restarted, memory flat', async () => {
    const out = join(dir, 'soak-results.json');
    const { stdout } = await run('npm', ['run', '--silent', 'soak', '--', '--minutes', '0.3', '--seed', '7', '--out', out], { maxBuffer: 16 * 2 ** 20 })
      .catch((err: unknown) => { throw new Error(`the soak failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`); });
    const [summary = '', reproduce] = stdout.trim().split('\n');
    const numbers = SUMMARY.exec(summary)?.slice(1).map(Number);
    expect(numbers, summary).to.not.equal(undefined);
    const [collections = 0, finished = 0, churnSteps = 0, , , , faults = 0] = numbers ?? [];
    expect(collections, 'the warm-up alone is 200').to.be.at.least(200);
    expect(finished, 'jobs finished under watch').to.be.greaterThan(50);
    expect(churnSteps, 'churn steps').to.be.greaterThan(1);
    expect(faults, 'faults injected').to.be.greaterThan(0);
    expect(reproduce).to.equal('reproduce: npm run soak -- --minutes 0.3 --seed 7');
    // What --out wrote is the run the summary line told of, with where it ran, as the docs render it.
    const record = JSON.parse(readFileSync(out, 'utf8')) as SoakRecord;
    expect(summaryLine(record.result)).to.equal(summary);
    expect(record.asked).to.deep.equal({ minutes: 0.3, seed: '7' });
    expect(record.machine.node).to.equal(process.version);
    expect(record.commit).to.match(/^[0-9a-f]{7,}(-dirty)?$/);
    expect(soakSection(record)).to.contain(summary).and.contain('`npm run soak -- --minutes 0.3 --seed 7`').and.contain('It passed');
  });
});

const ACCOUNT = '123456789012';
const TARGET: TargetConfig = targetRef('matching', 'matching-001', 'us-east-1');
const M = 'aws_entity_resolution_matching_';
const LABELS = `aws_account_id="${ACCOUNT}",aws_region="us-east-1",workflow="matching-001"`;
const RUNNING = 'a'.repeat(32);
const DONE = 'b'.repeat(32);
const WINDOW: readonly WindowJob[] = [
  { id: RUNNING, start: 2000, status: 'RUNNING', finished: false },
  { id: DONE, start: 1000, end: 1500, status: 'SUCCEEDED', finished: true },
];

/** The exposition of one matching workflow: up, its two jobs' status and start, its finished-jobs counters. */
function exposition(changes: { up?: number; doneStatus?: string; succeeded?: number; start?: number; extra?: string } = {}): string {
  return [
    '# HELP aws_resolution_exporter_target_up 1 when the last collection of the target succeeded.',
    `aws_resolution_exporter_target_up{kind="matching",aws_account_id="${ACCOUNT}",aws_region="us-east-1",target="matching-001"} ${changes.up ?? 1}`,
    `${M}job_status{${LABELS},job_id="${RUNNING}",status="RUNNING"} 1`,
    `${M}job_status{${LABELS},job_id="${RUNNING}",status="SUCCEEDED"} 0`,
    `${M}job_status{${LABELS},job_id="${DONE}",status="${changes.doneStatus ?? 'SUCCEEDED'}"} 1`,
    `${M}job_start_timestamp_seconds{${LABELS},job_id="${RUNNING}"} 2000`,
    `${M}job_start_timestamp_seconds{${LABELS},job_id="${DONE}"} ${changes.start ?? 1000}`,
    `${M}jobs_finished_total{${LABELS},status="SUCCEEDED"} ${changes.succeeded ?? 1}`,
    `${M}jobs_finished_total{${LABELS},status="FAILED"} 0`,
    ...(changes.extra === undefined ? [] : [changes.extra]),
    '',
  ].join('\n');
}

const TRUTH: readonly TargetTruth[] = [{ target: TARGET, window: WINDOW, finished: new Map([['SUCCEEDED', 1]]) }];
const REMOVED = [{ kind: 'identity_resolution' as const, name: 'domain-002' }];

describe('the soak\'s comparison with the simulator\'s truth', () => {
  it('finds nothing when series, statuses and counters agree', () => {
    expect(compareWithTruth(TRUTH, REMOVED, { soaked: exposition(), control: exposition() })).to.deep.equal([]);
  });

  it('reports a target that is not up', () => {
    expect(compareWithTruth(TRUTH, REMOVED, { soaked: exposition({ up: 0 }), control: exposition() }))
      .to.deep.equal(['matching matching-001: target_up 0 after the faults stopped']);
  });

  it('reports a job in another status than the simulator\'s, and the series that differ from a fresh exporter\'s', () => {
    const mismatches = compareWithTruth(TRUTH, REMOVED, { soaked: exposition({ doneStatus: 'FAILED' }), control: exposition() });
    expect(mismatches).to.include(`matching matching-001: job ${DONE} exported FAILED, simulator SUCCEEDED`);
    expect(mismatches.some((line) => line.includes('a fresh exporter does not') && line.includes('status="FAILED"'))).to.equal(true);
  });

  it('reports a job the simulator no longer has in the window, and one missing', () => {
    const truth: TargetTruth[] = [{ ...TRUTH[0]!, window: [WINDOW[0]!, { id: 'c'.repeat(32), start: 1500, end: 1600, status: 'FAILED', finished: true }] }];
    expect(compareWithTruth(truth, REMOVED, { soaked: exposition(), control: exposition() })).to.have.members([
      `matching matching-001: job ${'c'.repeat(32)} not exported, simulator FAILED`,
      `matching matching-001: job ${DONE} exported SUCCEEDED, not in the simulator's window`,
    ]);
  });

  it('reports a per-job value other than a fresh exporter\'s', () => {
    expect(compareWithTruth(TRUTH, REMOVED, { soaked: exposition({ start: 999 }), control: exposition() })).to.deep.equal([
      `matching matching-001: exported ${M}job_start_timestamp_seconds{${LABELS},job_id="${DONE}"} 999, a fresh exporter does not`,
      `matching matching-001: a fresh exporter exports ${M}job_start_timestamp_seconds{${LABELS},job_id="${DONE}"} 1000, the soaked one does not`,
    ]);
  });

  it('reports a finished-jobs counter other than the simulator\'s count, and one the simulator has that is missing', () => {
    expect(compareWithTruth(TRUTH, REMOVED, { soaked: exposition({ succeeded: 2 }), control: exposition() }))
      .to.deep.equal(['matching matching-001: jobs_finished_total{status="SUCCEEDED"} 2, simulator 1']);
    const truth: TargetTruth[] = [{ ...TRUTH[0]!, finished: new Map([['SUCCEEDED', 1], ['CANCELLED', 1]]) }];
    expect(compareWithTruth(truth, REMOVED, { soaked: exposition(), control: exposition() }))
      .to.deep.equal(['matching matching-001: jobs_finished_total{status="CANCELLED"} missing, simulator 1']);
  });

  it('reports a series left behind by a removed target', () => {
    const extra = `aws_resolution_exporter_target_up{kind="identity_resolution",aws_account_id="${ACCOUNT}",aws_region="us-east-1",target="domain-002"} 1`;
    expect(compareWithTruth(TRUTH, REMOVED, { soaked: exposition({ extra }), control: exposition() }))
      .to.deep.equal([`identity_resolution domain-002: removed, yet 1 series remain, e.g. ${extra}`]);
  });
});

describe('the soak\'s count of finished jobs (what the exporter must have counted)', () => {
  const KEY = 'matching-001';
  const HORIZON = 1000;
  /** A job of the simulator's window: running, or finished at `end`. */
  const job = (id: string, start: number, status: string, end?: number): WindowJob => ({ id, start, status, finished: end !== undefined, ...(end === undefined ? {} : { end }) });

  it('takes what finished by the first successful read as history, then counts each job once, when seen finished', () => {
    const ledger = new FinishLedger(HORIZON);
    ledger.watch(KEY);
    ledger.read(KEY, [job('new', 200, 'RUNNING'), job('old', 100, 'SUCCEEDED', 150)], 250);
    expect([...ledger.expected(KEY)]).to.deep.equal([]);
    ledger.read(KEY, [job('new', 200, 'FAILED', 260), job('old', 100, 'SUCCEEDED', 150)], 300);
    ledger.read(KEY, [job('newer', 310, 'SUCCEEDED', 330), job('new', 200, 'FAILED', 260)], 400);
    expect([...ledger.expected(KEY)]).to.deep.equal([['FAILED', 1], ['SUCCEEDED', 1]]);
    expect(ledger.finished).to.equal(2);
  });

  it('counts no history that comes into a window widened by a reload, nor a job counted before', () => {
    const ledger = new FinishLedger(HORIZON);
    ledger.watch(KEY);
    ledger.read(KEY, [job('b', 200, 'RUNNING')], 250);
    ledger.read(KEY, [job('b', 200, 'SUCCEEDED', 260)], 300);
    // The window grew: 'a' finished before the first read, 'b' was counted already.
    ledger.read(KEY, [job('b', 200, 'SUCCEEDED', 260), job('a', 100, 'FAILED', 150)], 400);
    expect([...ledger.expected(KEY)]).to.deep.equal([['SUCCEEDED', 1]]);
  });

  it('does not count a job no successful read saw finished in its window', () => {
    const ledger = new FinishLedger(HORIZON);
    ledger.watch(KEY);
    ledger.read(KEY, [job('first', 100, 'RUNNING')], 150);
    // The reads in between failed: 'first' finished and left the window unseen.
    ledger.read(KEY, [job('second', 200, 'SUCCEEDED', 260)], 300);
    expect([...ledger.expected(KEY)]).to.deep.equal([['SUCCEEDED', 1]]);
  });

  it('starts afresh for a target removed and watched again', () => {
    const ledger = new FinishLedger(HORIZON);
    ledger.watch(KEY);
    ledger.read(KEY, [job('a', 100, 'RUNNING')], 150);
    ledger.read(KEY, [job('a', 100, 'SUCCEEDED', 160)], 200);
    ledger.unwatch(KEY);
    ledger.watch(KEY);
    ledger.read(KEY, [job('b', 250, 'SUCCEEDED', 260), job('a', 100, 'SUCCEEDED', 160)], 300);
    expect([...ledger.expected(KEY)], 'finished before the new watch: history').to.deep.equal([]);
    expect(ledger.finished, 'the run\'s total keeps the first watch\'s count').to.equal(1);
  });
});

describe('the soak\'s verdict', () => {
  const clean: SoakResult = {
    minutes: 1, collections: 100, jobsFinished: 50, churn: { added: 1, removed: 1, reloaded: 1 },
    faultsInjected: 10, mismatches: [], crashes: [], rss: { warmUp: 100, end: 104.9, peak: 140 },
  };

  it('passes a run without mismatches or crashes whose memory grew less than 5 %', () => {
    expect(passed(clean)).to.equal(true);
    expect(summaryLine(clean)).to.equal('soak: 1.0 min, 100 collections, 50 jobs finished, 3 churn steps (1 added, 1 removed, 1 reloads), 10 faults injected, 0 mismatches, 0 restarts, peak rss 140 MiB, rss 100.0 -> 104.9 MiB (+4.9 %) after warm-up: PASS');
  });

  it('fails on memory growth of 5 % or more, a mismatch, or a crash', () => {
    expect(summaryLine({ ...clean, rss: { warmUp: 100, end: 105, peak: 140 } })).to.match(/\(\+5\.0 %\) after warm-up: FAIL$/);
    expect(passed({ ...clean, mismatches: ['matching matching-001: jobs_finished_total{status="SUCCEEDED"} 2, simulator 1'] })).to.equal(false);
    expect(passed({ ...clean, crashes: ['crash: Error: boom'] })).to.equal(false);
    expect(summaryLine({ ...clean, crashes: ['crash: Error: boom'] })).to.contain('1 restarts');
  });
});

describe('the soak\'s reading of an exposition', () => {
  it('reads names, labels with any content, and values', () => {
    const [sample] = parseSamples('# TYPE m gauge\nm{a="x",message="b}r,a\\"ce{"} 2.5\n');
    expect(sample).to.deep.equal({ name: 'm', labels: { a: 'x', message: 'b}r,a\\"ce{' }, value: 2.5, line: 'm{a="x",message="b}r,a\\"ce{"} 2.5' });
    expect(parseSamples('up 1\nother{} 0\n', (name) => name === 'other')).to.deep.equal([{ name: 'other', labels: {}, value: 0, line: 'other{} 0' }]);
  });
});
