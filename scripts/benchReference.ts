import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchDocument, BenchRun } from '../bench/run.js';
import { describeMachine, table, type ScenarioResult } from '../bench/report.js';
import { imageEnv } from '../bench/runtime.js';
import { scenarioNamed } from '../bench/scenarios.js';
import { podMemory } from '../bench/sizing.js';
import { passed, reproduceCommand, RSS_GROWTH_LIMIT_PCT, rssGrowthPct, summaryLine, type SoakRecord } from '../bench/soak/verdict.js';

/** Where the bench writes its results, and the docs read them. */
export const RESULTS_FILE = 'bench/results.json';
/** Where `npm run soak -- --out` wrote the soak the docs show. */
export const SOAK_RESULTS_FILE = 'bench/soak-results.json';

export function readBenchResults(root: string): BenchDocument {
  return JSON.parse(readFileSync(join(root, RESULTS_FILE), 'utf8')) as BenchDocument;
}

export function readSoakResults(root: string): SoakRecord {
  return JSON.parse(readFileSync(join(root, SOAK_RESULTS_FILE), 'utf8')) as SoakRecord;
}

/** The run on the Node.js line the Docker image runs (24), which pods are sized by; the first run without one. */
export function imageRun(doc: BenchDocument): BenchRun {
  const run = doc.runs.find((candidate) => candidate.machine.node.startsWith('v24.')) ?? doc.runs[0];
  if (!run) throw new Error(`${RESULTS_FILE} holds no run`);
  return run;
}

const nodeLine = (run: BenchRun): string => `Node.js ${run.machine.node}`;
const each = (run: BenchRun): [string, ScenarioResult][] => Object.entries(run.scenarios);
const x = (value: number): string => `${value.toFixed(2)} ×`;
const peak = (r: ScenarioResult): number => Math.max(r.rss_load_peak_mb, r.rss_idle_peak_mb);

/** Where the results came from, then the bench's own table for each run. */
export function resultsSection(doc: BenchDocument): string {
  const head = `Measured with \`npm run bench -- ${doc.runs.map((run) => `--node NODE${run.machine.node.split('.')[0]?.slice(1) ?? ''}`).join(' ')}\``
    + `, idle phase ${doc.idle_minutes} min, under the image's runtime settings `
    + `(NODE_OPTIONS=\`${doc.runtime.node_options || '(none)'}\`, allocator ${doc.runtime.allocator}); \`bench/results.json\` holds every figure.`;
  return [head, ...doc.runs.map((run) => `\n### ${nodeLine(run)}, commit \`${run.commit}\`\n\n${table(run.scenarios, run.machine, doc.runtime)}`)].join('\n');
}

/** Per scenario: its series, memory as it ran and settled, and the pod memory to set, on the image's Node.js line. */
export function sizingSection(doc: BenchDocument): string {
  const run = imageRun(doc);
  const others = doc.runs.filter((other) => other !== run);
  const header = `| fleet | series | peak MiB as it runs (load / idle) | idle mean MiB | settled MiB (live heap) | request | limit |${others.map((other) => ` peak MiB, ${nodeLine(other)} |`).join('')}`;
  const rule = `|---|---:|---:|---:|---:|---:|---:|${others.map(() => '---:|').join('')}`;
  const rows = each(run).map(([name, r]) => {
    const pod = podMemory(r);
    const elsewhere = others.map((other) => {
      const o = other.scenarios[name];
      return ` ${o ? `${o.rss_load_peak_mb} / ${o.rss_idle_peak_mb}` : '–'} |`;
    }).join('');
    return `| \`${name}\`: ${scenarioNamed(name).description} | ${r.series.toLocaleString('en-US')} | ${r.rss_load_peak_mb} / ${r.rss_idle_peak_mb} | ${r.rss_idle_mean_mb} | ${r.rss_settled_mb} (${r.heap_live_mb}) | ${pod.requestMi}Mi | ${pod.limitMi}Mi |${elsewhere}`;
  });
  return [`On ${nodeLine(run)} with the image's settings:`, '', header, rule, ...rows].join('\n');
}

