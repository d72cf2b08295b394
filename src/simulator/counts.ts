/** The account and region a call was metered in. */
export interface QuotaScope {
  readonly accountId: string;
  readonly region: string;
}

export interface QuotaCalls extends QuotaScope {
  readonly operation: string;
  readonly calls: number;
}

/** Calls the simulator received, by operation, by target and by result code, for tests and benchmarks. */
export class CallCounts {
  private readonly byOperation = new Map<string, number>();
  private readonly byTarget = new Map<string, number>();
  private readonly byCode = new Map<string, number>();
  private readonly byQuota = new Map<string, number>();

  /** `scope` is the (account, region) whose quota the call drew on. */
  record(operation: string, target: string | undefined, code: string, scope?: QuotaScope): void {
    bump(this.byOperation, operation);
    if (target !== undefined) bump(this.byTarget, `${operation}\u0000${target}`);
    bump(this.byCode, `${operation}\u0000${code}`);
    if (scope) bump(this.byQuota, `${scope.accountId}\u0000${scope.region}\u0000${operation}`);
  }

  /** Calls of one operation, or of every operation. */
  calls(operation?: string): number {
    if (operation !== undefined) return this.byOperation.get(operation) ?? 0;
    let total = 0;
    for (const count of this.byOperation.values()) total += count;
    return total;
  }

  /** Calls of one operation on one domain or workflow. */
  callsFor(operation: string, target: string): number {
    return this.byTarget.get(`${operation}\u0000${target}`) ?? 0;
  }

  /** Answers with a result code (OK, ThrottlingException, …), for one operation or all of them. */
  answered(code: string, operation?: string): number {
    let total = 0;
    for (const [key, count] of this.byCode) {
      const [op, answer] = key.split('\u0000');
      if (answer === code && (operation === undefined || op === operation)) total += count;
    }
    return total;
  }

  /** Calls per operation. */
  perOperation(): Record<string, number> {
    return Object.fromEntries(this.byOperation);
  }

  /** Calls per (account, region, operation): what AWS meters each TPS quota by. */
  perQuota(): QuotaCalls[] {
    return [...this.byQuota].map(([key, calls]) => {
      const [accountId = '', region = '', operation = ''] = key.split('\u0000');
      return { accountId, region, operation, calls };
    });
  }

  reset(): void {
    this.byQuota.clear();
    this.byOperation.clear();
    this.byTarget.clear();
    this.byCode.clear();
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
