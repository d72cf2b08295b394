import { minimumCalls, quotaBoundSeconds, totalCalls } from './calls.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadGenerator, summarize, type LoadRun, type LoadStats } from './load.js';
import { measureAllocation } from './allocation.js';
import { RssWatch, settledMemory, type MemoryReading, type RunningMemory } from './memory.js';
import { naiveCollection } from './naive.js';
import type { QuotaCalls } from '../src/simulator/index.js';
import type { Scenario } from './scenarios.js';
import { capture, startStaticServer } from './staticServer.js';
import { startWorld, type World } from './world.js';

/** The headers Prometheus 3 scrapes with: OpenMetrics preferred, gzip accepted. */
export const PROMETHEUS_SCRAPE_HEADERS = {
  accept: 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
  'accept-encoding': 'gzip',
} as const;

/** Keep-alive connections of the load: a few Prometheus servers and a bit of headroom, not a flood. */
export const LOAD_CLIENTS = 8;

export interface MainResult {
  cold_calls: number;
  cold_min_calls: number;
  cold_wall_s: number;
  cold_quota_bound_s: number;
  cold_throttled: number;
  steady_calls: number;
  min_calls: number;
  naive_calls: number;
  naive_quota_bound_s: number;
  steady_wall_s: number;
  quota_bound_s: number;
  steady_throttled: number;
  metrics_rps: number;
  static_rps: number;
  metrics_p50_ms: number;
  static_p50_ms: number;
  metrics_p99_ms: number;
  static_p99_ms: number;
  metrics_rps_during_collection: number;
  static_rps_during_collection: number;
  metrics_p99_during_collection_ms: number;
  metrics_max_during_collection_ms: number;
  static_p99_during_collection_ms: number;
  metrics_body_bytes: number;
  series: number;
  /** Transient allocation of the steady collection (its calls and its rendering), V8 heap and Buffers. */
  garbage_per_collection_mb: number;
  garbage_bytes_per_series: number;
  /** Resident memory as it runs, no collection forced: the load phase (cold and steady collections, scrape load). */
  rss_load_peak_mb: number;
  rss_load_mean_mb: number;
  /** The idle phase: scrapes on Prometheus' interval, collections on the default schedule, for `idle_minutes`. */
  rss_idle_peak_mb: number;
  rss_idle_mean_mb: number;
  idle_minutes: number;
  /** After full garbage collections at the end of the idle phase: resident memory, and the live V8 heap. */
  rss_settled_mb: number;
  heap_live_mb: number;
}

/** How the idle phase runs: what a pod does between its scrapes. */
export interface IdlePhase {
  readonly minutes: number;
}

/** Prometheus' default scrape interval, and the exporter's default schedule (every 2 minutes). */
const SCRAPE_INTERVAL_MS = 15_000;
const SCHEDULE_INTERVAL_S = 120;

