import type { FaultEffect, FaultRule } from '../../src/simulator/index.js';
import type { SeededRandom } from '../../src/simulator/random.js';
import type { RemoteSimulator } from '../simulatorClient.js';

const THROTTLE: FaultEffect = { type: 'throttle' };
const INTERNAL_ERROR: FaultEffect = { type: 'error', status: 500, code: 'InternalServerException' };
const UNAVAILABLE: FaultEffect = { type: 'error', status: 503, code: 'ServiceUnavailable' };
const RESET: FaultEffect = { type: 'reset' };
const HANG: FaultEffect = { type: 'hang' };

/**
 * Faults on any call, now and then (about one collection in five meets one): the SDK's retries absorb nearly
 * all of them. Each costs the SDK's back-off (up to a second after a 429) or a request timeout of wall time.
 */
const BACKGROUND: readonly FaultRule[] = [
  { probability: 0.003, effect: THROTTLE },
  { probability: 0.0015, effect: INTERNAL_ERROR },
  { probability: 0.0015, effect: UNAVAILABLE },
  { probability: 0.0015, effect: RESET },
  { probability: 0.0005, effect: HANG },
];

/** What an episode does to every call of its target, for a few collections: the target goes down. */
const EPISODE_EFFECTS: readonly FaultEffect[] = [THROTTLE, INTERNAL_ERROR, UNAVAILABLE, RESET, HANG];
/** Chance that an episode starts before a collection. */
const EPISODE_CHANCE = 0.03;
const EPISODE_COLLECTIONS = [1, 4] as const;

interface Episode {
  readonly fault: number;
  readonly endsAfter: number;
}

/**
 * The soak's faults in the simulator, drawn from the soak's seeded source: background faults on every call
 * throughout, and episodes in which every call of one target fails the same way for a few collections.
 */
export class FaultPlan {
  private background: number[] = [];
  private episodes: Episode[] = [];

  constructor(
    private readonly simulator: RemoteSimulator,
    private readonly rng: SeededRandom,
  ) {}

  async start(): Promise<void> {
    this.background = await Promise.all(BACKGROUND.map((rule) => this.simulator.addFault(rule)));
  }

  /** Before collection `collection`: ends the episodes that are over, and may start one on one of `targets`. */
  async beforeCollection(collection: number, targets: readonly string[]): Promise<void> {
    const over = this.episodes.filter((episode) => episode.endsAfter < collection);
    this.episodes = this.episodes.filter((episode) => !over.includes(episode));
    await Promise.all(over.map((episode) => this.simulator.removeFault(episode.fault)));
    if (targets.length === 0 || !this.rng.chance(EPISODE_CHANCE)) return;
    const rule: FaultRule = { target: this.rng.pick(targets), effect: this.rng.pick(EPISODE_EFFECTS) };
    const fault = await this.simulator.addFault(rule);
    this.episodes.push({ fault, endsAfter: collection + this.rng.int(...EPISODE_COLLECTIONS) - 1 });
  }

  /** Removes every fault: what follows runs clean. */
  async stop(): Promise<void> {
    await Promise.all([...this.background, ...this.episodes.map((episode) => episode.fault)].map((fault) => this.simulator.removeFault(fault)));
    this.background = [];
    this.episodes = [];
  }

  /** Requests faulted so far. */
  injected(): Promise<number> {
    return this.simulator.faultsInjected();
  }
}
