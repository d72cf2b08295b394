import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChurnResult } from './churn.js';
import type { MainResult } from './measure.js';
import type { Runtime } from './runtime.js';
import { scenarioNamed } from './scenarios.js';
import { podMemory } from './sizing.js';

export type ScenarioResult = MainResult & ChurnResult;

export interface Machine {
  cores: number;
  cpu: string;
  memory_gb: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The machine, in one phrase: what a figure measured on it can be compared with. */
export const describeMachine = (host: Machine): string => `${host.cores} cores (${host.cpu}), ${host.memory_gb} GiB, ${host.platform}`;

/** The commit measured, `-dirty` when the work tree had changes: results are only as good as the code they name. */
export function measuredCommit(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') === '' ? '' : '-dirty'}`;
  } catch {
    return 'unknown';
  }
}

type Row = readonly [label: string, cell: (r: ScenarioResult) => string, target: string];

const n = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const ratio = (a: number, b: number, digits = 2): string => (b > 0 ? `${(a / b).toFixed(digits)}×` : '–');

const ROWS: readonly Row[] = [
  ['API calls, cold collection (minimum)', (r) => `${r.cold_calls} (${r.cold_min_calls})`, ''],
  ['API calls, steady state (minimum)', (r) => `${r.steady_calls} (${r.min_calls})`, ''],
  ['steady ÷ minimum', (r) => ratio(r.steady_calls, r.min_calls), '≤ 1.05×'],
  ['naive poller calls (every page, every job)', (r) => `${r.naive_calls}`, ''],
  ['naive ÷ steady', (r) => ratio(r.naive_calls, r.steady_calls, 0), '≥ 10× (quota)'],
  ['cold wall time s (quota bound)', (r) => `${n(r.cold_wall_s, 2)} (${n(r.cold_quota_bound_s, 2)})`, ''],
  ['steady wall time s (quota bound)', (r) => `${n(r.steady_wall_s, 2)} (${n(r.quota_bound_s, 2)})`, ''],
  ['steady wall ÷ quota bound', (r) => ratio(r.steady_wall_s, r.quota_bound_s), '≤ 1.2×'],
  ['naive poller at the quota, s (bound)', (r) => n(r.naive_quota_bound_s), ''],
  ['429s cold / steady', (r) => `${r.cold_throttled} / ${r.steady_throttled}`, '0 steady'],
  ['/metrics rps (plain node:http)', (r) => `${n(r.metrics_rps)} (${n(r.static_rps)})`, ''],
  ['/metrics ÷ plain rps', (r) => ratio(r.metrics_rps, r.static_rps), '≥ 0.8×'],
  ['/metrics p50 / p99 ms', (r) => `${n(r.metrics_p50_ms, 2)} / ${n(r.metrics_p99_ms, 2)}`, ''],
  ['plain p50 / p99 ms', (r) => `${n(r.static_p50_ms, 2)} / ${n(r.static_p99_ms, 2)}`, ''],
  ['/metrics p99 ÷ plain p99', (r) => ratio(r.metrics_p99_ms, r.static_p99_ms), '≤ 1.5×'],
  ['during a collection: /metrics rps (plain)', (r) => `${n(r.metrics_rps_during_collection)} (${n(r.static_rps_during_collection)})`, ''],
  ['during a collection: /metrics ÷ plain rps', (r) => ratio(r.metrics_rps_during_collection, r.static_rps_during_collection), '≥ 0.8×'],
  ['during a collection: p99 ms /metrics (max) / plain', (r) => `${n(r.metrics_p99_during_collection_ms, 2)} (${n(r.metrics_max_during_collection_ms, 0)}) / ${n(r.static_p99_during_collection_ms, 2)}`, ''],
  ['during a collection: /metrics p99 ÷ plain p99', (r) => ratio(r.metrics_p99_during_collection_ms, r.static_p99_during_collection_ms), '≤ 1.5×'],
  ['p99 during a collection ÷ idle plain p99', (r) => ratio(r.metrics_p99_during_collection_ms, r.static_p99_ms), ''],
  ['/metrics body bytes (gzip, OpenMetrics)', (r) => `${r.metrics_body_bytes}`, ''],
  ['series', (r) => `${r.series}`, '~200,000 (wide)'],
  ['garbage per steady collection MiB (bytes per series)', (r) => `${n(r.garbage_per_collection_mb, 1)} (${n(r.garbage_bytes_per_series)})`, ''],
  ['resident MiB as it runs, load phase: peak / mean', (r) => `${n(r.rss_load_peak_mb)} / ${n(r.rss_load_mean_mb)}`, '≤ 160 (quota), ≤ 256 (wide)'],
  ['resident MiB as it runs, idle phase: peak / mean', (r) => `${n(r.rss_idle_peak_mb)} / ${n(r.rss_idle_mean_mb)}`, '≤ 160 (quota), ≤ 256 (wide)'],
  ['settled resident MiB (live heap)', (r) => `${n(r.rss_settled_mb)} (${n(r.heap_live_mb, 1)})`, '≤ 140 (wide)'],
  ['pod memory request / limit', (r) => { const pod = podMemory(r); return `${pod.requestMi}Mi / ${pod.limitMi}Mi`; }, ''],
  ['RSS growth as it runs, over 500 churn collections', (r) => `${n(r.rss_growth_pct, 1)} % (${n(r.rss_at_baseline_mb)} → ${n(r.rss_at_end_mb)} MiB)`, '≤ 5 %'],
  ['live heap growth, over 500 churn collections', (r) => `${n(r.heap_growth_pct, 1)} % (${n(r.heap_at_baseline_mb, 1)} → ${n(r.heap_at_end_mb, 1)} MiB)`, '≤ 1 %'],
];

/** The results as one Markdown table: a row per measure, a column per scenario, and the target; then what each scenario is. */
export function table(results: Readonly<Record<string, ScenarioResult>>, host: Machine, runtime: Pick<Runtime, 'node_options' | 'allocator'>): string {
  const names = Object.keys(results);
  const header = `| measure | ${names.join(' | ')} | target |`;
  const rule = `|---|${names.map(() => '---:').join('|')}|---|`;
  const rows = ROWS.map(([label, cell, target]) => `| ${label} | ${names.map((name) => cell(results[name]!)).join(' | ')} | ${target} |`);
  const about = `Machine: ${describeMachine(host)}, Node.js ${host.node}; `
    + `NODE_OPTIONS=${runtime.node_options || '(none)'}, allocator ${runtime.allocator}`;
  const legend = names.map((name) => {
    const s = scenarioNamed(name);
    return `- ${name}: ${s.description}; lookback ${s.lookbackSeconds / 86_400}d, max_jobs_per_target ${s.maxJobsPerTarget}, `
      + `rate_limit ${s.rateLimit} = simulated quota ${s.rateLimit} TPS per operation, concurrency ${s.concurrency}, ${s.latencyMs} ms per call; `
      + `memory churn: ${s.churn.collections} collections ${s.churn.stepSeconds / 3600} h apart on ${s.churn.description}.`;
  });
  return [about, '', header, rule, ...rows, '', ...legend].join('\n');
}
