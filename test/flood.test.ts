import { expect } from 'chai';
import { LoadGenerator, summarize } from '../bench/load.js';
import { imageRuntime } from '../bench/runtime.js';
import { startExporterProcess, waitForOk, type ExporterProcess } from './support/exporterProcess.js';
import { value } from './support/harness.js';

/** As the issue asks: a minute of requests, as fast as 16 clients can send them, on /metrics and / together. */
const FLOOD_MS = 60_000;
const CLIENTS_PER_PATH = 8;
/**
 * Memory first grows to a working set (sockets, buffers, a bigger heap), then stays: across the second half of
 * the flood it may move by this much at most, where a leak would keep growing at the first half's pace.
 */
const SECOND_HALF_RSS_GROWTH_LIMIT_BYTES = 24 * 1024 * 1024;
const RSS_LIMIT_BYTES = 300 * 1024 * 1024;

async function residentBytes(exporter: ExporterProcess): Promise<number> {
  return value(await (await fetch(`http://${exporter.address}/metrics`)).text(), 'process_resident_memory_bytes');
}

describe('a request flood on /metrics and / of the running demo', function () {
  this.timeout(FLOOD_MS + 60_000);

  it('answers every request, keeps collecting, and keeps its memory bounded', async () => {
    // Under the image's runtime settings, as a pod runs it: without its cap on the young generation, V8 grows its
    // heap in steps under this allocation rate, and resident memory with it, whatever the live heap does.
    const exporter = await startExporterProcess(['--demo'], { ...process.env, ...imageRuntime().env });
    const metricsLoad = new LoadGenerator();
    const landingLoad = new LoadGenerator();
    try {
      expect(await waitForOk(`http://${exporter.address}/-/ready`, 20_000)).to.equal(true);
      const before = await residentBytes(exporter);
      const collectionsBefore = value(await (await fetch(`http://${exporter.address}/metrics`)).text(), 'aws_resolution_exporter_collections_total');
      const flood = (durationMs: number) => Promise.all([
        metricsLoad.run({ url: `http://${exporter.address}/metrics`, headers: { 'Accept-Encoding': 'gzip' }, clients: CLIENTS_PER_PATH, durationMs }),
        landingLoad.run({ url: `http://${exporter.address}/`, headers: {}, clients: CLIENTS_PER_PATH, durationMs }),
      ]);
      const [metricsFirst, landingFirst] = await flood(FLOOD_MS / 2);
      const halfway = await residentBytes(exporter);
      const [metricsSecond, landingSecond] = await flood(FLOOD_MS / 2);
      const after = await residentBytes(exporter);
      const text = await (await fetch(`http://${exporter.address}/metrics`)).text();
      const stats = { metrics: summarize([metricsFirst, metricsSecond]), landing: summarize([landingFirst, landingSecond]) };
      const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
      console.log(`      /metrics: ${stats.metrics.requests} requests, ${stats.metrics.rps.toFixed(0)}/s, p99 ${stats.metrics.p99Ms.toFixed(1)} ms; /: ${stats.landing.requests} requests, ${stats.landing.rps.toFixed(0)}/s, p99 ${stats.landing.p99Ms.toFixed(1)} ms; RSS ${mib(before)} → ${mib(halfway)} → ${mib(after)} MiB`);
      expect(stats.metrics.errors + stats.landing.errors, 'no request failed').to.equal(0);
      expect(stats.metrics.requests).to.be.greaterThan(1000);
      expect(stats.landing.requests).to.be.greaterThan(1000);
      expect(after - halfway, 'resident memory growth over the second half').to.be.below(SECOND_HALF_RSS_GROWTH_LIMIT_BYTES);
      expect(after, 'resident memory').to.be.below(RSS_LIMIT_BYTES);
      expect(value(text, 'aws_resolution_exporter_collections_total'), 'collections went on during the flood').to.be.greaterThan(collectionsBefore + 5);
      expect(exporter.child.exitCode).to.equal(null);
    } finally {
      await Promise.all([metricsLoad.close(), landingLoad.close()]);
      await exporter.stop();
    }
  });
});
