import {
  identityResolutionDetail,
  idMappingDetail,
  jobIdFor,
  jobIndexOf,
  matchingDetail,
  planJob,
  type JobPlan,
  type JobPlanSettings,
  type SimKind,
  type WireObject,
} from './lifecycle.js';
import { identityKey } from '../model/target.js';
import { SeededRandom } from './random.js';
import {
  domainFacts,
  earliestConfigured,
  idMappingWorkflowFacts,
  matchingWorkflowFacts,
  type DomainFacts,
  type DomainSpec,
  type IdMappingWorkflowSpec,
  type MatchingWorkflowSpec,
  type ResolutionType,
  type SimTags,
  type TargetSpec,
  type WorkflowFacts,
} from './resources.js';

/** Where a simulated domain or workflow lives. */
export interface TargetRef {
  readonly accountId: string;
  readonly region: string;
  readonly kind: SimKind;
  readonly name: string;
}

/** The order List*Jobs pages come in; AWS documents newest first, and the exporter must cope with either. */
export type ListOrder = 'newest-first' | 'oldest-first';

/** What a fleet is made of; every target exists in every account and region listed, each by its name or its spec. */
export interface FleetSpec {
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  readonly domains?: readonly (string | DomainSpec)[];
  readonly matchingWorkflows?: readonly (string | MatchingWorkflowSpec)[];
  readonly idMappingWorkflows?: readonly (string | IdMappingWorkflowSpec)[];
  /** Jobs each target has already run when the simulator starts. */
  readonly historyJobsPerTarget?: number;
  /** Share of targets whose newest job is still running when the simulator starts. */
  readonly runningFraction?: number;
  /** Simulated seconds between job starts; default weekly for identity resolution, daily for Entity Resolution. */
  readonly jobIntervalSeconds?: number;
  /** Workflows (or domains) every job of which fails. */
  readonly failingWorkflows?: readonly string[];
  /** Domains whose ML identity resolution is off (GetDomain Matching.Enabled false). */
  readonly matchingDisabledDomains?: readonly string[];
  readonly listOrder?: ListOrder;
  /** Jobs start and finish this many times sooner than their simulated intervals and durations say (the demo's fast-forward). */
  readonly timeScale?: number;
}

/** A target's spec with its kind. */
export type KindSpec =
  | { readonly kind: 'identity_resolution'; readonly spec: DomainSpec }
  | { readonly kind: 'matching'; readonly spec: MatchingWorkflowSpec }
  | { readonly kind: 'id_mapping'; readonly spec: IdMappingWorkflowSpec };

/** The names of a fleet spec's targets of one kind. */
export function specNames(entries: readonly (string | TargetSpec)[] = []): string[] {
  return entries.map((entry) => (typeof entry === 'string' ? entry : entry.name));
}

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
const WEEK = 7 * 86_400;
const DAY = 86_400;

/** One job as the List and Get calls show it at a given time. */
export interface JobView {
  readonly id: string;
  /** Epoch seconds; +Infinity when the job has no start time (sorts as the newest). */
  readonly start: number;
  detail(): WireObject;
}

/** What a simulated target is made from. */
export interface SimTargetOptions {
  readonly ref: TargetRef;
  /** Its spec: tags and settings. */
  readonly setup: KindSpec;
  readonly seed: string;
  readonly settings: JobPlanSettings;
  /** Jobs it has already run. */
  readonly history: number;
  /** Jobs kept listable: older ones expire, as AWS expires old jobs. */
  readonly retention: number;
  /** Whether its newest job is still running. */
  readonly running: boolean;
  readonly now: number;
  readonly listOrder: ListOrder;
  /** Times it was created before: a workflow deleted and created again gets new job ids. */
  readonly incarnation: number;
}

/**
 * A simulated domain or workflow: generated jobs that start every interval and move through their lifecycle
 * as simulated time passes, plus jobs a test put there verbatim, less jobs a test deleted.
 */
export class SimTarget {
  readonly key: string;
  /** What job ids derive from: the key, plus the incarnation once the target was deleted and created again. */
  private readonly idKey: string;
  readonly createdAt: number;
  updatedAt: number;
  listOrder: ListOrder;
  /** Its AWS tags, as ListDomains, GetDomain and Get*Workflow answer them. */
  tags: SimTags | undefined;
  readonly domain: DomainFacts | undefined;
  readonly workflow: WorkflowFacts | undefined;
  /** Seeds the incidental details of its GetDomain or Get*Workflow answer. */
  readonly detailSeed: string;
  private readonly explicit = new Map<string, WireObject>();
  private readonly deleted = new Set<string>();
  private readonly plans = new Map<number, JobPlan>();
  /** Start of the newest history job (index history - 1). */
  private readonly anchor: number;

  readonly ref: TargetRef;
  private readonly seed: string;
  private readonly settings: JobPlanSettings;
  private readonly history: number;
  private readonly retention: number;

