import type { Machine } from '../report.js';
import type { Runtime } from '../runtime.js';
import type { ChurnAction } from './churn.js';

/** Resident memory may grow less than this, in per cent, from the end of the warm-up to the end. */
export const RSS_GROWTH_LIMIT_PCT = 5;

/** What a soak did and found. */
export interface SoakResult {
  /** How long it ran, faults and churn on, until its last memory reading: longer than asked when the warm-up needed it. */
  readonly minutes: number;
  readonly collections: number;
  /** Jobs the simulator saw finish that the exporter had to count, over every target watched. */
  readonly jobsFinished: number;
  readonly churn: Readonly<Record<ChurnAction, number>>;
  readonly faultsInjected: number;
  readonly mismatches: readonly string[];
  /** What would have restarted the exporter: uncaught exceptions, unhandled rejections, collections that threw. */
  readonly crashes: readonly string[];
  /**
   * Mean resident memory (MiB) after garbage collection, at the end of the warm-up and at the end; and the peak
   * as it ran, the settled readings' collections included, faults and churn on.
   */
  readonly rss: { readonly warmUp: number; readonly end: number; readonly peak: number };
}

/** What `npm run soak -- --out FILE` writes: one soak's result, and the machine, runtime and commit it ran on. */
export interface SoakRecord {
  readonly commit: string;
  readonly machine: Machine;
  readonly runtime: Pick<Runtime, 'node_options' | 'allocator'>;
  readonly asked: { readonly minutes: number; readonly seed: string };
  readonly result: SoakResult;
}

export function rssGrowthPct(rss: Pick<SoakResult['rss'], 'warmUp' | 'end'>): number {
  return ((rss.end - rss.warmUp) / rss.warmUp) * 100;
}

export function passed(result: SoakResult): boolean {
  return result.mismatches.length === 0 && result.crashes.length === 0 && rssGrowthPct(result.rss) < RSS_GROWTH_LIMIT_PCT;
}

/** The soak's one-line summary. */
export function summaryLine(result: SoakResult): string {
  const { added, removed, reloaded } = result.churn;
  const growth = rssGrowthPct(result.rss);
  return [
    `soak: ${result.minutes.toFixed(1)} min`,
    `${result.collections} collections`,
    `${result.jobsFinished} jobs finished`,
    `${added + removed + reloaded} churn steps (${added} added, ${removed} removed, ${reloaded} reloads)`,
    `${result.faultsInjected} faults injected`,
    `${result.mismatches.length} mismatches`,
    `${result.crashes.length} restarts`,
    `peak rss ${result.rss.peak.toFixed(0)} MiB`,
    `rss ${result.rss.warmUp.toFixed(1)} -> ${result.rss.end.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %) after warm-up: ${passed(result) ? 'PASS' : 'FAIL'}`,
  ].join(', ');
}

/** The command that runs a soak of these options again. */
export function reproduceCommand(minutes: number, seed: string): string {
  return `npm run soak -- --minutes ${minutes} --seed ${seed}`;
}
