import { MAXIMUM_RETRY_DELAY, THROTTLING_RETRY_DELAY_BASE } from '@smithy/util-retry';

/** Attempts per AWS call, the first included: a throttled or dropped call is retried by the SDK twice. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The longest one AWS call can take with its retries: every attempt runs to the request timeout, and before each
 * retry the SDK waits up to its back-off for a throttled call (its base doubled per attempt made, capped), the
 * longest it waits for any error.
 */
export function longestCallSeconds(requestTimeoutSeconds: number, maxAttempts = DEFAULT_MAX_ATTEMPTS): number {
  let backoffMs = 0;
  for (let attemptsMade = 1; attemptsMade < maxAttempts; attemptsMade++) {
    backoffMs += Math.min(THROTTLING_RETRY_DELAY_BASE * 2 ** attemptsMade, MAXIMUM_RETRY_DELAY);
  }
  return maxAttempts * requestTimeoutSeconds + backoffMs / 1000;
}
