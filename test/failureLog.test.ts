import { expect } from 'chai';
import { FailureLog, REMINDER_INTERVAL_MS } from '../src/collect/failureLog.js';
import type { DiscoveryConfig } from '../src/config/types.js';
import { createLogger } from '../src/log.js';
import { Harness, REGION } from './support/harness.js';

interface Line { readonly level: string; readonly msg: string; readonly [field: string]: unknown }

const MESSAGES = { failed: 'target collection failed', recovered: 'target recovered' };
const CONTEXT = { kind: 'matching', target: 'dedupe', aws_account_id: '123456789012', aws_region: REGION };
const SECOND_MS = 1000;

/** An AWS SDK error as the clients throw it: the error name is the AWS error code. */
function awsError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
const DENIED = awsError('AccessDeniedException', 'not authorized to perform: entityresolution:ListMatchingJobs');
const THROTTLED = awsError('ThrottlingException', 'Rate exceeded');

/** A FailureLog on a clock the test moves, writing to lines the test reads. */
function failureLog(): { log: FailureLog; lines: Line[]; advance: (ms: number) => void } {
  const lines: Line[] = [];
  let nowMs = Date.UTC(2025, 0, 1);
  const logger = createLogger('debug', 'json', { write: (line) => { lines.push(JSON.parse(line) as Line); } });
  return { log: new FailureLog(logger, MESSAGES, () => nowMs), lines, advance: (ms) => { nowMs += ms; } };
}

const atLevel = (lines: readonly Line[], level: string): Line[] => lines.filter((line) => line.level === level);

describe('failure logging: a warning when a failure is news, debug while it goes on', () => {
  it('100 failures in a row with the same error: one warning, one reminder an hour later, the rest at debug', () => {
    const { log, lines, advance } = failureLog();
    for (let i = 0; i < 100; i++) {
      log.failed('dedupe', CONTEXT, DENIED);
      advance(60 * SECOND_MS);
    }
    const warnings = atLevel(lines, 'warn');
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.deep.include({ ...CONTEXT, msg: MESSAGES.failed, aws_error: 'AccessDeniedException', err: `AccessDeniedException: ${DENIED.message}` });
    expect(warnings[0]).not.to.have.property('down_for_seconds');
    expect(warnings[1], 'the reminder says for how long and how many failures since').to.deep.include({ ...CONTEXT, msg: MESSAGES.failed, aws_error: 'AccessDeniedException', down_for_seconds: 3600, failures_since_last_warning: 60 });
    expect(atLevel(lines, 'debug')).to.have.length(98);
    expect(atLevel(lines, 'debug').every((line) => line.msg === MESSAGES.failed && line.target === 'dedupe'), 'debug lines are the same line, lower').to.equal(true);
    expect(lines).to.have.length(100);
  });

  it('an hour short of a reminder stays at debug', () => {
    const { log, lines, advance } = failureLog();
    log.failed('dedupe', CONTEXT, DENIED);
    advance(REMINDER_INTERVAL_MS - 1);
    log.failed('dedupe', CONTEXT, DENIED);
    expect(lines.map((line) => line.level)).to.deep.equal(['warn', 'debug']);
  });

  it('a changed error is a new warning, and the reminder hour counts from it', () => {
    const { log, lines, advance } = failureLog();
    log.failed('dedupe', CONTEXT, DENIED);
    advance(120 * SECOND_MS);
    log.failed('dedupe', CONTEXT, DENIED);
    advance(120 * SECOND_MS);
    log.failed('dedupe', CONTEXT, THROTTLED);
    advance(REMINDER_INTERVAL_MS - 120 * SECOND_MS);
    log.failed('dedupe', CONTEXT, THROTTLED);
    expect(lines.map((line) => line.level)).to.deep.equal(['warn', 'debug', 'warn', 'debug']);
    expect(lines[2]).to.deep.include({ aws_error: 'ThrottlingException', err: 'ThrottlingException: Rate exceeded', down_for_seconds: 240, failures_since_last_warning: 2 });
    log.failed('dedupe', CONTEXT, awsError('ThrottlingException', 'Too many requests'));
    expect(lines.at(-1)?.level, 'the same code with another message is another error').to.equal('warn');
  });

  it('the first success after failures is one info line saying how long it was down; later ones say nothing', () => {
    const { log, lines, advance } = failureLog();
    log.succeeded('dedupe', CONTEXT);
    expect(lines, 'a success that follows a success is not news').to.deep.equal([]);
    for (let i = 0; i < 3; i++) {
      log.failed('dedupe', CONTEXT, DENIED);
      advance(120 * SECOND_MS);
    }
    log.succeeded('dedupe', CONTEXT);
    log.succeeded('dedupe', CONTEXT);
    expect(atLevel(lines, 'info')).to.have.length(1);
    expect(atLevel(lines, 'info')[0]).to.deep.include({ ...CONTEXT, msg: MESSAGES.recovered, down_for_seconds: 360, failures: 3 });
    log.failed('dedupe', CONTEXT, DENIED);
    expect(lines.at(-1)?.level, 'failing again after recovering is news again').to.equal('warn');
  });

  it('keys fail and recover each on its own', () => {
    const { log, lines } = failureLog();
    log.failed('dedupe', CONTEXT, DENIED);
    log.failed('other', { ...CONTEXT, target: 'other' }, DENIED);
    log.failed('dedupe', CONTEXT, DENIED);
    log.succeeded('other', { ...CONTEXT, target: 'other' });
    expect(lines.map((line) => `${line.level} ${String(line.target)}`)).to.deep.equal(['warn dedupe', 'warn other', 'debug dedupe', 'info other']);
  });

  it('forgets a key no longer read: it comes back as new, with no recovery line', () => {
    const { log, lines } = failureLog();
    log.failed('removed', CONTEXT, DENIED);
    log.failed('kept', CONTEXT, DENIED);
    log.forgetAllBut(['kept']);
    log.succeeded('removed', CONTEXT);
    expect(lines).to.have.length(2);
    log.failed('removed', CONTEXT, DENIED);
    log.failed('kept', CONTEXT, DENIED);
    expect(lines.slice(2).map((line) => line.level)).to.deep.equal(['warn', 'debug']);
  });
});

