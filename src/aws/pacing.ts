import pLimit, { type LimitFunction } from 'p-limit';
import pThrottle from 'p-throttle';
import type { CallGate } from './sources.js';

/**
 * Paces AWS calls the way AWS meters them: a steady rate per (account, region, operation), so the exporter
 * never spends more than its share of the account's quota, and a cap on calls in flight across all targets.
 */
export class CallPacer {
  private readonly inFlight: LimitFunction;
  private readonly throttles = new Map<string, (call: () => Promise<unknown>) => Promise<unknown>>();

  constructor(
    private requestsPerSecond: number,
    concurrency: number,
  ) {
    this.inFlight = pLimit(concurrency);
  }

  /** A reloaded configuration's rate and cap; calls already queued keep the spacing they were queued with. */
  reconfigure(requestsPerSecond: number, concurrency: number): void {
    this.inFlight.concurrency = concurrency;
    if (requestsPerSecond !== this.requestsPerSecond) {
      this.requestsPerSecond = requestsPerSecond;
      this.throttles.clear();
    }
  }

  /** The gate for calls to one account and region. */
  gate(accountId: string, region: string): CallGate {
    return (operation, call, signal) => {
      const throttled = this.throttle(`${accountId}\u0000${region}\u0000${operation}`);
      // A call cancelled while it waited for its turn never reaches AWS.
      const start = (): ReturnType<typeof call> => {
        signal?.throwIfAborted();
        return call();
      };
      // The rate is waited for outside the concurrency cap, so a slow operation never holds a slot idle.
      const paced = throttled(() => this.inFlight(start)) as ReturnType<typeof call>;
      return signal === undefined ? paced : untilAborted(paced, signal);
    };
  }

  private throttle(key: string): (call: () => Promise<unknown>) => Promise<unknown> {
    let throttled = this.throttles.get(key);
    if (!throttled) {
      // Evenly spaced calls (one per 1/rate s) stay under AWS's token bucket whatever its burst allowance.
      const spaced = pThrottle({ limit: 1, interval: 1000 / this.requestsPerSecond, strict: true });
      throttled = spaced((call: () => Promise<unknown>) => call());
      this.throttles.set(key, throttled);
    }
    return throttled;
  }
}

/** `work`, or its signal's reason as soon as the signal aborts, whichever comes first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => { reject(signal.reason as Error); };
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => { signal.removeEventListener('abort', abort); });
  });
}
