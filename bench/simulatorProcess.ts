import type { TargetConfig } from '../src/config/types.js';
import { startSimulator, type FaultRule, type FleetSpec } from '../src/simulator/index.js';
import { JOB_STATUSES } from '../src/model/kinds.js';
import { TERMINAL_STATUSES, type WireObject } from '../src/simulator/lifecycle.js';

/** How the bench starts the simulator process (argv[2], as JSON). */
export interface SimulatorProcessOptions {
  readonly fleet: FleetSpec;
  readonly latencyMs: number;
  /** Per-operation TPS quota; null: none. */
  readonly quota: number | null;
  /** The simulated clock at start, epoch milliseconds. */
  readonly clockMs: number;
  /** The fleet's job history and the fault rules' draws follow from it; default 'bench'. */
  readonly seed?: string;
}

/** One job of a target's window as the simulator knows it. */
export interface WindowJob {
  readonly id: string;
  /** Epoch seconds. */
  readonly start: number;
  /** Epoch seconds, once finished. */
  readonly end?: number;
  readonly status: string;
  readonly finished: boolean;
}

/** A target's list at a time: how many jobs it lists, the window's jobs (newest first), and where its successes are. */
export interface WindowFacts {
  readonly listed: number;
  readonly window: readonly WindowJob[];
  /** Positions on the list (0: the first listed) of the jobs that succeeded, in list order. */
  readonly successes: readonly number[];
}

export type SimulatorRequest =
  | { readonly id: number; readonly method: 'setClock'; readonly ms: number }
  | { readonly id: number; readonly method: 'resetCounts' }
  | { readonly id: number; readonly method: 'perQuota' }
  | { readonly id: number; readonly method: 'answered'; readonly code: string }
  | { readonly id: number; readonly method: 'setQuota'; readonly rate: number | null }
  | { readonly id: number; readonly method: 'windows'; readonly targets: readonly TargetConfig[]; readonly size: number; readonly cutoff: number }
  | { readonly id: number; readonly method: 'addFault'; readonly rule: FaultRule }
  | { readonly id: number; readonly method: 'removeFault'; readonly fault: number }
  | { readonly id: number; readonly method: 'faultsInjected' };

/**
 * The simulator in a process of its own, as AWS is not in the exporter's: the exporter's resident memory and
 * event loop are then its own. The bench drives it over the IPC channel: its clock, its counters, its quotas,
 * its faults, and the truth about each target's window, from which the minimum number of calls is computed
 * and the soak's exporter is checked.
 */
async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions;
  let clockMs = options.clockMs;
  const simulator = await startSimulator({
    seed: options.seed ?? 'bench',
    fleet: options.fleet,
    latencyMs: options.latencyMs,
    now: () => clockMs,
    ...(options.quota === null ? {} : { quotas: { '*': options.quota } }),
  });
  const accountId = simulator.fleet.accounts[0] ?? '';
  const faultRemovers = new Map<number, () => void>();
  let nextFault = 0;
  const answer = (request: SimulatorRequest): unknown => {
    switch (request.method) {
      case 'setClock':
        clockMs = request.ms;
        return null;
      case 'resetCounts':
        simulator.counts.reset();
        return null;
      case 'perQuota':
        return simulator.counts.perQuota();
      case 'answered':
        return simulator.counts.answered(request.code);
      case 'setQuota':
        simulator.faults.setQuota('*', request.rate ?? undefined);
        return null;
      case 'windows':
        return request.targets.map((target): WindowFacts => {
          const sim = simulator.fleet.get({ accountId, region: target.region ?? '', kind: target.kind, name: target.name });
          if (!sim) throw new Error(`simulator has no ${target.kind} ${target.name} in ${target.region ?? '?'}`);
          const listed = sim.jobs(simulator.now());
          const window = listed.filter((job) => job.start >= request.cutoff).slice(0, request.size).map((job): WindowJob => {
            const detail = job.detail();
            const status = statusOf(detail);
            const end = detail.JobEndTime ?? detail.endTime;
            return { id: job.id, start: job.start, ...(typeof end === 'number' ? { end } : {}), status, finished: TERMINAL_STATUSES[target.kind].includes(status) };
          });
          const successes = listed.flatMap((job, position) => (JOB_STATUSES[target.kind].success.has(statusOf(job.detail())) ? [position] : []));
          return { listed: listed.length, window, successes };
        });
      case 'addFault':
        faultRemovers.set(nextFault, simulator.faults.add(request.rule));
        return nextFault++;
      case 'removeFault':
        faultRemovers.get(request.fault)?.();
        faultRemovers.delete(request.fault);
        return null;
      case 'faultsInjected':
        return simulator.faults.injected;
    }
  };
  process.on('message', (request: SimulatorRequest) => {
    try {
      process.send?.({ id: request.id, result: answer(request) });
    } catch (err) {
      process.send?.({ id: request.id, error: String(err) });
    }
  });
  process.on('disconnect', () => {
    void simulator.close().then(() => process.exit(0));
  });
  process.send?.({ ready: simulator.url, accountId });
}

/** A job's status, under Customer Profiles' member name or Entity Resolution's. */
function statusOf(detail: WireObject): string {
  return String(detail.Status ?? detail.status);
}

void main();
