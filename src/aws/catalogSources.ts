import { GetDomainCommand, ListDomainsCommand, type CustomerProfilesClient, type GetDomainCommandOutput } from '@aws-sdk/client-customer-profiles';
import {
  ListIdMappingWorkflowsCommand,
  ListMatchingWorkflowsCommand,
  type EntityResolutionClient,
  type MatchingWorkflowSummary,
} from '@aws-sdk/client-entityresolution';
import { pages } from './pagination.js';
import { CUSTOMER_PROFILES_PAGE_SIZE, ENTITY_RESOLUTION_PAGE_SIZE, sendOptions, type CallGate } from './sources.js';

/** GetDomain's answer, every member as the SDK parsed it. */
export type DomainDetail = Omit<GetDomainCommandOutput, '$metadata'>;

/** A workflow as List*Workflows shows it; ID-mapping workflows have no resolution type. */
export interface WorkflowSummary {
  readonly kind: 'matching' | 'id_mapping';
  readonly name: string;
  readonly resolutionType: MatchingWorkflowSummary['resolutionType'] | undefined;
  readonly updatedAt: Date | undefined;
}

async function allPages<Page>(fetchPage: (token: string | undefined) => Promise<Page>, tokenOf: (page: Page) => string | undefined): Promise<Page[]> {
  const all: Page[] = [];
  for await (const page of pages(fetchPage, tokenOf)) all.push(page);
  return all;
}

/** The names of every Customer Profiles domain of the account and region. */
export async function listDomainNames(client: () => CustomerProfilesClient, gate: CallGate, signal?: AbortSignal): Promise<string[]> {
  const pages = await allPages(
    (NextToken) => gate('ListDomains', () => client().send(new ListDomainsCommand({ MaxResults: CUSTOMER_PROFILES_PAGE_SIZE, NextToken }), sendOptions(signal)), signal),
    (page) => page.NextToken,
  );
  return pages.flatMap((page) => (page.Items ?? []).flatMap((item) => (item.DomainName === undefined ? [] : [item.DomainName])));
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
      if (w.workflowName !== undefined) summaries.push({ kind: 'matching', name: w.workflowName, resolutionType: w.resolutionType, updatedAt: w.updatedAt });
    }
  }
  if (kinds.includes('id_mapping')) {
    const pages = await allPages(
      (nextToken) => gate('ListIdMappingWorkflows', () => client().send(new ListIdMappingWorkflowsCommand({ maxResults: ENTITY_RESOLUTION_PAGE_SIZE, nextToken }), options), signal),
      (page) => page.nextToken,
    );
    for (const w of pages.flatMap((page) => page.workflowSummaries ?? [])) {
      if (w.workflowName !== undefined) summaries.push({ kind: 'id_mapping', name: w.workflowName, resolutionType: undefined, updatedAt: w.updatedAt });
    }
  }
  return summaries;
}
