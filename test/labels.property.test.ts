import { expect } from 'chai';
import fc from 'fast-check';
import { messageLabel } from '../src/metrics/family.js';
import { ACCOUNT, Harness, REGION, samples } from './support/harness.js';
import { promtoolCheckMetrics } from './support/promtool.js';

/**
 * Whatever text AWS puts in a message (quotes, backslashes, newlines, control characters, lone surrogates —
 * what invalid UTF-8 becomes once decoded —, 10 kB of it), the exposition stays valid for promtool (Prometheus's
 * own text parser) and the label reads back as the message, cut to 256 graphemes, in well-formed UTF-8.
 */
const NASTY = ['"', '\\', '\n', '\r', '\t', '\u0000', '\u001b', '\ud800', '\udfff', '\u2028', '{', '}', '=', ',', '# HELP', '🚀', 'é', '\u0301'];
const message = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom(...NASTY), { maxLength: 60 }).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', minLength: 10_000, maxLength: 10_240 }),
);

/** What a string becomes once encoded as UTF-8: every lone surrogate turns into U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The label a message gets: none for an empty one (Prometheus treats an empty label as absent). */
function expectedLabel(text: string): string | undefined {
  return text === '' ? undefined : wellFormed(messageLabel(text));
}

/** The value of `message="…"` in an exposition line, unescaped as Prometheus's parser does. */
function messageOf(line: string): string | undefined {
  const escaped = /message="((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  return escaped?.replace(/\\(.)/g, (_match, c: string) => (c === 'n' ? '\n' : c));
}

describe('label values from AWS, property-based', function () {
  this.timeout(120_000);
  let harness: Harness;
  before(async () => {
    harness = await Harness.start({
      fleet: { domains: ['retail-us'], matchingWorkflows: ['dedupe'], idMappingWorkflows: ['crm-to-ads'], historyJobsPerTarget: 0, jobIntervalSeconds: 1e9 },
      config: { lookbackSeconds: 10 * 365 * 86_400 },
    });
  });
  after(async () => {
    await harness.close();
  });

  it('any message AWS sends yields an exposition promtool accepts and the message as its label', async () => {
    const fleet = harness.simulator.fleet;
    const domain = fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'identity_resolution', name: 'retail-us' });
    const workflow = fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'dedupe' });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(message, message, async (irMessage, erMessage) => {
        run++;
        const start = 1_790_000_000 + run * 100;
        const jobId = run.toString(16).padStart(32, '0');
        domain?.putJob({ JobId: jobId, Status: 'FAILED', JobStartTime: start, JobEndTime: start + 10, Message: irMessage });
        workflow?.putJob({ jobId, status: 'FAILED', startTime: start, endTime: start + 10, errorDetails: { errorMessage: erMessage } });
        await harness.collect();
        const text = await harness.scrape();
        domain?.deleteJob(jobId);
        workflow?.deleteJob(jobId);
        expect(promtoolCheckMetrics(text)).to.equal('');
        const irLine = samples(text, 'aws_customer_profiles_identity_resolution_job_message_info', { job_id: jobId })[0] ?? '';
        const erLine = samples(text, 'aws_entity_resolution_matching_job_error_info', { job_id: jobId })[0] ?? '';
        expect(messageOf(irLine)).to.equal(expectedLabel(irMessage));
        expect(messageOf(erLine)).to.equal(expectedLabel(erMessage));
      }),
      { numRuns: 60, seed: 20261125 },
    );
  });
});