  constructor({ ref, setup, seed, settings, history, retention, running, now, listOrder, incarnation }: SimTargetOptions) {
    this.ref = ref;
    this.seed = seed;
    this.settings = settings;
    this.history = history;
    this.retention = retention;
    this.key = targetKey(ref);
    // A workflow deleted and created again is a new resource: AWS gives its jobs new ids.
    this.idKey = incarnation === 0 ? this.key : `${this.key}\u0000${incarnation}`;
    this.listOrder = listOrder;
    const rng = new SeededRandom(`${seed}\u0000${this.key}\u0000target`);
    const duration = Math.min(settings.durationSeconds, settings.intervalSeconds * 0.9);
    // Running: the newest job started part-way through its run; otherwise it finished a while ago.
    const offset = running ? duration * rng.between(0.15, 0.5) : duration * 1.5 + rng.between(0, Math.max(0, settings.intervalSeconds - duration * 1.5));
    this.anchor = Math.floor(now - offset);
    const firstJobCreated = Math.floor(this.anchor - Math.max(history, 1) * settings.intervalSeconds - DAY);
    // A domain predates its configuration: one configured days ago is at least a day older than that.
    this.createdAt = setup.kind === 'identity_resolution' ? Math.min(firstJobCreated, earliestConfigured(setup.spec, now) - DAY) : firstJobCreated;
    this.updatedAt = this.createdAt + Math.floor(rng.between(0, DAY));
    const drawnResolutionType = rng.pick(['RULE_MATCHING', 'ML_MATCHING', 'ML_MATCHING', 'PROVIDER'] as const);
    this.tags = setup.spec.tags;
    this.detailSeed = `${seed}\u0000${this.key}\u0000details`;
    this.domain = setup.kind === 'identity_resolution' ? domainFacts(rng, setup.spec, this.updatedAt, now) : undefined;
    if (setup.kind === 'matching') this.workflow = matchingWorkflowFacts(setup.spec, drawnResolutionType);
    else if (setup.kind === 'id_mapping') this.workflow = idMappingWorkflowFacts(setup.spec, new SeededRandom(`${this.detailSeed}\u0000technique`));
  }

  /** A matching workflow's resolution type (what ListMatchingWorkflows shows). */
  get resolutionType(): ResolutionType | undefined {
    return this.workflow?.kind === 'matching' ? this.workflow.resolutionType : undefined;
  }

  /** Jobs listable at `now`, in the target's list order. */
  jobs(now: number): JobView[] {
    const views: JobView[] = [];
    const last = this.lastIndexAt(now);
    for (let index = Math.max(0, last - this.retention + 1); index <= last; index++) {
      const plan = this.plan(index);
      if (!this.deleted.has(plan.id)) views.push(this.generatedView(plan, now));
    }
    for (const [id, detail] of this.explicit) views.push({ id, start: explicitStart(detail), detail: () => detail });
    views.sort((a, b) => (this.listOrder === 'newest-first' ? b.start - a.start : a.start - b.start));
    return views;
  }

  /** One job by id, as GetXxxJob shows it at `now`, or undefined when there is no such job. */
  job(id: string, now: number): WireObject | undefined {
    const explicit = this.explicit.get(id);
    if (explicit) return explicit;
    const index = jobIndexOf(this.idKey, id);
    if (index === undefined || this.deleted.has(id)) return undefined;
    const last = this.lastIndexAt(now);
    if (index > last || index <= last - this.retention) return undefined;
    return this.generatedView(this.plan(index), now).detail();
  }

  /** Puts a job exactly as given (the Get answer's members); its list summary is derived from it. */
  putJob(detail: WireObject): string {
    const id = String(detail.JobId ?? detail.jobId);
    this.explicit.set(id, detail);
    this.deleted.delete(id);
    return id;
  }

  /** Deletes a job (generated or put), as if AWS had expired or removed it. */
  deleteJob(id: string): void {
    this.explicit.delete(id);
    this.deleted.add(id);
  }

  /** Removes every generated job, so only jobs put by a test remain. */
  clearGenerated(now: number): void {
    for (const view of this.jobs(now)) if (!this.explicit.has(view.id)) this.deleted.add(view.id);
    this.plans.clear();
  }

  /** The id the generated job started `back` jobs before the newest one at `now` has (0: the newest). */
  generatedJobId(now: number, back = 0): string {
    return jobIdFor(this.idKey, this.lastIndexAt(now) - back);
  }

  private lastIndexAt(now: number): number {
    let index = Math.floor((now - this.anchor) / this.settings.intervalSeconds) + this.history - 1;
    while (index >= 0 && this.startOf(index) > now) index--;
    return index;
  }

  private startOf(index: number): number {
    const base = this.anchor + (index - (this.history - 1)) * this.settings.intervalSeconds;
    if (index === this.history - 1) return base;
    // A little jitter, as real schedules have, but never enough to reorder two jobs.
    return Math.floor(base + new SeededRandom(`${this.seed}\u0000${this.key}\u0000${index}\u0000start`).between(0, 0.05) * this.settings.intervalSeconds);
  }

