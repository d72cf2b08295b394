import type { WindowJob } from '../simulatorProcess.js';

/** One watch of a target: from when it was (last) added to the configuration. */
interface Watch {
  /** Simulated time of the exporter's first successful read: jobs finished by then are history, not news. */
  firstRead: number | undefined;
  /** Jobs counted, by id, with their start: each is counted once, whatever the window does later. */
  readonly counted: Map<string, number>;
  /** Jobs counted, by final status. */
  readonly byStatus: Map<string, number>;
}

/**
 * The finished-job counts the exporter must show, from the simulator's truth: for each watched target, the
 * jobs that finished after the exporter's first successful read of it (since it was last added) and that
 * the simulator showed finished inside the configured window at a successful read, each once. A job that
 * finishes and leaves the window while every read of its target fails was never seen finished, so no
 * exporter could count it; a target removed and added again starts afresh, as its series do.
 */
export class FinishLedger {
  private readonly watches = new Map<string, Watch>();
  private total = 0;

  /** `horizonSeconds`: the longest lookback any configuration of the run may have; older jobs never return to a window. */
  constructor(private readonly horizonSeconds: number) {}

  /** A target the exporter watches from now on (again: what a previous watch counted is gone with its series). */
  watch(key: string): void {
    this.watches.set(key, { firstRead: undefined, counted: new Map(), byStatus: new Map() });
  }

  unwatch(key: string): void {
    this.watches.delete(key);
  }

  /** A collection at simulated time `now` read the target successfully; `window` is its window as the simulator showed it then. */
  read(key: string, window: readonly WindowJob[], now: number): void {
    const watch = this.watches.get(key);
    if (!watch) throw new Error(`read of a target not watched: ${key}`);
    const firstRead = (watch.firstRead ??= now);
    for (const job of window) {
      if (!job.finished || job.end === undefined || job.end <= firstRead || watch.counted.has(job.id)) continue;
      watch.counted.set(job.id, job.start);
      watch.byStatus.set(job.status, (watch.byStatus.get(job.status) ?? 0) + 1);
      this.total++;
    }
    // Forgotten once no window can hold them again: the soak's own memory stays flat.
    for (const [id, start] of watch.counted) if (start < now - this.horizonSeconds) watch.counted.delete(id);
  }

  /** Finished jobs the exporter must have counted for the target, by final status. */
  expected(key: string): ReadonlyMap<string, number> {
    return this.watches.get(key)?.byStatus ?? new Map();
  }

  /** Jobs counted over the whole run, targets since removed included. */
  get finished(): number {
    return this.total;
  }
}
