import { awsErrorName, describeError } from '../aws/errors.js';
import type { Logger } from '../log.js';
import type { TargetIdentity } from '../model/target.js';

/** How often a failure that goes on unchanged is logged again as a warning. */
export const REMINDER_INTERVAL_MS = 3_600_000;

/** What a failing read is logged as: `failed` at each failure, `recovered` at the first success after them. */
export interface FailureMessages {
  readonly failed: string;
  readonly recovered: string;
  /** Of the `failed` lines that are news; `warn` unless the failure loses data (`error`). */
  readonly level?: 'warn' | 'error';
  /** The field that carries the error's code: `aws_error` for AWS calls, `code` for anything else. */
  readonly codeField?: string;
}

/** Fields that name what failed (target, region…), so its lines can be found. */
export type LogContext = Readonly<Record<string, unknown>>;

/** The fields that name a target in its log lines. */
export function targetContext({ kind, target, accountId, region }: TargetIdentity): LogContext {
  return { kind, target, aws_account_id: accountId, aws_region: region };
}

interface Outage {
  readonly sinceMs: number;
  /** The error as last warned about: a failure with another one is news. */
  error: string;
  warnedMs: number;
  failures: number;
  failuresSinceWarning: number;
}

/**
 * Logs a read (a target, a discovery, a target's facts) or a write (the state file) that fails collection after
 * collection so that a warning means news: it went down or its error changed. While it stays down, the failures are logged at
 * debug, with a warning again every hour as a reminder; its first success after them is logged at info.
 * Keyed by what fails; an error is the same while its name and message (`err`) are.
 */
export class FailureLog {
  private readonly down = new Map<string, Outage>();

  /** `now` is the wall clock: an hour between reminders is an hour of the reader's, whatever AWS's clock says. */
  constructor(
    private readonly logger: Logger,
    private readonly messages: FailureMessages,
    private readonly now: () => number = Date.now,
  ) {}

  failed(key: string, context: LogContext, err: unknown): void {
    const nowMs = this.now();
    const error = describeError(err);
    const fields = { ...context, [this.messages.codeField ?? 'aws_error']: awsErrorName(err), err: error };
    const news = this.messages.level ?? 'warn';
    const outage = this.down.get(key);
    if (outage === undefined) {
      this.down.set(key, { sinceMs: nowMs, error, warnedMs: nowMs, failures: 1, failuresSinceWarning: 0 });
      this.logger[news](fields, this.messages.failed);
      return;
    }
    outage.failures++;
    outage.failuresSinceWarning++;
    if (error === outage.error && nowMs - outage.warnedMs < REMINDER_INTERVAL_MS) {
      this.logger.debug(fields, this.messages.failed);
      return;
    }
    this.logger[news]({ ...fields, down_for_seconds: secondsBetween(outage.sinceMs, nowMs), failures_since_last_warning: outage.failuresSinceWarning }, this.messages.failed);
    outage.error = error;
    outage.warnedMs = nowMs;
    outage.failuresSinceWarning = 0;
  }

  succeeded(key: string, context: LogContext): void {
    const outage = this.down.get(key);
    if (outage === undefined) return;
    this.down.delete(key);
    this.logger.info({ ...context, down_for_seconds: secondsBetween(outage.sinceMs, this.now()), failures: outage.failures }, this.messages.recovered);
  }

  /** Forgets what is no longer read (a target removed, a discovery gone), so that nothing piles up. */
  forgetAllBut(keys: Iterable<string>): void {
    const kept = new Set(keys);
    for (const key of this.down.keys()) if (!kept.has(key)) this.down.delete(key);
  }
}

function secondsBetween(fromMs: number, toMs: number): number {
  return Math.round((toMs - fromMs) / 1000);
}