const log = (scenario: Scenario, message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${scenario.name}: ${message}\n`);
};
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const mib = (bytes: number): number => bytes / 2 ** 20;
const describeRunning = (memory: RunningMemory): string => `resident peak ${memory.peak.toFixed(0)} MiB, mean ${memory.mean.toFixed(0)}`;
const describeMemory = (memory: MemoryReading): string =>
  `resident ${memory.rss.toFixed(0)} MiB (V8 heap ${memory.heapUsed.toFixed(0)} used of ${memory.heapTotal.toFixed(0)}, external ${memory.external.toFixed(0)})`;

/**
 * Runs the calls, wall-time and /metrics measurements of one scenario (the load phase), then the idle phase,
 * with resident memory watched as it runs through both, and settled memory at the end.
 */
export async function measureScenario(scenario: Scenario, idle: IdlePhase): Promise<MainResult> {
  const world = await startWorld({ ...scenario, quota: scenario.rateLimit, stateFile: true });
  const generator = new LoadGenerator();
  try {
    const loadPhase = new RssWatch();
    const { simulator } = world;

    log(scenario, `cold collection of ${world.config.targets.length} targets`);
    await simulator.resetCounts();
    const coldWall = await world.collect();
    const cold = await simulator.perQuota();
    const coldThrottled = await simulator.answered('ThrottlingException');
    const coldMinimum = await minimumCalls(world, undefined);
    log(scenario, `cold: ${totalCalls(cold)} calls (minimum ${coldMinimum.total}) in ${coldWall.toFixed(1)} s, ${coldThrottled} throttled`);

    await world.advance(scenario.steadyStepSeconds);
    await simulator.resetCounts();
    const { result: steadyWall, heapBytes, externalBytes } = await measureAllocation(() => world.collect());
    const garbage = heapBytes + externalBytes;
    const steady = await simulator.perQuota();
    const steadyThrottled = await simulator.answered('ThrottlingException');
    const steadyMinimum = await minimumCalls(world, coldMinimum.truth);
    log(scenario, `steady: ${totalCalls(steady)} calls (minimum ${steadyMinimum.total}) in ${steadyWall.toFixed(2)} s, ${steadyThrottled} throttled`);

    log(scenario, `steady collection allocated ${mib(garbage)} MiB (V8 heap ${mib(heapBytes)}, Buffers ${mib(externalBytes)})`);

    const scrape = await measureScrapes(world, generator, scenario);
    const load = loadPhase.stop();
    log(scenario, `load phase: ${describeRunning(load)}; settled ${describeMemory(await settledMemory())}`);
    const idling = await idlePhase(world, generator, scenario, idle);
    const memory = await settledMemory();
    const series = await generator.countSeries(`${world.exporter.url}/metrics`);
    await generator.close();
    log(scenario, `${series} series; idle phase: ${describeRunning(idling)}; settled ${describeMemory(memory)}`);

    // Last, as its hundred thousand SDK calls would otherwise weigh on the exporter's memory: a naive poller
    // makes the same calls at any time (every page and every job of a list of constant length).
    const naive = await measureNaive(world);
    log(scenario, `naive poller: ${totalCalls(naive)} calls`);
    return {
      cold_calls: totalCalls(cold),
      cold_min_calls: coldMinimum.total,
      cold_wall_s: round(coldWall),
      cold_quota_bound_s: round(quotaBoundSeconds(cold, scenario.rateLimit, scenario.latencyMs)),
      cold_throttled: coldThrottled,
      steady_calls: totalCalls(steady),
      min_calls: steadyMinimum.total,
      naive_calls: totalCalls(naive),
      naive_quota_bound_s: round(quotaBoundSeconds(naive, scenario.rateLimit, scenario.latencyMs), 0),
      steady_wall_s: round(steadyWall),
      quota_bound_s: round(quotaBoundSeconds(steady, scenario.rateLimit, scenario.latencyMs)),
      steady_throttled: steadyThrottled,
      ...scrape,
      series,
      garbage_per_collection_mb: round(mib(garbage), 1),
      garbage_bytes_per_series: round(garbage / series, 0),
      rss_load_peak_mb: round(load.peak, 0),
      rss_load_mean_mb: round(load.mean, 0),
      rss_idle_peak_mb: round(idling.peak, 0),
      rss_idle_mean_mb: round(idling.mean, 0),
      idle_minutes: idle.minutes,
      rss_settled_mb: round(memory.rss, 0),
      heap_live_mb: round(memory.heapUsed, 1),
    };
  } finally {
    await generator.close();
    await world.close();
  }
}

/**
 * A pod's ordinary life, memory watched as it runs: one scrape every 15 s from another process (gzip,
 * OpenMetrics, as Prometheus asks), and a collection every 2 minutes with the clock moved as far, for as many
 * minutes as asked.
 */
async function idlePhase(world: World, generator: LoadGenerator, scenario: Scenario, idle: IdlePhase): Promise<RunningMemory> {
  const watch = new RssWatch();
  const durationMs = idle.minutes * 60_000;
  log(scenario, `idle phase: ${idle.minutes} min, a scrape every ${SCRAPE_INTERVAL_MS / 1000} s, a collection every ${SCHEDULE_INTERVAL_S} s`);
  const scraping = generator.run({ url: `${world.exporter.url}/metrics`, headers: PROMETHEUS_SCRAPE_HEADERS, clients: 1, durationMs, intervalMs: SCRAPE_INTERVAL_MS });
  const ends = performance.now() + durationMs;
  for (let next = performance.now() + SCHEDULE_INTERVAL_S * 1000; next < ends; next += SCHEDULE_INTERVAL_S * 1000) {
    await sleep(next - performance.now());
    await world.advance(SCHEDULE_INTERVAL_S);
    await world.collect();
  }
  const scrapes = await scraping;
  const memory = watch.stop();
  const failed = scrapes.urls[0]?.errors ?? 0;
  if (failed > 0) throw new Error(`${failed} idle scrapes failed`);
  return memory;
}

/** One round of the naive poller, quotas lifted (at the quota it would take the hours naive_quota_bound_s says). */
async function measureNaive(world: World): Promise<QuotaCalls[]> {
  const { simulator } = world;
  await simulator.setQuota(undefined);
  await simulator.resetCounts();
  try {
    await naiveCollection(world);
    return await simulator.perQuota();
  } finally {
    await simulator.setQuota(world.config.rateLimit);
    await simulator.resetCounts();
  }
}

type ScrapeResult = Pick<MainResult, 'metrics_rps' | 'static_rps' | 'metrics_p50_ms' | 'static_p50_ms' | 'metrics_p99_ms' | 'static_p99_ms'
  | 'metrics_rps_during_collection' | 'static_rps_during_collection' | 'metrics_p99_during_collection_ms' | 'metrics_max_during_collection_ms'
  | 'static_p99_during_collection_ms' | 'metrics_body_bytes'>;

/** Each URL's turn in the alternating load, in milliseconds. */
const SLOT_MS = 250;

/**
 * /metrics against a plain node:http server answering the bytes /metrics answered, side by side (the clients take the
 * two in turns of {@link SLOT_MS}): idle, then while collections run (the clock moved on first, so the first ends
 * with new series to render and publish; from just before it starts to just after the last ends). Collections run
 * back to back for as long as the idle load lasted at least: a single short one (`small`'s takes a second) would
 * leave a handful of turns each, and its rendering would fall in the same turn every run.
 */
async function measureScrapes(world: World, generator: LoadGenerator, scenario: Scenario): Promise<ScrapeResult> {
  const metricsUrl = `${world.exporter.url}/metrics`;
  const captured = await capture(metricsUrl, PROMETHEUS_SCRAPE_HEADERS);
  const reference = await startStaticServer(captured);
  try {
    const run = (seconds: number | undefined): LoadRun => ({
      url: [metricsUrl, reference.url], headers: PROMETHEUS_SCRAPE_HEADERS, clients: LOAD_CLIENTS, slotMs: SLOT_MS,
      durationMs: seconds === undefined ? undefined : seconds * 1000,
    });
    log(scenario, `/metrics vs plain node:http (${captured.body.length} bytes, ${captured.headers['content-encoding'] ?? 'identity'}), ${LOAD_CLIENTS} clients, ${scenario.loadSeconds} s each, in turns of ${SLOT_MS} ms`);
    // Warm-up: connections opened, both paths compiled by the JIT.
    await generator.run(run(2));
    const idle = [await generator.run(run(scenario.loadSeconds * 2))];
    const metrics = summarize(idle, 0);
    const statik = summarize(idle, 1);
    log(scenario, `idle: ${comparison(metrics, statik)}`);

    await world.advance(scenario.steadyStepSeconds);
    const loading = generator.run(run(undefined));
    await sleep(300);
    let collections = 0;
    let wall = 0;
    while (wall < scenario.loadSeconds * 2) {
      wall += await world.collect();
      collections++;
    }
    await sleep(300);
    generator.stop();
    const loaded = [await loading];
    const during = summarize(loaded, 0);
    const staticDuring = summarize(loaded, 1);
    log(scenario, `during ${collections} collection(s), ${wall.toFixed(1)} s: ${comparison(during, staticDuring)} (/metrics max ${during.maxMs.toFixed(1)} ms)`);
    const errors = metrics.errors + statik.errors + during.errors + staticDuring.errors;
    if (errors > 0) throw new Error(`${errors} scrapes failed`);
    return {
      metrics_rps: round(metrics.rps, 0),
      static_rps: round(statik.rps, 0),
      metrics_p50_ms: round(metrics.p50Ms),
      static_p50_ms: round(statik.p50Ms),
      metrics_p99_ms: round(metrics.p99Ms),
      static_p99_ms: round(statik.p99Ms),
      metrics_rps_during_collection: round(during.rps, 0),
      static_rps_during_collection: round(staticDuring.rps, 0),
      metrics_p99_during_collection_ms: round(during.p99Ms),
      metrics_max_during_collection_ms: round(during.maxMs),
      static_p99_during_collection_ms: round(staticDuring.p99Ms),
      metrics_body_bytes: captured.body.length,
    };
  } finally {
    await reference.close();
  }
}

/** /metrics against the plain server: each one's throughput and p99, and the ratios the targets are about. */
function comparison(metrics: LoadStats, plain: LoadStats): string {
  return `/metrics ${metrics.rps.toFixed(0)} rps p99 ${metrics.p99Ms.toFixed(2)} ms; plain ${plain.rps.toFixed(0)} rps p99 ${plain.p99Ms.toFixed(2)} ms; `
    + `throughput ${(metrics.rps / plain.rps).toFixed(2)}×, p99 ${(metrics.p99Ms / plain.p99Ms).toFixed(2)}×`;
}
