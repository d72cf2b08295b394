import type { SeededRandom } from '../../src/simulator/random.js';
import type { WatchedTargets } from '../world.js';
import type { TargetKind } from '../../src/model/kinds.js';

/** A domain or workflow of the simulated fleet. */
export interface PoolTarget {
  readonly kind: TargetKind;
  readonly name: string;
}

export type ChurnAction = 'added' | 'removed' | 'reloaded';

const LOOKBACK_HOURS = [4, 8, 12] as const;
/** The longest lookback a reload may set: no job older than that comes back into a window. */
export const LONGEST_LOOKBACK_SECONDS = Math.max(...LOOKBACK_HOURS) * 3600;

/** One change of the configuration: which targets it watches and with which settings. */
export interface ChurnStep {
  readonly action: ChurnAction;
  readonly watched: WatchedTargets;
  /** Config-file settings; a reload draws new ones, so the exporter applies a changed configuration. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** The watched targets and their settings at one moment. */
export interface ChurnState {
  readonly watched: readonly PoolTarget[];
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * Which of a pool of targets the exporter watches, and how, changed one step at a time: a target added, one
 * removed (never below `minimum`), or the same targets reloaded with other settings, the window's among
 * them (lookback, max_jobs_per_target, within the simulator's 20 listable jobs).
 */
export class TargetChurn {
  private watchedNow: PoolTarget[];
  private settingsNow: Readonly<Record<string, unknown>> = {};
  readonly counts: Record<ChurnAction, number> = { added: 0, removed: 0, reloaded: 0 };

  constructor(
    private readonly pool: readonly PoolTarget[],
    initially: number,
    private readonly minimum: number,
    private readonly rng: SeededRandom,
  ) {
    this.watchedNow = pool.slice(0, initially);
  }

  get watched(): WatchedTargets {
    const names = (kind: TargetKind): string[] => this.watchedNow.filter((target) => target.kind === kind).map((target) => target.name);
    return { domains: names('identity_resolution'), matchingWorkflows: names('matching'), idMappingWorkflows: names('id_mapping') };
  }

  /** Pool targets not watched now. */
  get unwatched(): PoolTarget[] {
    return this.pool.filter((target) => !this.watchedNow.includes(target));
  }

  /** What is watched now, and how: to come back to with {@link returnTo}. */
  get state(): ChurnState {
    return { watched: this.watchedNow, settings: this.settingsNow };
  }

  /** The step back to an earlier state: the same targets with the same settings (not counted as churn). */
  returnTo(state: ChurnState): ChurnStep {
    this.watchedNow = [...state.watched];
    this.settingsNow = state.settings;
    return { action: 'reloaded', watched: this.watched, settings: this.settingsNow };
  }

  next(): ChurnStep {
    const possible: ChurnAction[] = ['reloaded'];
    if (this.unwatched.length > 0) possible.push('added');
    if (this.watchedNow.length > this.minimum) possible.push('removed');
    const action = this.rng.pick(possible);
    if (action === 'added') {
      this.watchedNow = [...this.watchedNow, this.rng.pick(this.unwatched)];
    } else if (action === 'removed') {
      const removed = this.rng.pick(this.watchedNow);
      this.watchedNow = this.watchedNow.filter((candidate) => candidate !== removed);
    } else {
      this.settingsNow = {
        concurrency: this.rng.int(2, 16),
        rate_limit: this.rng.pick([500, 1000, 100_000]),
        max_jobs_per_target: this.rng.int(4, 15),
        refresh_every_collections: this.rng.int(1, 20),
        lookback: `${this.rng.pick(LOOKBACK_HOURS)}h`,
      };
    }
    this.counts[action]++;
    return { action, watched: this.watched, settings: this.settingsNow };
  }
}
