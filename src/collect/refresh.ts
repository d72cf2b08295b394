import type { DomainDetail, WorkflowSummary } from '../aws/catalogSources.js';
import { errorReport, type ErrorReport } from '../aws/errors.js';
import type { CallPacer } from '../aws/pacing.js';
import type { AccountLookup, CatalogSource, SourceFactory } from '../aws/sourceFactory.js';
import type { DiscoveryConfig, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { FailureLog, targetContext } from './failureLog.js';
import type { TargetFacts } from './snapshot.js';
import { identityKey, roleKey, targetRef, type RoleRef, type TargetIdentity } from '../model/target.js';
import type { TargetKind } from '../model/kinds.js';

export interface RefreshDependencies {
  readonly sources: SourceFactory;
  readonly accounts: AccountLookup;
  readonly pacer: CallPacer;
  readonly logger: Logger;
}

/** A watched target whose facts to read: where it lives and under which role. */
export interface WatchedTarget {
  readonly identity: TargetIdentity;
  readonly role: RoleRef | undefined;
}

/** The catalogue calls of one refresh, each made at most once however many discoveries and targets need it. */
class RoundCache {
  private readonly domains = new Map<string, Promise<DomainDetail>>();
  private readonly workflows = new Map<string, Promise<WorkflowSummary[]>>();

  constructor(private readonly deps: RefreshDependencies, private readonly signal: AbortSignal | undefined) {}

  domain(region: string | undefined, role: RoleRef | undefined, name: string): Promise<DomainDetail> {
    return this.once(this.domains, `${scope(region, role)}\u0000${name}`, async () => (await this.catalog(region, role)).domain(name, this.signal));
  }

  workflowList(region: string | undefined, role: RoleRef | undefined): Promise<WorkflowSummary[]> {
    return this.once(this.workflows, scope(region, role), async () => (await this.catalog(region, role)).workflows(['matching', 'id_mapping'], this.signal));
  }

  async domainNames(region: string | undefined, role: RoleRef | undefined): Promise<string[]> {
    return (await this.catalog(region, role)).domainNames(this.signal);
  }

  /** The catalogue of a credential set and region, paced as the account and region it turns out to be. */
  private async catalog(region: string | undefined, role: RoleRef | undefined): Promise<CatalogSource> {
    const resolvedRegion = region ?? (await this.deps.sources.defaultRegion());
    const accountId = await this.deps.accounts.accountId(resolvedRegion, role);
    return this.deps.sources.catalog(region, role, this.deps.pacer.gate(accountId, resolvedRegion));
  }

  private once<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
    let promise = cache.get(key);
    if (!promise) {
      promise = load();
      cache.set(key, promise);
    }
    return promise;
  }
}

function scope(region: string | undefined, role: RoleRef | undefined): string {
  return `${region ?? ''}\u0000${roleKey(role)}`;
}

/** Does `name` pass a discovery's include and exclude patterns? */
function wanted(name: string, spec: DiscoveryConfig): boolean {
  return (spec.include === undefined || new RegExp(spec.include).test(name)) && (spec.exclude === undefined || !new RegExp(spec.exclude).test(name));
}

/**
 * Reads what changes slowly, every few collections: which domains and workflows exist (discovery), each
 * watched domain's settings and size (GetDomain) and each watched workflow's summary (List*Workflows).
 * A failed read keeps what was known: discovery never drops a target because one List call failed.
 */
export class Refresher {
  private readonly discovered = new Map<string, TargetConfig[]>();
  private facts = new Map<string, TargetFacts>();
  /** Each watched target's last refresh: undefined when its facts were read, else why they were not. */
  private factsRead = new Map<string, ErrorReport | undefined>();
  private readonly discoveryFailures: FailureLog;
  private readonly factsFailures: FailureLog;

  constructor(private readonly deps: RefreshDependencies) {
    this.discoveryFailures = new FailureLog(deps.logger, { failed: 'discovery failed: keeping the targets found last time', recovered: 'discovery recovered' });
    this.factsFailures = new FailureLog(deps.logger, { failed: 'could not refresh the target\'s facts: keeping the last ones', recovered: 'target\'s facts refreshed again' });
  }

  /** A round's cache of catalogue calls; discovery and facts of the same round share it. */
  round(signal?: AbortSignal): RoundCache {
    return new RoundCache(this.deps, signal);
  }

