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
  const mb = (bytes: number): number => bytes / 2 ** 20;
  return { rss: mb(usage.rss), heapUsed: mb(usage.heapUsed), heapTotal: mb(usage.heapTotal), external: mb(usage.external) };
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
