import { SeededRandom } from './random.js';

/** What an injected fault does to a request. */
export type FaultEffect =
  /** Answer with an AWS error (the service's own encoding): e.g. 403 AccessDeniedException, 500 InternalServerException. */
  | { readonly type: 'error'; readonly status: number; readonly code: string; readonly message?: string }
  /** Answer 429 ThrottlingException, as an exhausted quota does. */
  | { readonly type: 'throttle' }
  /** Destroy the connection without an answer. */
  | { readonly type: 'reset' }
  /** Never answer (until the client gives up or the simulator closes). */
  | { readonly type: 'hang' }
  /** Answer normally, this much later. */
  | { readonly type: 'delay'; readonly ms: number }
  /** Answer with this body verbatim (malformed JSON, wrong types, missing members). */
  | { readonly type: 'body'; readonly body: string; readonly status?: number }
  /** List calls: hand back a nextToken on every page, the same one each time (an endless list). */
  | { readonly type: 'repeat-token' };

/** Which requests a fault applies to; every field left out matches everything. */
export interface FaultRule {
  /** AWS operation name(s), e.g. ListMatchingJobs. */
  readonly operation?: string | readonly string[];
  /** Domain or workflow name (for AssumeRole: the role ARN). */
  readonly target?: string;
  readonly accountId?: string;
  readonly region?: string;
  /** Share of matching requests that get the fault; default 1. */
  readonly probability?: number;
  /** Applies to this many requests, then retires. */
  readonly times?: number;
  readonly effect: FaultEffect;
}

/** A request as the fault rules see it. */
export interface FaultSubject {
  readonly operation: string;
  readonly target: string | undefined;
  readonly accountId: string;
  readonly region: string;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Fault injection and AWS's per-(account, region, operation) TPS quotas. Probabilities draw from a seeded
 * source, so a test that injects 50 % errors sees the same requests fail every run.
 */
export class Faults {
  private rules: ActiveRule[] = [];
  private quotas = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly rng: SeededRandom;
  private injectedCount = 0;

  constructor(seed: string, private readonly clockMs: () => number = () => performance.now()) {
    this.rng = new SeededRandom(`${seed}\u0000faults`);
  }

  /** Adds a rule; the function returned removes it again. */
  add(rule: FaultRule): () => void {
    const active: ActiveRule = { rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.rules.push(active);
    return () => { this.rules = this.rules.filter((candidate) => candidate !== active); };
  }

  /** Removes every rule and every quota. */
  clear(): void {
    this.rules = [];
    this.quotas = new Map();
    this.buckets.clear();
  }

  /**
   * Sets an operation's quota in requests per second per account and region ('*' for every operation);
   * undefined removes it. The bucket holds one second's worth, as AWS's token buckets allow a short burst.
   */
  setQuota(operation: string, requestsPerSecond: number | undefined): void {
    if (requestsPerSecond === undefined) this.quotas.delete(operation);
    else this.quotas.set(operation, requestsPerSecond);
    this.buckets.clear();
  }

  /** Requests the rules have faulted so far (a quota's 429s are not faults). */
  get injected(): number {
    return this.injectedCount;
  }

  /** The fault this request gets, if any: rules first (in the order added), then the quota. */
  decide(subject: FaultSubject): FaultEffect | undefined {
    for (const active of this.rules) {
      if (active.remaining <= 0 || !matches(active.rule, subject)) continue;
      if (active.rule.probability !== undefined && !this.rng.chance(active.rule.probability)) continue;
      active.remaining--;
      this.injectedCount++;
      return active.rule.effect;
    }
    return this.takeQuotaToken(subject) ? undefined : { type: 'throttle' };
  }

  private takeQuotaToken(subject: FaultSubject): boolean {
    const rate = this.quotas.get(subject.operation) ?? this.quotas.get('*');
    if (rate === undefined) return true;
    const key = `${subject.accountId}\u0000${subject.region}\u0000${subject.operation}`;
    const now = this.clockMs();
    const capacity = Math.max(1, rate);
    const bucket = this.buckets.get(key) ?? { tokens: capacity, refilledAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 1000) * rate);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

function matches(rule: FaultRule, subject: FaultSubject): boolean {
  const operations = typeof rule.operation === 'string' ? [rule.operation] : rule.operation;
  return (operations === undefined || operations.includes(subject.operation))
    && (rule.target === undefined || rule.target === subject.target)
    && (rule.accountId === undefined || rule.accountId === subject.accountId)
    && (rule.region === undefined || rule.region === subject.region);
}
