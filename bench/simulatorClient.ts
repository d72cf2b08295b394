import { fork, type ChildProcess } from 'node:child_process';
import type { TargetConfig } from '../src/config/types.js';
import type { FaultRule, QuotaCalls } from '../src/simulator/index.js';
import type { SimulatorProcessOptions, SimulatorRequest, WindowFacts } from './simulatorProcess.js';
import { siblingModule } from './sibling.js';

type Call = SimulatorRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** The bench's handle on the simulator process. */
export class RemoteSimulator {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly accountId: string,
  ) {
    child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
  }

  static async start(options: SimulatorProcessOptions): Promise<RemoteSimulator> {
    const entry = siblingModule(import.meta.url, 'simulatorProcess');
    // The parent's exec arguments carry tsx's loader; --expose-gc is the bench's own and stays here.
    const execArgv = process.execArgv.filter((arg) => arg !== '--expose-gc');
    const child = fork(entry, [JSON.stringify(options)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const ready = await new Promise<{ ready: string; accountId: string }>((resolve, reject) => {
      child.once('message', (message: { ready: string; accountId: string }) => { resolve(message); });
      child.once('exit', (code) => { reject(new Error(`simulator process exited with ${String(code)}`)); });
    });
    child.removeAllListeners('exit');
    return new RemoteSimulator(child, ready.ready, ready.accountId);
  }

  setClock(ms: number): Promise<void> {
    return this.call<null>({ method: 'setClock', ms }).then(() => undefined);
  }

  resetCounts(): Promise<void> {
    return this.call<null>({ method: 'resetCounts' }).then(() => undefined);
  }

  /** Calls per (account, region, operation) since the last reset. */
  perQuota(): Promise<QuotaCalls[]> {
    return this.call({ method: 'perQuota' });
  }

  /** Answers with this code (e.g. ThrottlingException) since the last reset. */
  answered(code: string): Promise<number> {
    return this.call({ method: 'answered', code });
  }

  /** Every operation's TPS quota; undefined lifts it. */
  setQuota(rate: number | undefined): Promise<void> {
    return this.call<null>({ method: 'setQuota', rate: rate ?? null }).then(() => undefined);
  }

  windows(targets: readonly TargetConfig[], size: number, cutoff: number): Promise<WindowFacts[]> {
    return this.call({ method: 'windows', targets, size, cutoff });
  }

  /** Adds a fault rule; the number returned removes it again. */
  addFault(rule: FaultRule): Promise<number> {
    return this.call({ method: 'addFault', rule });
  }

  removeFault(fault: number): Promise<void> {
    return this.call<null>({ method: 'removeFault', fault }).then(() => undefined);
  }

  /** Requests the fault rules have faulted so far. */
  faultsInjected(): Promise<number> {
    return this.call({ method: 'faultsInjected' });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) {
        resolve();
        return;
      }
      this.child.once('exit', () => { resolve(); });
      this.child.disconnect();
    });
  }

  private call<T>(request: Call): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }
}