/** The sharding advice, in the figures of the widest fleet measured. */
export function shardingSection(doc: BenchDocument): string {
  const run = imageRun(doc);
  const [name, widest] = each(run).reduce((a, b) => (b[1].series > a[1].series ? b : a));
  const pod = podMemory(widest);
  return `One instance holds \`${name}\` (${scenarioNamed(name).description}: ${widest.series.toLocaleString('en-US')} series) `
    + `at a peak of ${peak(widest)} MiB as it runs, within a ${pod.limitMi}Mi limit. Shard (\`--shard.count\`, below) `
    + 'when a fleet goes well beyond that: resident memory grows with the series '
    + `([the sizing table](performance.md#sizing)), and so does the time a scrape takes to transfer; or when the cold first collection of `
    + `all targets (\`${name}\`: ${widest.cold_wall_s.toFixed(0)} s at ${scenarioNamed(name).rateLimit} calls per second) must finish faster. `
    + 'Each shard takes its share of the targets, and of the calls.';
}

interface Goal {
  readonly target: string;
  /** Whether a run meets it, and the figures that say so. */
  readonly judge: (run: BenchRun) => { readonly met: boolean; readonly measured: string };
}

/** A goal on one scenario, when the run has it. */
function onScenario(name: string, judge: (r: ScenarioResult) => { met: boolean; measured: string }): Goal['judge'] {
  return (run) => {
    const r = run.scenarios[name];
    return r ? judge(r) : { met: false, measured: `\`${name}\` not measured` };
  };
}

/** A goal every scenario must meet: the figure per scenario. */
function everyScenario(ok: (r: ScenarioResult) => boolean, figure: (r: ScenarioResult) => string): Goal['judge'] {
  return (run) => ({ met: each(run).every(([, r]) => ok(r)), measured: each(run).map(([name, r]) => `\`${name}\` ${figure(r)}`).join(', ') });
}

const GOALS: readonly Goal[] = [
  { target: 'steady-state calls ≤ 1.05 × minimum', judge: everyScenario((r) => r.steady_calls <= r.min_calls * 1.05, (r) => x(r.steady_calls / r.min_calls)) },
  { target: '≥ 10 × fewer calls than the naive poller on `quota`', judge: onScenario('quota', (r) => ({ met: r.naive_calls >= 10 * r.steady_calls, measured: `${(r.naive_calls / r.steady_calls).toFixed(0)} × fewer` })) },
  { target: 'steady wall time ≤ 1.2 × the quota bound (`quota`, `wide`)', judge: (run) => {
    const judged = ['quota', 'wide'].flatMap((name) => { const r = run.scenarios[name]; return r ? [[name, r] as const] : []; });
    return { met: judged.length === 2 && judged.every(([, r]) => r.steady_wall_s <= 1.2 * r.quota_bound_s), measured: judged.map(([name, r]) => `\`${name}\` ${x(r.steady_wall_s / r.quota_bound_s)}`).join(', ') };
  } },
  { target: 'no 429 in steady state', judge: everyScenario((r) => r.steady_throttled === 0, (r) => `${r.steady_throttled}`) },
  { target: '/metrics ≥ 0.8 × a plain node:http server\'s throughput, idle and during collections', judge: everyScenario(
    (r) => r.metrics_rps >= 0.8 * r.static_rps && r.metrics_rps_during_collection >= 0.8 * r.static_rps_during_collection,
    (r) => `${x(r.metrics_rps / r.static_rps)} / ${x(r.metrics_rps_during_collection / r.static_rps_during_collection)}`) },
  { target: '/metrics p99 ≤ 1.5 × the plain server\'s, idle and during collections', judge: everyScenario(
    (r) => r.metrics_p99_ms <= 1.5 * r.static_p99_ms && r.metrics_p99_during_collection_ms <= 1.5 * r.static_p99_during_collection_ms,
    (r) => `${x(r.metrics_p99_ms / r.static_p99_ms)} / ${x(r.metrics_p99_during_collection_ms / r.static_p99_during_collection_ms)}`) },
  { target: '`wide`: peak resident memory as it runs ≤ 256 MiB, load and idle phases', judge: onScenario('wide', (r) => ({ met: peak(r) <= 256, measured: `${r.rss_load_peak_mb} / ${r.rss_idle_peak_mb} MiB` })) },
  { target: '`wide`: settled resident memory ≤ 140 MiB', judge: onScenario('wide', (r) => ({ met: r.rss_settled_mb <= 140, measured: `${r.rss_settled_mb} MiB` })) },
  { target: '`quota`: peak resident memory as it runs ≤ 160 MiB', judge: onScenario('quota', (r) => ({ met: peak(r) <= 160, measured: `${r.rss_load_peak_mb} / ${r.rss_idle_peak_mb} MiB` })) },
  { target: 'live heap growth over 500 churn collections ≤ 1 %', judge: everyScenario((r) => r.heap_growth_pct <= 1, (r) => `${r.heap_growth_pct} %`) },
  { target: 'resident memory growth over 500 churn collections, as it runs, ≤ 5 %', judge: everyScenario((r) => r.rss_growth_pct <= 5, (r) => `${r.rss_growth_pct} %`) },
];

