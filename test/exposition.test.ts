import { expect } from 'chai';
import { setImmediate } from 'node:timers/promises';
import fc from 'fast-check';
import { crc32, gunzipSync } from 'node:zlib';
import { fullGc } from '../bench/memory.js';
import type { AnyTargetSnapshot } from '../src/collect/snapshot.js';
import { ChunkWriter } from '../src/exposition/chunkWriter.js';
import { encodePart, openMetricsBody } from '../src/exposition/encoding.js';
import { toOpenMetrics } from './support/openMetrics.js';
import { crc32Combine } from '../src/http/gzipMember.js';
import { ResponseBodies, type ResponseBody } from '../src/http/responseBodies.js';
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
    const bodies = new ResponseBodies();
    for (const openMetrics of [false, true]) {
      const plain = Buffer.concat((await bodies.body(parts, openMetrics, false)).chunks).toString('utf8');
      const gzipped = Buffer.concat((await bodies.body(parts, openMetrics, true)).chunks);
      expect(gunzipSync(gzipped).toString('utf8')).to.equal(plain);
      const text = (await metrics.text()) + '# HELP up_total Ups.\n# TYPE up_total counter\nup_total 2\n\n# HELP g G.\n# TYPE g gauge\ng 1\n';
      expect(plain).to.equal(openMetrics ? toOpenMetrics(text) : text);
    }
  });

  it('keeps each body per handler: served again from its own handler, built anew by another\'s', async () => {
    const parts = [encodePart('# TYPE a gauge\na 1\n'), encodePart('# TYPE b gauge\nb 2\n')];
    const mine = new ResponseBodies();
    const theirs = new ResponseBodies();
    const body = await mine.body(parts, true, true);
    expect(body.length).to.equal(body.chunks.reduce((length, chunk) => length + chunk.length, 0));
    expect(await mine.body([...parts], true, true)).to.equal(body);
    expect(await theirs.body(parts, true, true)).to.not.equal(body);
    // Another handler's new parts do not push this one's body out.
    for (let i = 0; i < 8; i++) await theirs.body([encodePart(`# TYPE c gauge\nc ${String(i)}\n`)], true, true);
    expect(await mine.body(parts, true, true)).to.equal(body);
    expect(await mine.body(parts, false, true)).to.not.equal(body);
  });

  it('drops a body as soon as the part it was made from is replaced, before any scrape comes', async () => {
    const bodies = new ResponseBodies();
    const self = encodePart('# TYPE b gauge\nb 2\n');
    const served = async (): Promise<WeakRef<ResponseBody>> => new WeakRef(await bodies.body([encodePart('# TYPE a gauge\na 1\n'), self], true, true));
    const old = await served();
    await setImmediate();
    fullGc();
    expect(old.deref(), 'the body of a part no one serves any more').to.equal(undefined);
  });

  it('does not keep a large uncompressed body, but shares one among scrapes that ask at once', async () => {
    const metrics = new SnapshotMetrics();
    const jobs = Array.from({ length: 3000 }, (_, i) => ({ id: `job-${String(i)}`, detail: { jobId: `job-${String(i)}`, status: 'SUCCEEDED', startTime: new Date(T0 * 1000), endTime: new Date((T0 + 90) * 1000) } }));
    metrics.publish({ targets: [target('matching', 'wf-1', jobs)], finishedAt: T0 + 60, durationSeconds: 1 });
    await metrics.rendered();
    const bodies = new ResponseBodies();
    const parts = [metrics.part()];
    const [first, together] = await Promise.all([bodies.body(parts, false, false), bodies.body(parts, false, false)]);
    expect(first.length, 'a body larger than the kept size').to.be.above(256 * 1024);
    expect(together).to.equal(first);
    expect(await bodies.body(parts, false, false)).to.not.equal(first);
    const gzipped = await bodies.body(parts, false, true);
    expect(await bodies.body(parts, false, true), 'a gzipped one is kept').to.equal(gzipped);
  });

  it('writes each text as Buffer.from encodes it and numbers as JavaScript prints them, across its chunks', () => {
    // Any UTF-16 code units, lone surrogates included, after a run of ASCII that ends near the end of a 64 KiB chunk.
    const text = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 50 });
    const number = fc.oneof(fc.double(), fc.maxSafeInteger(), fc.integer(), fc.constantFrom(0, -0, 2 ** 53, 1e21, 0.1, 1750000000.125));
    const lead = fc.integer({ min: 64 * 1024 - 40, max: 64 * 1024 }).map((length) => 'x'.repeat(length));
    fc.assert(fc.property(lead, fc.array(fc.oneof(text, number), { maxLength: 20 }), (ascii, rest) => {
      const pieces = [ascii, ...rest];
      const chunks: Buffer[] = [];
      const writer = new ChunkWriter((bytes, consumed) => {
        chunks.push(Buffer.from(bytes));
        consumed();
      });
      for (const piece of pieces) {
        if (typeof piece === 'string') writer.writeString(piece);
        else writer.writeNumber(piece);
      }
      writer.flush();
      // Each write is one string, encoded on its own: a surrogate pair split between two writes is two lone halves,
      // as Buffer.from of each gives (the exporter never splits one: a label value is written whole).
      expect(Buffer.concat(chunks).equals(Buffer.concat(pieces.map((piece) => Buffer.from(`${piece}`))))).to.equal(true);
    }), { numRuns: 200 });
  });

  it('combines CRC-32s as zlib does', () => {
    const a = Buffer.from('x'.repeat(100_003));
    for (const b of [Buffer.alloc(0), Buffer.from('y'), Buffer.from('z'.repeat(70_001))]) {
      expect(crc32Combine(crc32(a), crc32(b), b.length)).to.equal(crc32(Buffer.concat([a, b])));
    }
  });
});
