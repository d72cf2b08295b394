import type { TargetKind } from '../model/kinds.js';
import type { RoleRef } from '../model/target.js';
import type { AwsClients } from './clients.js';
import { getDomain, getWorkflow, listDomains, listWorkflows, type DomainDetail, type DomainListing, type WorkflowDetail, type WorkflowKind, type WorkflowSummary } from './catalogSources.js';
import { identityResolutionJobs, idMappingJobs, matchingJobs, type CallGate } from './sources.js';
import type { JobDetailByKind, JobSource } from './types.js';

/** What exists in one credential set and region (discovery), and each domain's and workflow's facts. */
export interface CatalogSource {
  domains(signal?: AbortSignal): Promise<DomainListing[]>;
  domain(name: string, signal?: AbortSignal): Promise<DomainDetail>;
  workflows(kinds: readonly WorkflowKind[], signal?: AbortSignal): Promise<WorkflowSummary[]>;
  workflow(kind: WorkflowKind, name: string, signal?: AbortSignal): Promise<WorkflowDetail>;
}

/**
 * The one door to AWS for collections and refreshes: per credential set (a role, or the exporter's own) and
 * region, the job source of a target and the catalogue. The SDK's clients in the exporter, an in-memory fake
 * in unit tests.
 */
export interface SourceFactory {
  jobs<K extends TargetKind>(kind: K, name: string, region: string | undefined, role: RoleRef | undefined, gate: CallGate): JobSource<JobDetailByKind[K]>;
  catalog(region: string | undefined, role: RoleRef | undefined, gate: CallGate): CatalogSource;
  /** The region the SDK resolves for a target that names none (AWS_REGION, the profile's). */
  defaultRegion(): Promise<string>;
  /** Drops a role's session, so that the next call assumes the role afresh. */
  forgetRole(role: RoleRef): void;
}

/** The account of a credential set: AccountResolver (STS), or a fake. */
export interface AccountLookup {
  accountId(region: string | undefined, role?: RoleRef): Promise<string>;
}

/**
 * The sources over the SDK's clients. A source looks its client up per call, so a reloaded configuration
 * (another endpoint, another timeout) takes effect without losing the target's state.
 */
export function sdkSources(clients: AwsClients): SourceFactory {
  return {
    jobs<K extends TargetKind>(kind: K, name: string, region: string | undefined, role: RoleRef | undefined, gate: CallGate): JobSource<JobDetailByKind[K]> {
      const byKind: { [Kind in TargetKind]: () => JobSource<JobDetailByKind[Kind]> } = {
        identity_resolution: () => identityResolutionJobs(() => clients.customerProfiles(region, role), name, gate),
        matching: () => matchingJobs(() => clients.entityResolution(region, role), name, gate),
        id_mapping: () => idMappingJobs(() => clients.entityResolution(region, role), name, gate),
      };
      return byKind[kind]();
    },
    catalog: (region, role, gate) => ({
      domains: (signal) => listDomains(() => clients.customerProfiles(region, role), gate, signal),
      domain: (name, signal) => getDomain(() => clients.customerProfiles(region, role), gate, name, signal),
      workflows: (kinds, signal) => listWorkflows(() => clients.entityResolution(region, role), gate, kinds, signal),
      workflow: (kind, name, signal) => getWorkflow(() => clients.entityResolution(region, role), gate, kind, name, signal),
    }),
    defaultRegion: () => clients.defaultRegion(),
    forgetRole: (role) => { clients.forgetRole(role); },
  };
}