describe('failure logging through the exporter, against the simulator', function () {
  this.timeout(30_000);
  const COLLECTIONS = 5;
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  const logged = (msg: string, level: string): Line[] => (harness?.logLines ?? []).map((line) => JSON.parse(line) as Line).filter((line) => line.msg === msg && line.level === level);

  it(`a denied target collected ${COLLECTIONS} times logs one warning, not ${COLLECTIONS}, and one line when it recovers`, async () => {
    harness = await Harness.start({ fleet: { matchingWorkflows: ['dedupe', 'denied'], historyJobsPerTarget: 2 } });
    harness.simulator.faults.add({ target: 'denied', effect: { type: 'error', status: 403, code: 'AccessDeniedException' } });
    for (let i = 0; i < COLLECTIONS; i++) await harness.collect();
    expect(logged('target collection failed', 'warn')).to.have.length(1);
    expect(logged('target collection failed', 'warn')[0]).to.deep.include({ kind: 'matching', target: 'denied', aws_region: REGION, aws_error: 'AccessDeniedException' });
    expect(logged('target collection failed', 'debug')).to.have.length(COLLECTIONS - 1);
    harness.simulator.faults.clear();
    await harness.collect();
    await harness.collect();
    expect(logged('target recovered', 'info')).to.have.length(1);
    expect(logged('target recovered', 'info')[0]).to.deep.include({ target: 'denied', failures: COLLECTIONS });
  });

  it(`a discovery and a target's facts denied at ${COLLECTIONS} refreshes log one warning each, and one line each when they recover`, async () => {
    const discovery: DiscoveryConfig = { kinds: ['matching'], regions: [REGION], include: undefined, exclude: undefined, allDomains: false, role: undefined, expect: undefined, tagLabels: [], requireTags: new Map() };
    harness = await Harness.start({ fleet: { matchingWorkflows: ['dedupe'], historyJobsPerTarget: 2 }, targets: [], config: { discovery: [discovery], refreshEveryCollections: 1 } });
    await harness.collect();
    for (const operation of ['ListMatchingWorkflows', 'GetMatchingWorkflow']) harness.simulator.faults.add({ operation, effect: { type: 'error', status: 403, code: 'AccessDeniedException' } });
    for (let i = 0; i < COLLECTIONS; i++) await harness.collect();
    const discoveryFailed = 'discovery failed: keeping the targets found last time';
    const factsFailed = 'could not refresh the target\'s facts: keeping the last ones';
    expect(logged(discoveryFailed, 'warn')).to.have.length(1);
    expect(logged(discoveryFailed, 'warn')[0]).to.deep.include({ kinds: 'matching', aws_region: REGION, aws_error: 'AccessDeniedException' });
    expect(logged(discoveryFailed, 'debug')).to.have.length(COLLECTIONS - 1);
    expect(logged(factsFailed, 'warn')).to.have.length(1);
    expect(logged(factsFailed, 'warn')[0]).to.deep.include({ kind: 'matching', target: 'dedupe', aws_error: 'AccessDeniedException' });
    expect(logged(factsFailed, 'debug')).to.have.length(COLLECTIONS - 1);
    harness.simulator.faults.clear();
    await harness.collect();
    await harness.collect();
    expect(logged('discovery recovered', 'info')).to.have.length(1);
    expect(logged('target\'s facts refreshed again', 'info')).to.have.length(1);
  });
});
