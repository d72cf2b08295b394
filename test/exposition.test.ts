import { expect } from 'chai';
import { crc32, gunzipSync } from 'node:zlib';
import type { AnyTargetSnapshot } from '../src/collect/snapshot.js';
import { crc32Combine, encodePart, openMetricsBody, responseBody, toOpenMetrics } from '../src/http/exposition.js';
import { SnapshotMetrics } from '../src/metrics/snapshotMetrics.js';

const T0 = 1_718_000_000;

function target(kind: AnyTargetSnapshot['identity']['kind'], name: string, jobs: { id: string; detail: unknown }[]): AnyTargetSnapshot {
  return {
    identity: { kind, target: name, accountId: '123456789012', region: 'us-east-1' },
    up: true,
    dataTime: T0 + 60,
    lastSuccessTime: T0 + 60,
    lastError: undefined,
    jobs,
    latestStatus: 'RUNNING',
    lastSuccessEnd: T0 - 3600,
    lastFailureEnd: undefined,
    counters: { finishedByStatus: new Map([['SUCCEEDED', 3], ['FAILED', 1]]), statisticSums: new Map([['records_processed', 1200]]) },
  } as AnyTargetSnapshot;
}

async function published(): Promise<SnapshotMetrics> {
  const metrics = new SnapshotMetrics();
  const job = { jobId: 'a'.repeat(32), status: 'FAILED', startTime: new Date(T0 * 1000), endTime: new Date((T0 + 90) * 1000), errorDetails: { errorMessage: 'bad "input"\\path\nline 2' } };
  metrics.publish({ targets: [target('matching', 'wf-1', [{ id: 'a'.repeat(32), detail: job }]), target('id_mapping', 'map', [])], finishedAt: T0 + 60, durationSeconds: 1 });
  await metrics.rendered();
  return metrics;
}

describe('pre-encoded exposition', () => {
  it('renders OpenMetrics exactly as converting the text would', async () => {
    const metrics = await published();
    const text = await metrics.text();
    // The failure message is a label value: quotes, backslashes and newlines escaped.
    expect(text).to.contain(String.raw`message="bad \"input\"\\path\nline 2"`);
    expect((await metrics.part().openMetrics.plain()).toString('utf8')).to.equal(openMetricsBody(text));
    expect((await metrics.part().text.plain()).toString('utf8')).to.equal(text);
  });

  it('splices the parts into one gzip member that decodes to the plain body, in both formats', async () => {
    const metrics = await published();
    const self = encodePart('# HELP up_total Ups.\n# TYPE up_total counter\nup_total 2\n\n# HELP g G.\n# TYPE g gauge\ng 1\n');
    const parts = [metrics.part(), self];
    for (const openMetrics of [false, true]) {
      const plain = Buffer.concat(await responseBody(parts, openMetrics, false)).toString('utf8');
      const gzipped = Buffer.concat(await responseBody(parts, openMetrics, true));
      expect(gunzipSync(gzipped).toString('utf8')).to.equal(plain);
      const text = (await metrics.text()) + '# HELP up_total Ups.\n# TYPE up_total counter\nup_total 2\n\n# HELP g G.\n# TYPE g gauge\ng 1\n';
      expect(plain).to.equal(openMetrics ? toOpenMetrics(text) : text);
    }
  });

  it('combines CRC-32s as zlib does', () => {
    const a = Buffer.from('x'.repeat(100_003));
    for (const b of [Buffer.alloc(0), Buffer.from('y'), Buffer.from('z'.repeat(70_001))]) {
      expect(crc32Combine(crc32(a), crc32(b), b.length)).to.equal(crc32(Buffer.concat([a, b])));
    }
  });
});
