import { mean, settledMemory } from './memory.js';
import { PROMETHEUS_SCRAPE_HEADERS } from './measure.js';
import type { Scenario } from './scenarios.js';
import { startWorld } from './world.js';

export interface ChurnResult {
  rss_at_baseline_mb: number;
  rss_at_end_mb: number;
  rss_growth_pct: number;
  heap_growth_pct: number;
  churn_collections: number;
}

/** Memory is sampled after each of this many collections up to the baseline and up to the end, and averaged. */
const SAMPLES = 10;

/**
 * Memory under churn: collections back to back with no latency and no quota (accelerated), the clock moving
 * each time so jobs start, finish and leave the window, each collection scraped once as Prometheus would.
 * A leak shows as growth between the baseline collection and the last. Resident memory moves by ±10 % from
 * one collection to the next (malloc arenas of the zlib and HTTP buffers), so each point is the mean of the
 * last {@link SAMPLES} collections up to it, each read once garbage collection has settled.
 */
export async function measureChurn(scenario: Scenario): Promise<ChurnResult> {
  const { churn } = scenario;
  const world = await startWorld({ ...scenario, fleet: churn.fleet, latencyMs: 0, quota: undefined, rateLimit: 1_000_000 });
  try {
    const baseline = { rss: [] as number[], heap: [] as number[] };
    const end = { rss: [] as number[], heap: [] as number[] };
    const started = performance.now();
    for (let collection = 1; collection <= churn.collections; collection++) {
      await world.advance(churn.stepSeconds);
      await world.collect();
      const response = await fetch(`${world.exporter.url}/metrics`, { headers: PROMETHEUS_SCRAPE_HEADERS });
      await response.arrayBuffer();
      const window = collection > churn.baselineAt - SAMPLES && collection <= churn.baselineAt ? baseline
        : collection > churn.collections - SAMPLES ? end : undefined;
      if (window) {
        const memory = await settledMemory();
        window.rss.push(memory.rss);
        window.heap.push(memory.heapUsed);
      }
      if (collection % 50 === 0) {
        const rate = collection / ((performance.now() - started) / 1000);
        process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${scenario.name}: churn ${collection}/${churn.collections} (${rate.toFixed(1)} collections/s)\n`);
      }
    }
    const rss = [mean(baseline.rss), mean(end.rss)] as const;
    const heap = [mean(baseline.heap), mean(end.heap)] as const;
    return {
      rss_at_baseline_mb: Number(rss[0].toFixed(0)),
      rss_at_end_mb: Number(rss[1].toFixed(0)),
      rss_growth_pct: Number((((rss[1] - rss[0]) / rss[0]) * 100).toFixed(1)),
      heap_growth_pct: Number((((heap[1] - heap[0]) / heap[0]) * 100).toFixed(1)),
      churn_collections: churn.collections,
    };
  } finally {
    await world.close();
  }
}
