import { GCProfiler, getHeapStatistics, setFlagsFromString, type GCProfilerResult, type HeapInfo } from 'node:v8';

export interface Allocation<T> {
  readonly result: T;
  /** Bytes allocated on the V8 heap while the work ran: what it left behind plus what the collector freed meanwhile. */
  readonly heapBytes: number;
  /** The same for memory outside the heap that JavaScript objects hold (Buffers, zlib's state). */
  readonly externalBytes: number;
}

/**
 * Bytes the work allocated, garbage included. V8 keeps no running total of allocation, only what is in use now,
 * so the total is reckoned as what is in use at the end minus at the start, plus what every collection during the
 * work freed (in use before it minus after it). Other work on the event loop meanwhile counts too: measure alone.
 *
 * V8 frees dead Buffers' memory on a background thread after a collection, where no collection's before and after
 * sees it go (a test of 2,000 Buffers of 64 KiB counted 20 to 30 % of them), so while measuring they are freed
 * within the collection instead. Memory freed outside any collection (a zlib stream's state once it ends) is not
 * counted: a few hundred kilobytes per stream.
 */
export async function measureAllocation<T>(work: () => Promise<T>): Promise<Allocation<T>> {
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  const profiler = new GCProfiler();
  profiler.start();
  const start = getHeapStatistics();
  let result: T;
  let end: HeapInfo;
  let collections: GCProfilerResult['statistics'];
  try {
    result = await work();
    end = getHeapStatistics();
  } finally {
    collections = profiler.stop().statistics;
    setFlagsFromString('--concurrent-array-buffer-sweeping');
  }
  let heapFreed = 0;
  let externalFreed = 0;
  for (const { beforeGC, afterGC } of collections) {
    heapFreed += beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize;
    externalFreed += beforeGC.heapStatistics.externalMemory - afterGC.heapStatistics.externalMemory;
  }
  return {
    result,
    heapBytes: end.used_heap_size - start.used_heap_size + heapFreed,
    externalBytes: end.external_memory - start.external_memory + externalFreed,
  };
}
