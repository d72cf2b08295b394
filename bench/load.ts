import { fork, type ChildProcess } from 'node:child_process';
import type { LoadResult, LoadRun, SeriesCount } from './loadProcess.js';
import { siblingModule } from './sibling.js';

export type { LoadRun } from './loadProcess.js';

export interface LoadStats {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly requests: number;
  readonly errors: number;
}

/**
 * HTTP load from a process of its own (loadProcess.ts), as a scraper is: the clients neither share the event
 * loop of the exporter they measure nor count against its memory, and their latencies are not the bench's stalls.
 */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private pending: ((answer: LoadResult | SeriesCount) => void) | undefined;

  constructor() {
    const entry = siblingModule(import.meta.url, 'loadProcess');
    const execArgv = process.execArgv.filter((arg) => arg !== '--expose-gc');
    // The advanced serialization carries the latencies as a typed array, not as JSON.
    this.child = fork(entry, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (answer: LoadResult | SeriesCount) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(answer);
    });
  }

  /** Runs a load; one without a duration runs until {@link stop}. */
  run(run: LoadRun): Promise<LoadResult> {
    return this.ask({ type: 'run', run }) as Promise<LoadResult>;
  }

  /** The series of the exposition at `url`, counted in the generator's process. */
  async countSeries(url: string): Promise<number> {
    return ((await this.ask({ type: 'count', url })) as SeriesCount).series;
  }

  private ask(message: object): Promise<LoadResult | SeriesCount> {
    if (this.pending) throw new Error('the load generator is busy');
    const done = new Promise<LoadResult | SeriesCount>((resolve) => { this.pending = resolve; });
    this.child.send(message);
    return done;
  }

  stop(): void {
    this.child.send({ type: 'stop' });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || !this.child.connected) {
        resolve();
        return;
      }
      this.child.once('exit', () => { resolve(); });
      this.child.disconnect();
    });
  }
}

/**
 * Requests per second and latency percentiles of one URL (the first by default) over one or more runs: requests
 * over the URL's share of the runs' time, percentiles over all its requests.
 */
export function summarize(results: readonly LoadResult[], url = 0): LoadStats {
  const loads = results.map((result) => result.urls[url]).filter((load) => load !== undefined);
  const seconds = results.reduce((total, result) => total + result.seconds / result.urls.length, 0);
  const requests = loads.reduce((total, load) => total + load.requests, 0);
  const sorted = new Float64Array(requests);
  let offset = 0;
  for (const load of loads) {
    sorted.set(load.latenciesMs, offset);
    offset += load.latenciesMs.length;
  }
  sorted.sort();
  const at = (q: number): number => sorted[Math.min(requests - 1, Math.max(0, Math.ceil(q * requests) - 1))] ?? Number.NaN;
  return {
    rps: requests / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: at(1),
    requests,
    errors: loads.reduce((total, load) => total + load.errors, 0),
  };
}
