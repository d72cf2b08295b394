import { GetDomainCommand, ListDomainsCommand, type CustomerProfilesClient, type GetDomainCommandOutput } from '@aws-sdk/client-customer-profiles';
import {
  GetIdMappingWorkflowCommand,
  GetMatchingWorkflowCommand,
  ListIdMappingWorkflowsCommand,
  ListMatchingWorkflowsCommand,
  type EntityResolutionClient,
  type GetIdMappingWorkflowCommandOutput,
  type GetMatchingWorkflowCommandOutput,
} from '@aws-sdk/client-entityresolution';
import type { ResourceTags } from '../model/tags.js';
import { pages } from './pagination.js';
import { CUSTOMER_PROFILES_PAGE_SIZE, ENTITY_RESOLUTION_PAGE_SIZE, sendOptions, type CallGate } from './sources.js';

/** GetDomain's answer, every member as the SDK parsed it. */
export type DomainDetail = Omit<GetDomainCommandOutput, '$metadata'>;

export type WorkflowKind = 'matching' | 'id_mapping';

/** A workflow as List*Workflows names it (the rest of its summary, Get*Workflow tells too). */
export interface WorkflowSummary {
  readonly kind: WorkflowKind;
  readonly name: string;
}

/** A domain as ListDomains shows it: its tags come with it, so discovery by tag needs no further call. */
export interface DomainListing {
  readonly name: string;
  readonly tags: ResourceTags;
}

/** Where a workflow writes its output: S3, or a Customer Profiles domain (matching workflows only). */
export type OutputKind = 's3' | 'customer_profiles';

/**
 * A workflow's settings as Get*Workflow answers them, kept to what decides how its runs are watched: the rest of
 * the answer (input schemas, rules, role) is dropped, so a watched workflow costs the same memory however it is set up.
 */
export interface WorkflowDetail extends WorkflowSummary {
  /** Matching: ML_MATCHING, RULE_MATCHING or PROVIDER; ID mapping: PROVIDER or RULE_BASED. */
  readonly resolutionType: string | undefined;
  /** IMMEDIATE: AWS runs the workflow whenever its input changes; ON_DEMAND (ID mapping); undefined when not set. */
  readonly incrementalRunType: string | undefined;
  /** Sorted, each once. */
  readonly outputKinds: readonly OutputKind[];
  readonly updatedAt: Date | undefined;
  readonly tags: ResourceTags;
}

async function allPages<Page>(fetchPage: (token: string | undefined) => Promise<Page>, tokenOf: (page: Page) => string | undefined): Promise<Page[]> {
  const all: Page[] = [];
  for await (const page of pages(fetchPage, tokenOf)) all.push(page);
  return all;
}

/** Every Customer Profiles domain of the account and region, with its tags. */
export async function listDomains(client: () => CustomerProfilesClient, gate: CallGate, signal?: AbortSignal): Promise<DomainListing[]> {
  const pages = await allPages(
    (NextToken) => gate('ListDomains', () => client().send(new ListDomainsCommand({ MaxResults: CUSTOMER_PROFILES_PAGE_SIZE, NextToken }), sendOptions(signal)), signal),
    (page) => page.NextToken,
  );
  return pages.flatMap((page) => (page.Items ?? []).flatMap((item) => (item.DomainName === undefined ? [] : [{ name: item.DomainName, tags: item.Tags }])));
}

/** One domain's settings and size. */
export async function getDomain(client: () => CustomerProfilesClient, gate: CallGate, domainName: string, signal?: AbortSignal): Promise<DomainDetail> {
  const { $metadata, ...detail } = await gate('GetDomain', () => client().send(new GetDomainCommand({ DomainName: domainName }), sendOptions(signal)), signal);
  return detail;
}

/** Every matching and ID-mapping workflow of the account and region (one paged call per kind). */
export async function listWorkflows(client: () => EntityResolutionClient, gate: CallGate, kinds: readonly ('matching' | 'id_mapping')[], signal?: AbortSignal): Promise<WorkflowSummary[]> {
  const options = sendOptions(signal);
  const summaries: WorkflowSummary[] = [];
  if (kinds.includes('matching')) {
    const pages = await allPages(
      (nextToken) => gate('ListMatchingWorkflows', () => client().send(new ListMatchingWorkflowsCommand({ maxResults: ENTITY_RESOLUTION_PAGE_SIZE, nextToken }), options), signal),
      (page) => page.nextToken,
    );
    for (const w of pages.flatMap((page) => page.workflowSummaries ?? [])) {
      if (w.workflowName !== undefined) summaries.push({ kind: 'matching', name: w.workflowName });
    }
  }
  if (kinds.includes('id_mapping')) {
    const pages = await allPages(
      (nextToken) => gate('ListIdMappingWorkflows', () => client().send(new ListIdMappingWorkflowsCommand({ maxResults: ENTITY_RESOLUTION_PAGE_SIZE, nextToken }), options), signal),
      (page) => page.nextToken,
    );
    for (const w of pages.flatMap((page) => page.workflowSummaries ?? [])) {
      if (w.workflowName !== undefined) summaries.push({ kind: 'id_mapping', name: w.workflowName });
    }
  }
  return summaries;
}

/** One workflow's settings (GetMatchingWorkflow or GetIdMappingWorkflow; an ID-mapping workflow may be named by its ARN). */
export async function getWorkflow(client: () => EntityResolutionClient, gate: CallGate, kind: WorkflowKind, name: string, signal?: AbortSignal): Promise<WorkflowDetail> {
  const options = sendOptions(signal);
  if (kind === 'matching') {
    const answer = await gate('GetMatchingWorkflow', () => client().send(new GetMatchingWorkflowCommand({ workflowName: name }), options), signal);
    return matchingWorkflowDetail(name, answer);
  }
  const answer = await gate('GetIdMappingWorkflow', () => client().send(new GetIdMappingWorkflowCommand({ workflowName: name }), options), signal);
  return idMappingWorkflowDetail(name, answer);
}

export function matchingWorkflowDetail(name: string, answer: Omit<GetMatchingWorkflowCommandOutput, '$metadata'>): WorkflowDetail {
  const outputs = (answer.outputSourceConfig ?? []).flatMap((output): OutputKind[] => [
    ...(output.outputS3Path === undefined ? [] : ['s3' as const]),
    ...(output.customerProfilesIntegrationConfig === undefined ? [] : ['customer_profiles' as const]),
  ]);
  return {
    kind: 'matching',
    name,
    resolutionType: answer.resolutionTechniques?.resolutionType,
    incrementalRunType: answer.incrementalRunConfig?.incrementalRunType,
    outputKinds: [...new Set(outputs)].sort(),
    updatedAt: answer.updatedAt,
    tags: answer.tags,
  };
}

export function idMappingWorkflowDetail(name: string, answer: Omit<GetIdMappingWorkflowCommandOutput, '$metadata'>): WorkflowDetail {
  return {
    kind: 'id_mapping',
    name,
    resolutionType: answer.idMappingTechniques?.idMappingType,
    incrementalRunType: answer.incrementalRunConfig?.incrementalRunType,
    outputKinds: (answer.outputSourceConfig ?? []).length > 0 ? ['s3'] : [],
    updatedAt: answer.updatedAt,
    tags: answer.tags,
  };
}
