import type { DomainDetail, WorkflowDetail } from '../../src/aws/catalogSources.js';
import type { AccountLookup, CatalogSource, SourceFactory } from '../../src/aws/sourceFactory.js';
import type { CallGate } from '../../src/aws/sources.js';
import type { JobDetailByKind, JobSource, JobSummary } from '../../src/aws/types.js';
import type { TargetKind } from '../../src/model/kinds.js';
import type { RoleRef } from '../../src/model/target.js';

/** An error shaped as the SDK throws it: the AWS error name in `name`. */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

/** A job as the fake lists it and reads it. */
export interface FakeJob<K extends TargetKind = TargetKind> {
  readonly summary: JobSummary;
  readonly detail: JobDetailByKind[K];
}

/**
 * AWS in memory, behind the exporter's SourceFactory and AccountLookup: jobs per target, domains and workflows
 * per region, and errors to answer with. Every call goes through the gate it was given, as the SDK's do, and is
 * recorded as `Operation name`.
 */
export class FakeAws implements SourceFactory, AccountLookup {
  readonly calls: string[] = [];
  private readonly jobsByTarget = new Map<string, FakeJob[]>();
  readonly domains = new Map<string, DomainDetail>();
  /** The workflows as Get*Workflow answers them; List*Workflows lists their kind and name. */
  workflowList: WorkflowDetail[] = [];
  /** An operation (`ListDomains`) or a target (`matching/dedupe`) that fails with this error until removed. */
  readonly failures = new Map<string, Error>();

  constructor(readonly accountOf: (role: RoleRef | undefined) => string = () => '123456789012', readonly region = 'us-east-1') {}

  setJobs<K extends TargetKind>(kind: K, name: string, jobs: readonly FakeJob<K>[]): void {
    this.jobsByTarget.set(`${kind}/${name}`, [...jobs]);
  }

  jobs<K extends TargetKind>(kind: K, name: string, _region: string | undefined, _role: RoleRef | undefined, gate: CallGate): JobSource<JobDetailByKind[K]> {
    const target = `${kind}/${name}`;
    return {
      listJobs: (_token, signal) => gate('ListJobs', () => this.answer('ListJobs', target, () => ({ jobs: this.listed(target).map((job) => job.summary), nextToken: undefined })), signal),
      getJob: (jobId, signal) => gate('GetJob', () => this.answer('GetJob', target, () => {
        const job = this.listed(target).find((candidate) => candidate.summary.id === jobId);
        if (!job) throw awsError('ResourceNotFoundException', `no job ${jobId}`);
        return job.detail as JobDetailByKind[K];
      }), signal),
    };
  }

  catalog(_region: string | undefined, _role: RoleRef | undefined, gate: CallGate): CatalogSource {
    return {
      domains: (signal) => gate('ListDomains', () => this.answer('ListDomains', '*', () => [...this.domains].map(([name, domain]) => ({ name, tags: domain.Tags }))), signal),
      domain: (name, signal) => gate('GetDomain', () => this.answer('GetDomain', `identity_resolution/${name}`, () => {
        const domain = this.domains.get(name);
        if (!domain) throw awsError('ResourceNotFoundException', `no domain ${name}`);
        return domain;
      }), signal),
      workflows: (kinds, signal) => gate('ListWorkflows', () => this.answer('ListWorkflows', '*', () => this.workflowList.filter((workflow) => kinds.includes(workflow.kind)).map(({ kind, name }) => ({ kind, name }))), signal),
      workflow: (kind, name, signal) => gate('GetWorkflow', () => this.answer('GetWorkflow', `${kind}/${name}`, () => {
        const workflow = this.workflowList.find((candidate) => candidate.kind === kind && candidate.name === name);
        if (!workflow) throw awsError('ResourceNotFoundException', `no workflow ${name}`);
        return workflow;
      }), signal),
    };
  }

  defaultRegion(): Promise<string> {
    return Promise.resolve(this.region);
  }

  forgetRole(): void {
    this.calls.push('ForgetRole');
  }

  accountId(_region: string | undefined, role?: RoleRef): Promise<string> {
    return Promise.resolve(this.accountOf(role));
  }

  private listed(target: string): FakeJob[] {
    return this.jobsByTarget.get(target) ?? [];
  }

  private answer<T>(operation: string, target: string, read: () => T): Promise<T> {
    this.calls.push(`${operation} ${target}`);
    const failure = this.failures.get(operation) ?? this.failures.get(target);
    if (failure) return Promise.reject(failure);
    try {
      return Promise.resolve(read());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
