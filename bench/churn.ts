import { mean, settledMemory } from './memory.js';
import { PROMETHEUS_SCRAPE_HEADERS } from './measure.js';
import type { Scenario } from './scenarios.js';
import { startWorld } from './world.js';

export interface ChurnResult {
  /** Resident memory as it runs (no collection forced), the mean over the collections up to the baseline and near the end. */
  rss_at_baseline_mb: number;
  rss_at_end_mb: number;
  /** Growth of resident memory with the runtime settings the image ships: the footprint a pod's limit must hold. */
  rss_growth_pct: number;
  /** The live V8 heap after full garbage collections, the mean over the collections after the baseline and up to the last: a leak shows here. */
  heap_at_baseline_mb: number;
  heap_at_end_mb: number;
  heap_growth_pct: number;
  churn_collections: number;
}

/** Each reading is the mean of this many, one per collection. */
const SAMPLES = 10;

/**
 * Which reading a collection gives, if any: resident memory over the {@link SAMPLES} collections up to the
 * baseline, then the live heap over as many after it; at the end, resident memory, then the live heap over the
 * last ones. The heap's full collections thus never fall among the resident readings.
 */
function windowOf(collection: number, baselineAt: number, last: number): { reading: 'rss' | 'heap'; at: 'baseline' | 'end' } | undefined {
  if (collection > baselineAt - SAMPLES && collection <= baselineAt) return { reading: 'rss', at: 'baseline' };
  if (collection > baselineAt && collection <= baselineAt + SAMPLES) return { reading: 'heap', at: 'baseline' };
  if (collection > last - 2 * SAMPLES && collection <= last - SAMPLES) return { reading: 'rss', at: 'end' };
  if (collection > last - SAMPLES) return { reading: 'heap', at: 'end' };
  return undefined;
}

/**
 * Memory under churn: collections back to back with no latency and no quota (accelerated), the clock moving
 * each time so jobs start, finish and leave the window, each collection scraped once as Prometheus would.
 * Two growths, judged apart: resident memory as the process runs, left alone, and the live heap after full
 * collections (see {@link windowOf}). Both move from one collection to the next (resident memory by ±10 %, the
 * heap with the jobs in the windows), so each point is a mean.
 */
export async function measureChurn(scenario: Scenario): Promise<ChurnResult> {
  const { churn } = scenario;
  const world = await startWorld({ ...scenario, fleet: churn.fleet, latencyMs: 0, quota: undefined, rateLimit: 1_000_000, stateFile: true });
  try {
    const rss = { baseline: [] as number[], end: [] as number[] };
    const heap = { baseline: [] as number[], end: [] as number[] };
    const started = performance.now();
    for (let collection = 1; collection <= churn.collections; collection++) {
      await world.advance(churn.stepSeconds);
      await world.collect();
      const response = await fetch(`${world.exporter.url}/metrics`, { headers: PROMETHEUS_SCRAPE_HEADERS });
      await response.arrayBuffer();
      const window = windowOf(collection, churn.baselineAt, churn.collections);
      if (window?.reading === 'rss') rss[window.at].push(process.memoryUsage.rss() / 2 ** 20);
      if (window?.reading === 'heap') heap[window.at].push((await settledMemory()).heapUsed);
      if (collection % 50 === 0) {
        const rate = collection / ((performance.now() - started) / 1000);
        process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${scenario.name}: churn ${collection}/${churn.collections} (${rate.toFixed(1)} collections/s)\n`);
      }
    }
    const [rssBaseline, rssEnd] = [mean(rss.baseline), mean(rss.end)];
    const [heapBaseline, heapEnd] = [mean(heap.baseline), mean(heap.end)];
    const growth = (from: number, to: number): number => Number((((to - from) / from) * 100).toFixed(1));
    return {
      rss_at_baseline_mb: Number(rssBaseline.toFixed(0)),
      rss_at_end_mb: Number(rssEnd.toFixed(0)),
      rss_growth_pct: growth(rssBaseline, rssEnd),
      heap_at_baseline_mb: Number(heapBaseline.toFixed(1)),
      heap_at_end_mb: Number(heapEnd.toFixed(1)),
      heap_growth_pct: growth(heapBaseline, heapEnd),
      churn_collections: churn.collections,
    };
  } finally {
    await world.close();
  }
}
