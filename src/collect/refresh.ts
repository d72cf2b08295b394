import type { DomainDetail, DomainListing, WorkflowDetail, WorkflowKind, WorkflowSummary } from '../aws/catalogSources.js';
import { errorReport, type ErrorReport } from '../aws/errors.js';
import type { CallPacer } from '../aws/pacing.js';
import type { AccountLookup, CatalogSource, SourceFactory } from '../aws/sourceFactory.js';
import type { DiscoveryConfig, RequiredTags, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { FailureLog, targetContext } from './failureLog.js';
import { nextRuleBasedMatching } from './ruleBasedMatching.js';
import type { TargetFacts } from './snapshot.js';
import { identityKey, roleKey, targetRef, type RoleRef, type TargetIdentity } from '../model/target.js';
import type { TargetKind } from '../model/kinds.js';
import type { ResourceTags } from '../model/tags.js';

export interface RefreshDependencies {
  readonly sources: SourceFactory;
  readonly accounts: AccountLookup;
  readonly pacer: CallPacer;
  readonly logger: Logger;
}

/** A watched target whose facts to read: where it lives, under which role, and the name its calls take (an ARN, for some). */
export interface WatchedTarget {
  readonly identity: TargetIdentity;
  readonly role: RoleRef | undefined;
  readonly name: string;
}

/** A resource a discovery found and did not keep, and why. */
export interface LeftOut {
  readonly target: TargetConfig;
  readonly why: string;
}

/** The catalogue calls of one refresh, each made at most once however many discoveries and targets need it. */
class RoundCache {
  private readonly domainLists = new Map<string, Promise<DomainListing[]>>();
  private readonly domains = new Map<string, Promise<DomainDetail>>();
  private readonly workflowLists = new Map<string, Promise<WorkflowSummary[]>>();
  private readonly workflows = new Map<string, Promise<WorkflowDetail>>();

  constructor(private readonly deps: RefreshDependencies, private readonly signal: AbortSignal | undefined) {}

  domain(region: string | undefined, role: RoleRef | undefined, name: string): Promise<DomainDetail> {
    return this.once(this.domains, region, role, name, (catalog) => catalog.domain(name, this.signal));
  }

  workflowList(region: string | undefined, role: RoleRef | undefined): Promise<WorkflowSummary[]> {
    return this.once(this.workflowLists, region, role, '', (catalog) => catalog.workflows(['matching', 'id_mapping'], this.signal));
  }

  workflow(region: string | undefined, role: RoleRef | undefined, kind: WorkflowKind, name: string): Promise<WorkflowDetail> {
    return this.once(this.workflows, region, role, `${kind}\u0000${name}`, (catalog) => catalog.workflow(kind, name, this.signal));
  }

  domainList(region: string | undefined, role: RoleRef | undefined): Promise<DomainListing[]> {
    return this.once(this.domainLists, region, role, '', (catalog) => catalog.domains(this.signal));
  }

  /**
   * Makes `call` once per credential set, region and `what`. The region is keyed as resolved: a discovery in the
   * SDK's default region and a target whose region resolved to it share the call.
   */
  private async once<T>(cache: Map<string, Promise<T>>, region: string | undefined, role: RoleRef | undefined, what: string, call: (catalog: CatalogSource) => Promise<T>): Promise<T> {
    const resolvedRegion = region ?? (await this.deps.sources.defaultRegion());
    const key = `${scope(resolvedRegion, role)}\u0000${what}`;
    let promise = cache.get(key);
    if (!promise) {
      promise = this.catalog(region, resolvedRegion, role).then(call);
      cache.set(key, promise);
    }
    return promise;
  }

  /** The catalogue of a credential set and region, paced as the account and region it turns out to be. */
  private async catalog(region: string | undefined, resolvedRegion: string, role: RoleRef | undefined): Promise<CatalogSource> {
    const accountId = await this.deps.accounts.accountId(resolvedRegion, role);
    return this.deps.sources.catalog(region, role, this.deps.pacer.gate(accountId, resolvedRegion));
  }
}

function scope(region: string, role: RoleRef | undefined): string {
  return `${region}\u0000${roleKey(role)}`;
}

/** Why `name` fails a discovery's include or exclude pattern, or undefined when it passes both. */
function patternProblem(name: string, spec: DiscoveryConfig): string | undefined {
  if (spec.include !== undefined && !new RegExp(spec.include).test(name)) return `name does not match include ${JSON.stringify(spec.include)}`;
  if (spec.exclude !== undefined && new RegExp(spec.exclude).test(name)) return `name matches exclude ${JSON.stringify(spec.exclude)}`;
  return undefined;
}

/** Why `tags` fail a discovery's `require_tags`, or undefined when they hold every one. */
function tagProblem(tags: ResourceTags, required: RequiredTags): string | undefined {
  for (const [key, value] of required) {
    const actual = tags?.[key];
    if (actual === undefined) return `tag ${key} is missing`;
    if (value !== null && actual !== value) return `tag ${key} is ${JSON.stringify(actual)}, not ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** What one discovery found in one region: the targets it keeps, and the resources it left out with why. */
interface Found {
  readonly targets: TargetConfig[];
  readonly leftOut: LeftOut[];
}

/**
 * Reads what changes slowly, every few collections: which domains and workflows exist (discovery), each
 * watched domain's settings and size (GetDomain) and each watched workflow's settings (Get*Workflow).
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
  async discover(specs: readonly DiscoveryConfig[], round: RoundCache): Promise<{ targets: TargetConfig[]; leftOut: LeftOut[]; stale: { target: TargetConfig; error: ErrorReport }[]; ok: boolean }> {
    let ok = true;
    const stale: { target: TargetConfig; error: ErrorReport }[] = [];
    const keys: string[] = [];
    const found = await Promise.all(specs.flatMap((spec, index) => spec.regions.map(async (region): Promise<Found> => {
      const key = `${index}\u0000${region ?? ''}`;
      keys.push(key);
      const context = { kinds: spec.kinds.join(','), aws_region: region };
      try {
        const found = await this.discoverIn(spec, region, round);
        this.discovered.set(key, found.targets);
        this.discoveryFailures.succeeded(key, context);
        return found;
      } catch (err) {
        ok = false;
        this.discoveryFailures.failed(key, context, err);
        const kept = this.discovered.get(key) ?? [];
        const error = errorReport(err);
        stale.push(...kept.map((target) => ({ target, error })));
        return { targets: kept, leftOut: [] };
      }
    })));
    this.discoveryFailures.forgetAllBut(keys);
    return { targets: found.flatMap((each) => each.targets), leftOut: found.flatMap((each) => each.leftOut), stale, ok };
  }

  /** Reads the facts of every watched target; a target whose read fails keeps its last facts. */
  async refreshFacts(watched: readonly WatchedTarget[], round: RoundCache, now: number): Promise<boolean> {
    let ok = true;
    const next = new Map<string, TargetFacts>();
    const read = new Map<string, ErrorReport | undefined>();
    await Promise.all(watched.map(async ({ identity, role, name }) => {
      const key = identityKey(identity);
      read.set(key, undefined);
      try {
        if (identity.kind === 'identity_resolution') {
          const domain = await round.domain(identity.region, role, identity.target);
          next.set(key, { domain, ruleBasedMatching: nextRuleBasedMatching(this.facts.get(key)?.ruleBasedMatching, domain, now), readAt: now });
        } else {
          next.set(key, { workflow: await round.workflow(identity.region, role, identity.kind, name), readAt: now });
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

  private async discoverIn(spec: DiscoveryConfig, region: string | undefined, round: RoundCache): Promise<Found> {
    const target = (kind: TargetKind, name: string): TargetConfig => ({
      ...targetRef(kind, name, region, spec.role),
      ...(spec.expect ? { expect: spec.expect } : {}),
      ...(spec.tagLabels.length > 0 ? { tagLabels: spec.tagLabels } : {}),
    });
    const judged: { target: TargetConfig; why: string | undefined }[] = [];
    if (spec.kinds.includes('identity_resolution')) {
      const domains = await round.domainList(region, spec.role);
      judged.push(...await Promise.all(domains.map(async ({ name, tags }) => ({
        target: target('identity_resolution', name),
        why: patternProblem(name, spec) ?? tagProblem(tags, spec.requireTags) ?? (spec.allDomains ? undefined : await this.matchingProblem(round, region, spec.role, name)),
      }))));
    }
    const workflowKinds = spec.kinds.filter((kind) => kind !== 'identity_resolution');
    if (workflowKinds.length > 0) {
      const workflows = (await round.workflowList(region, spec.role)).filter((w) => workflowKinds.includes(w.kind));
      // List*Workflows carries no tags: only a name that passes the patterns costs a Get call, and the facts' refresh shares it.
      judged.push(...await Promise.all(workflows.map(async ({ kind, name }) => ({
        target: target(kind, name),
        why: patternProblem(name, spec) ?? (spec.requireTags.size === 0 ? undefined : tagProblem((await round.workflow(region, spec.role, kind, name)).tags, spec.requireTags)),
      }))));
    }
    return {
      targets: judged.flatMap(({ target, why }) => (why === undefined ? [target] : [])),
      leftOut: judged.flatMap(({ target, why }) => (why === undefined ? [] : [{ target, why }])),
    };
  }

  /** ListDomains does not say whether identity resolution is on: GetDomain does (and feeds the domain's facts too). */
  private async matchingProblem(round: RoundCache, region: string | undefined, role: RoleRef | undefined, name: string): Promise<string | undefined> {
    const domain = await round.domain(region, role, name);
    return domain.Matching?.Enabled === true ? undefined : 'identity resolution (Matching) is off; all_domains: true watches it anyway';
  }
}
