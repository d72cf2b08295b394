import { parseArgs } from 'node:util';
import { SnapshotMetrics } from '../src/metrics/snapshotMetrics.js';
import type { CollectionSnapshot } from '../src/collect/snapshot.js';
import { measureAllocation } from './allocation.js';
import { syntheticSnapshot, wideTargetCount, WIDE } from './syntheticFleet.js';

/**
 * `npx tsx bench/render.ts [--series N] [--renders N]`: what rendering one collection costs, the exposition of the
 * wide fleet by default (or about N series of fleets shaped like it): bytes allocated per render on the V8 heap
 * and outside it (Buffers, zlib), per series and against the exposition's size, and the render's wall time.
 * Rendering is what every collection does once, whatever the scrapes, so its garbage is the exporter's per
 * collection. The first renders warm the code up and are not counted.
 */

const WARM_UP_RENDERS = 2;
const DEFAULT_RENDERS = 5;

interface RenderCost {
  readonly heapBytes: number;
  readonly externalBytes: number;
  readonly milliseconds: number;
}

async function renderOnce(metrics: SnapshotMetrics, snapshot: CollectionSnapshot): Promise<RenderCost> {
  const started = performance.now();
  const { heapBytes, externalBytes, result: milliseconds } = await measureAllocation(async () => {
    metrics.publish(snapshot);
    await metrics.rendered();
    return performance.now() - started;
  });
  return { heapBytes, externalBytes, milliseconds };
}

/** Sample lines of a text exposition: every line but comments and the blank lines between families. */
function seriesIn(text: string): number {
  let series = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) series++;
  return series;
}

/** The snapshot to render: the wide fleet, or as many targets shaped like its as make about `series` series. */
async function snapshotOf(series: number | undefined): Promise<CollectionSnapshot> {
  const wide = syntheticSnapshot(wideTargetCount());
  if (series === undefined) return wide;
  const metrics = new SnapshotMetrics();
  metrics.publish(wide);
  const seriesPerTarget = seriesIn(await metrics.text()) / wide.targets.length;
  return syntheticSnapshot(Math.max(1, Math.round(series / seriesPerTarget)));
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');
const range = (values: readonly number[], format: (value: number) => string): string => `${format(Math.min(...values))} to ${format(Math.max(...values))}`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { series: { type: 'string' }, renders: { type: 'string' } } });
  const renders = Number(values.renders ?? DEFAULT_RENDERS);
  const snapshot = await snapshotOf(values.series === undefined ? undefined : Number(values.series));
  const metrics = new SnapshotMetrics();
  for (let i = 0; i < WARM_UP_RENDERS; i++) await renderOnce(metrics, snapshot);
  const costs: RenderCost[] = [];
  for (let i = 0; i < renders; i++) costs.push(await renderOnce(metrics, snapshot));

  const series = seriesIn(await metrics.text());
  const expositionBytes = metrics.part().text.length;
  const heap = mean(costs.map((cost) => cost.heapBytes));
  const external = mean(costs.map((cost) => cost.externalBytes));
  const milliseconds = costs.map((cost) => cost.milliseconds);
  const rows: [string, string][] = [
    ['fleet', `${thousands(snapshot.targets.length)} targets shaped like the ${WIDE.name} scenario's, ${WIDE.maxJobsPerTarget} jobs each`],
    ['series rendered', thousands(series)],
    ['exposition (text format)', `${thousands(expositionBytes)} bytes (${mib(expositionBytes)})`],
    ['renders measured', `${renders}, after ${WARM_UP_RENDERS} not measured`],
    ['heap allocated per render', `${mib(heap)} (${range(costs.map((cost) => cost.heapBytes), mib)})`],
    ['external allocated per render', `${mib(external)} (${range(costs.map((cost) => cost.externalBytes), mib)})`],
    ['allocated per series', `${thousands(heap / series)} B heap + ${thousands(external / series)} B external = ${thousands((heap + external) / series)} B`],
    ['allocated / exposition bytes', `${((heap + external) / expositionBytes).toFixed(2)}×`],
    ['render wall time', `${median(milliseconds).toFixed(0)} ms median (${range(milliseconds, (ms) => `${ms.toFixed(0)} ms`)})`],
    ['node', process.version],
    ['reproduce', ['npx tsx bench/render.ts', ...process.argv.slice(2)].join(' ')],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}\n`).join(''));
}

await main();
