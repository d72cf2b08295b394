import { CUSTOMER_PROFILES_PAGE_SIZE, ENTITY_RESOLUTION_PAGE_SIZE } from '../src/aws/sources.js';
import { SEED_SUCCESSES } from '../src/collect/runSummary.js';
import type { QuotaCalls } from '../src/simulator/index.js';
import type { WindowFacts } from './simulatorProcess.js';
import type { World } from './world.js';
import type { TargetKind } from '../src/model/kinds.js';

/** The operations a target's collection calls, and the largest page its List allows. */
export const OPERATIONS: Readonly<Record<TargetKind, { list: string; get: string; pageSize: number }>> = {
  identity_resolution: { list: 'ListIdentityResolutionJobs', get: 'GetIdentityResolutionJob', pageSize: CUSTOMER_PROFILES_PAGE_SIZE },
  matching: { list: 'ListMatchingJobs', get: 'GetMatchingJob', pageSize: ENTITY_RESOLUTION_PAGE_SIZE },
  id_mapping: { list: 'ListIdMappingJobs', get: 'GetIdMappingJob', pageSize: ENTITY_RESOLUTION_PAGE_SIZE },
};

/** Per target (kind/region/name): the jobs of its window at one round, id → finished. */
export type WindowTruth = Map<string, Map<string, boolean>>;

export interface Minimum {
  readonly calls: readonly QuotaCalls[];
  readonly total: number;
  /** The windows of this round, to tell the next round which jobs are new or unfinished. */
  readonly truth: WindowTruth;
}

/**
 * The fewest calls any poller could make for the collection just run, from the simulator's truth at the current
 * simulated time: per target, the List pages that cover its window, one Get per window job that is new or was
 * unfinished at the previous round (none for one seen finished), at the first round the Gets that seed its volume
 * medians (see {@link seedingGets}), plus the refresh calls if it was a refresh round.
 *
 * Pages: a window of w jobs (w ≤ max(max_jobs_per_target, 1)) starts the newest-first list. When w is the
 * window's full size, or the whole list, w jobs are enough; otherwise the window ended at the lookback cutoff,
 * and no poller can know that without seeing the next (older) job, so it needs w + 1 jobs: one page more when w
 * falls exactly on a page boundary. Always at least one page (an empty list still costs a call).
 */
export async function minimumCalls(world: World, previous: WindowTruth | undefined): Promise<Minimum> {
  const { simulator, config } = world;
  const { accountId } = simulator;
  const perKey = new Map<string, QuotaCalls>();
  const add = (region: string, operation: string, calls: number): void => {
    const key = `${accountId}\u0000${region}\u0000${operation}`;
    perKey.set(key, { accountId, region, operation, calls: (perKey.get(key)?.calls ?? 0) + calls });
  };
  const truth: WindowTruth = new Map();
  const size = Math.max(config.maxJobsPerTarget, 1);
  const facts = await simulator.windows(config.targets, size, world.now() - config.lookbackSeconds);
  for (const [i, target] of config.targets.entries()) {
    const targetFacts = facts[i]!;
    const { listed, window } = targetFacts;
    const region = target.region ?? '';
    const { list, get, pageSize } = OPERATIONS[target.kind];
    const needed = window.length === size || window.length === listed ? window.length : window.length + 1;
    const pages = Math.max(1, Math.ceil(needed / pageSize));
    add(region, list, pages);

    const key = `${target.kind}/${region}/${target.name}`;
    const before = previous?.get(key);
    for (const job of window) if (before?.get(job.id) !== true) add(region, get, 1);
    if (previous === undefined) add(region, get, seedingGets(target.kind, targetFacts, Math.min(listed, pages * pageSize)));
    truth.set(key, new Map(window.map((job) => [job.id, job.finished])));
  }
  for (const call of refreshCalls(world)) add(call.region, call.operation, call.calls);
  const calls = [...perKey.values()];
  return { calls, total: totalCalls(calls), truth };
}

/**
 * A target's first collection reads the newest SEED_SUCCESSES successes on the pages it listed (`read` jobs),
 * so that its volume medians exist at once: a Get for each the window does not read (the window starts the
 * list). None for a domain: Customer Profiles lists each job's counts.
 */
function seedingGets(kind: TargetKind, { window, successes }: WindowFacts, read: number): number {
  if (kind === 'identity_resolution') return 0;
  return successes.filter((position) => position < read).slice(0, SEED_SUCCESSES).filter((position) => position >= window.length).length;
}

/**
 * Calls that are not per job but per refresh: they count in the minimum of the round they happen in.
 * - The account lookup: one STS GetCallerIdentity, at the first collection.
 * - Every `refresh_every_collections` collections, the first one included: one GetDomain per watched domain
 *   and one GetMatchingWorkflow or GetIdMappingWorkflow per watched workflow.
 * Discovery (ListDomains, List*Workflows) would add its pages here; the bench configures none.
 */
function refreshCalls(world: World): QuotaCalls[] {
  const { config, simulator } = world;
  const { accountId } = simulator;
  const round = world.collections();
  const calls: QuotaCalls[] = [];
  if (round === 1) calls.push({ accountId, region: config.targets[0]?.region ?? '', operation: 'GetCallerIdentity', calls: 1 });
  if ((round - 1) % config.refreshEveryCollections !== 0) return calls;
  const regions = new Set(config.targets.map((target) => target.region ?? ''));
  for (const region of regions) {
    const count = (kind: TargetKind): number => config.targets.filter((target) => target.kind === kind && (target.region ?? '') === region).length;
    calls.push(
      { accountId, region, operation: 'GetDomain', calls: count('identity_resolution') },
      { accountId, region, operation: 'GetMatchingWorkflow', calls: count('matching') },
      { accountId, region, operation: 'GetIdMappingWorkflow', calls: count('id_mapping') },
    );
  }
  return calls.filter((call) => call.calls > 0);
}

/** Fastest a set of calls can go at `rate` per (account, region, operation): the busiest quota, plus one round trip. */
export function quotaBoundSeconds(calls: readonly QuotaCalls[], rate: number, latencyMs: number): number {
  const busiest = Math.max(0, ...calls.map((call) => call.calls));
  return busiest / rate + latencyMs / 1000;
}

export function totalCalls(calls: readonly QuotaCalls[]): number {
  return calls.reduce((sum, call) => sum + call.calls, 0);
}