/** Each goal, and whether each run met it, with its figures. */
export function targetsSection(doc: BenchDocument): string {
  const header = `| target |${doc.runs.map((run) => ` ${nodeLine(run)} |`).join('')}`;
  const rule = `|---|${doc.runs.map(() => '---|').join('')}`;
  const judged = GOALS.map((goal) => ({ target: goal.target, verdicts: doc.runs.map((run) => ({ run, ...goal.judge(run) })) }));
  const rows = judged.map(({ target, verdicts }) => `| ${target} |${verdicts.map(({ met, measured }) => ` ${met ? 'yes' : '**no**'}: ${measured} |`).join('')}`);
  const unmet = judged.flatMap(({ target, verdicts }) => verdicts.filter(({ met }) => !met)
    .map(({ run, measured }) => `Not met on ${nodeLine(run)}: ${target} (measured ${measured}).`));
  return [header, rule, ...rows, '', ...(unmet.length > 0 ? unmet : ['Every target is met.'])].join('\n');
}

/** The command that runs the exporter outside the image with the image's runtime settings (Debian's jemalloc path on x86-64). */
export function bareMetalSection(): string {
  const env = imageEnv();
  const preload = env.LD_PRELOAD === undefined ? '' : 'LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ';
  const options = env.NODE_OPTIONS === undefined ? '' : `NODE_OPTIONS="${env.NODE_OPTIONS}" `;
  return ['```sh', `${preload}${options}node dist/main.js --config.file=config.yaml`, '```'].join('\n');
}

/** The soak of the committed results file: where and how it ran, its summary line, and whether it passed. */
export function soakSection(record: SoakRecord): string {
  const { result, asked } = record;
  const growth = rssGrowthPct(result.rss);
  const verdict = passed(result)
    ? `It passed: no mismatch, no restart, and resident memory grew ${growth.toFixed(1)} % after the warm-up (the limit is ${RSS_GROWTH_LIMIT_PCT} %).`
    : `It failed: ${result.mismatches.length} mismatches, ${result.crashes.length} restarts, resident memory ${growth.toFixed(1)} % after the warm-up (the limit is ${RSS_GROWTH_LIMIT_PCT} %).`;
  return [
    `Measured with \`${reproduceCommand(asked.minutes, asked.seed)}\` on Node.js ${record.machine.node}, commit \`${record.commit}\`, `
      + `on ${describeMachine(record.machine)}, under the image's runtime settings (NODE_OPTIONS=\`${record.runtime.node_options || '(none)'}\`, `
      + `allocator ${record.runtime.allocator}); \`${SOAK_RESULTS_FILE}\` holds every figure:`,
    '',
    '```',
    summaryLine(result),
    '```',
    '',
    `${verdict} Peak resident memory as it ran, faults and churn on: ${result.rss.peak.toFixed(0)} MiB.`,
  ].join('\n');
}
