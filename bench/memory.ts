import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let collectGarbage: Gc | undefined;

/**
 * The collection V8 runs under memory pressure (`flavor: 'last-resort'`, as for LowMemoryNotification): besides
 * freeing everything unreachable it shrinks the young generation and hands pooled pages back. A plain full
 * collection leaves the young generation at whatever size V8's policy chose; on Node 24 that swings by about
 * 100 MiB of resident memory holding nothing, which the soak's first readings took for growth. Node 20 ignores
 * the option. `global.gc` when node runs with --expose-gc, else switched on at run time.
 */
export function fullGc(): void {
  if (!collectGarbage) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collectGarbage = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collectGarbage = runInNewContext('gc') as Gc;
    }
  }
  collectGarbage({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

export interface MemoryReading {
  /** Resident set size, MiB. */
  readonly rss: number;
  /** V8 heap in use, MiB. */
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Buffers and other memory outside the V8 heap that JavaScript objects hold, MiB. */
  readonly external: number;
}

/**
 * Memory after full garbage collections, once V8 has handed the freed pages back: it unmaps them on background
 * threads after a collection, so resident memory read right after one still counts them.
 */
export async function settledMemory(): Promise<MemoryReading> {
  for (let i = 0; i < 2; i++) {
    fullGc();
    await sleep(200);
  }
  const usage = process.memoryUsage();
  return { rss: mb(usage.rss), heapUsed: mb(usage.heapUsed), heapTotal: mb(usage.heapTotal), external: mb(usage.external) };
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

const mb = (bytes: number): number => bytes / 2 ** 20;

/** Resident memory over a phase, MiB: what a pod's memory limit is held against. */
export interface RunningMemory {
  readonly peak: number;
  readonly mean: number;
}

/** Samples per second of {@link RssWatch}: reading RSS costs a read of /proc/self/statm and allocates nothing worth counting. */
const RSS_SAMPLES_PER_SECOND = 10;

/**
 * Resident memory of this process over a phase as it runs, no collection forced: the mean of samples, and the
 * peak the kernel saw (VmHWM, reset at the start through /proc/self/clear_refs, so that a spike between two
 * samples counts too; the samples' maximum where the kernel does not offer it).
 */
export class RssWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly kernelPeak: boolean;
  private samples = 0;
  private sum = 0;
  private max = 0;

  constructor() {
    this.kernelPeak = resetPeak();
    this.sample();
    this.timer = setInterval(() => { this.sample(); }, 1000 / RSS_SAMPLES_PER_SECOND);
  }

  stop(): RunningMemory {
    clearInterval(this.timer);
    this.sample();
    const peak = this.kernelPeak ? Math.max(this.max, peakSinceReset()) : this.max;
    return { peak: mb(peak), mean: mb(this.sum / this.samples) };
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    this.samples++;
    this.sum += rss;
    this.max = Math.max(this.max, rss);
  }
}

/** Resets the kernel's peak resident size of this process to its current size; false where Linux's procfs is not there. */
function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function peakSinceReset(): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kib === undefined ? 0 : Number(kib) * 1024;
}
