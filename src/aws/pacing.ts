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
    private readonly requestsPerSecond: number,
    concurrency: number,
  ) {
    this.inFlight = pLimit(concurrency);
  }

  /** The gate for calls to one account and region. */
  gate(accountId: string, region: string): CallGate {
    return (operation, call) => {
      const throttled = this.throttle(`${accountId}\u0000${region}\u0000${operation}`);
      // The rate is waited for outside the concurrency cap, so a slow operation never holds a slot idle.
      return throttled(() => this.inFlight(call)) as ReturnType<typeof call>;
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