  /**
   * The targets the discoveries find, or, for a discovery and region that could not be read, the ones found
   * last time: those are also `stale`, with why, so each can be reported as failing to refresh.
   */
  async discover(specs: readonly DiscoveryConfig[], round: RoundCache): Promise<{ targets: TargetConfig[]; stale: { target: TargetConfig; error: ErrorReport }[]; ok: boolean }> {
    let ok = true;
    const stale: { target: TargetConfig; error: ErrorReport }[] = [];
    const keys: string[] = [];
    const found = await Promise.all(specs.flatMap((spec, index) => spec.regions.map(async (region) => {
      const key = `${index}\u0000${region ?? ''}`;
      keys.push(key);
      const context = { kinds: spec.kinds.join(','), aws_region: region };
      try {
        const targets = await this.discoverIn(spec, region, round);
        this.discovered.set(key, targets);
        this.discoveryFailures.succeeded(key, context);
        return targets;
      } catch (err) {
        ok = false;
        this.discoveryFailures.failed(key, context, err);
        const kept = this.discovered.get(key) ?? [];
        const error = errorReport(err);
        stale.push(...kept.map((target) => ({ target, error })));
        return kept;
      }
    })));
    this.discoveryFailures.forgetAllBut(keys);
    return { targets: found.flat(), stale, ok };
  }

  /** Reads the facts of every watched target; a target whose read fails keeps its last facts. */
  async refreshFacts(watched: readonly WatchedTarget[], round: RoundCache, now: number): Promise<boolean> {
    let ok = true;
    const next = new Map<string, TargetFacts>();
    const read = new Map<string, ErrorReport | undefined>();
    await Promise.all(watched.map(async ({ identity, role }) => {
      const key = identityKey(identity);
      read.set(key, undefined);
      try {
        if (identity.kind === 'identity_resolution') {
          next.set(key, { domain: await round.domain(identity.region, role, identity.target), readAt: now });
        } else {
          const workflow = (await round.workflowList(identity.region, role)).find((w) => w.kind === identity.kind && w.name === identity.target);
          next.set(key, { workflow, readAt: now });
        }
        this.factsFailures.succeeded(key, targetContext(identity));
      } catch (err) {
        ok = false;
        read.set(key, errorReport(err));
        const previous = this.facts.get(key);
        if (previous) next.set(key, previous);
        this.factsFailures.failed(key, targetContext(identity), err);
      }
    }));
    // Targets no longer watched are forgotten.
    this.facts = next;
    this.factsRead = read;
    this.factsFailures.forgetAllBut(read.keys());
    return ok;
  }

  factsOf(identity: TargetIdentity): TargetFacts | undefined {
    return this.facts.get(identityKey(identity));
  }

  /** Whether the target's facts were read at its last refresh; undefined before its first. */
  factsReadOk(identity: TargetIdentity): boolean | undefined {
    const key = identityKey(identity);
    return this.factsRead.has(key) ? this.factsRead.get(key) === undefined : undefined;
  }

  /** Why the target's facts could not be read at its last refresh, if they could not. */
  factsError(identity: TargetIdentity): ErrorReport | undefined {
    return this.factsRead.get(identityKey(identity));
  }

  private async discoverIn(spec: DiscoveryConfig, region: string | undefined, round: RoundCache): Promise<TargetConfig[]> {
    const targets: TargetConfig[] = [];
    const target = (kind: TargetKind, name: string): TargetConfig => ({ ...targetRef(kind, name, region, spec.role), ...(spec.expect ? { expect: spec.expect } : {}) });
    if (spec.kinds.includes('identity_resolution')) {
      const names = (await round.domainNames(region, spec.role)).filter((name) => wanted(name, spec));
      // ListDomains does not say whether identity resolution is on: GetDomain does (and feeds the domain's facts too).
      const enabled = await Promise.all(names.map(async (name) => spec.allDomains || (await round.domain(region, spec.role, name)).Matching?.Enabled === true));
      targets.push(...names.filter((_name, i) => enabled[i]).map((name) => target('identity_resolution', name)));
    }
    const workflowKinds = spec.kinds.filter((kind) => kind !== 'identity_resolution');
    if (workflowKinds.length > 0) {
      const workflows = await round.workflowList(region, spec.role);
      targets.push(...workflows.filter((w) => workflowKinds.includes(w.kind) && wanted(w.name, spec)).map((w) => target(w.kind, w.name)));
    }
    return targets;
  }
}
