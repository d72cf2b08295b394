/** Calls the simulator received, by operation, by target and by result code, for tests and benchmarks. */
export class CallCounts {
  private readonly byOperation = new Map<string, number>();
  private readonly byTarget = new Map<string, number>();
  private readonly byCode = new Map<string, number>();

  record(operation: string, target: string | undefined, code: string): void {
    bump(this.byOperation, operation);
    if (target !== undefined) bump(this.byTarget, `${operation}\u0000${target}`);
    bump(this.byCode, `${operation}\u0000${code}`);
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

  reset(): void {
    this.byOperation.clear();
    this.byTarget.clear();
    this.byCode.clear();
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