  private plan(index: number): JobPlan {
    let plan = this.plans.get(index);
    if (!plan) {
      plan = planJob(this.seed, this.idKey, this.ref.kind, this.ref.name, index, this.startOf(index), this.settings);
      this.plans.set(index, plan);
      // Plans of expired jobs are dropped, so a long run keeps a bounded cache.
      this.plans.delete(index - this.retention - 1);
    }
    return plan;
  }

  private generatedView(plan: JobPlan, now: number): JobView {
    const { accountId, name, kind } = this.ref;
    const detail = (): WireObject => {
      switch (kind) {
        case 'identity_resolution': return identityResolutionDetail(plan, name, now);
        case 'matching': return matchingDetail(plan, name, accountId, now);
        case 'id_mapping': return idMappingDetail(plan, name, accountId, now);
      }
    };
    return { id: plan.id, start: plan.start, detail };
  }
}

function explicitStart(detail: WireObject): number {
  const start = detail.JobStartTime ?? detail.startTime;
  return typeof start === 'number' ? start : Number.POSITIVE_INFINITY;
}

/** The exporter's key of the same target: a simulated target is one resource in one account and region. */
export function targetKey(ref: TargetRef): string {
  return identityKey({ kind: ref.kind, target: ref.name, accountId: ref.accountId, region: ref.region });
}

/** Every simulated target, by account, region, kind and name. */
export class Fleet {
  private readonly targets = new Map<string, SimTarget>();
  /** Times each target was created, so one created again gets new job ids. */
  private readonly incarnations = new Map<string, number>();
  /** Each target's spec, by kind and name. */
  private readonly setups = new Map<string, KindSpec>();
  readonly accounts: readonly string[];
  readonly regions: readonly string[];

  constructor(
    private readonly spec: FleetSpec,
    private readonly seed: string,
    now: number,
  ) {
    this.accounts = spec.accounts ?? [DEFAULT_ACCOUNT_ID];
    this.regions = spec.regions ?? [DEFAULT_REGION];
    const spelled = <S extends TargetSpec>(entries: readonly (string | S)[] = []): (S | TargetSpec)[] =>
      entries.map((entry) => (typeof entry === 'string' ? { name: entry } : entry));
    const setups: KindSpec[] = [
      ...spelled(spec.domains).map((domain) => ({ kind: 'identity_resolution' as const, spec: domain })),
      ...spelled(spec.matchingWorkflows).map((workflow) => ({ kind: 'matching' as const, spec: workflow })),
      ...spelled(spec.idMappingWorkflows).map((workflow) => ({ kind: 'id_mapping' as const, spec: workflow })),
    ];
    for (const setup of setups) this.setups.set(`${setup.kind}\u0000${setup.spec.name}`, setup);
    const rng = new SeededRandom(`${seed}\u0000running`);
    for (const accountId of this.accounts) {
      for (const region of this.regions) {
        for (const { kind, spec: { name } } of setups) this.add({ accountId, region, kind, name }, now, rng.chance(spec.runningFraction ?? 0.3));
      }
    }
  }

  /** Creates a target (again): a re-created target starts with a fresh history. */
  add(ref: TargetRef, now: number, running = false): SimTarget {
    const scale = this.spec.timeScale ?? 1;
    const interval = (this.spec.jobIntervalSeconds ?? (ref.kind === 'identity_resolution' ? WEEK : DAY)) / scale;
    const typical = (ref.kind === 'identity_resolution' ? 3 * 3600 : 1800) / scale;
    const settings: JobPlanSettings = {
      intervalSeconds: interval,
      durationSeconds: Math.min(typical, interval * 0.5),
      alwaysFails: this.spec.failingWorkflows?.includes(ref.name) ?? false,
    };
    const history = this.spec.historyJobsPerTarget ?? 20;
    const incarnation = this.incarnations.get(targetKey(ref)) ?? 0;
    this.incarnations.set(targetKey(ref), incarnation + 1);
    const setup: KindSpec = this.setups.get(`${ref.kind}\u0000${ref.name}`) ?? { kind: ref.kind, spec: { name: ref.name } };
    const target = new SimTarget({
      ref, setup, seed: this.seed, settings, history, retention: Math.max(history, 20), running, now, listOrder: this.spec.listOrder ?? 'newest-first', incarnation,
    });
    if (target.domain && this.spec.matchingDisabledDomains?.includes(ref.name)) target.domain.matchingEnabled = false;
    this.targets.set(target.key, target);
    return target;
  }

  remove(ref: TargetRef): void {
    this.targets.delete(targetKey(ref));
  }

  get(ref: TargetRef): SimTarget | undefined {
    return this.targets.get(targetKey(ref));
  }

  /** The targets of one kind in one account and region, by name. */
  list(accountId: string, region: string, kind: SimKind): SimTarget[] {
    return [...this.targets.values()]
      .filter((target) => target.ref.accountId === accountId && target.ref.region === region && target.ref.kind === kind)
      .sort((a, b) => a.ref.name.localeCompare(b.ref.name));
  }

  all(): SimTarget[] {
    return [...this.targets.values()];
  }
}
