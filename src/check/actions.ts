import {
  GetDomainCommand,
  GetIdentityResolutionJobCommand,
  ListDomainsCommand,
  ListIdentityResolutionJobsCommand,
} from '@aws-sdk/client-customer-profiles';
import {
  GetIdMappingJobCommand,
  GetIdMappingWorkflowCommand,
  GetMatchingJobCommand,
  GetMatchingWorkflowCommand,
  ListIdMappingJobsCommand,
  ListIdMappingWorkflowsCommand,
  ListMatchingJobsCommand,
  ListMatchingWorkflowsCommand,
} from '@aws-sdk/client-entityresolution';
import type { AwsClients } from '../aws/clients.js';
import type { TargetConfig } from '../config/types.js';
import type { RoleRef } from '../model/target.js';
import type { TargetKind } from '../model/kinds.js';

/** Where one preflight call runs: a region under one credential set, and for target actions the target. */
export interface ProbePlace {
  readonly clients: AwsClients;
  readonly region: string;
  readonly role: RoleRef | undefined;
}

/**
 * What the previous action of the same target found: its newest job, so that the Get action reads a job that
 * exists. Undefined when there is none yet.
 */
export interface ProbeMemo {
  /** The target's List call succeeded. */
  listed?: boolean;
  newestJobId?: string | undefined;
}

/** One IAM action of docs/iam-policy.json, and the smallest call the exporter makes that needs it. */
export interface ActionProbe {
  readonly action: string;
  /** `account`: once per credential set and region; a kind: once per target of that kind. */
  readonly scope: 'account' | TargetKind;
  /** What the exporter uses it for (the IAM table of docs/deployment.md). */
  readonly purpose: string;
  /** Reads the job the List before it found: with none found, a not-found answer still proves the permission. */
  readonly readsJob?: true;
  readonly call: (place: ProbePlace, target: TargetConfig | undefined, memo: ProbeMemo) => Promise<void>;
}

/**
 * A job id of the right shape that names no job: a Get on it answers ResourceNotFound when the action is allowed
 * and AccessDenied when it is not, because AWS authorises a call before it looks the resource up.
 */
export const ABSENT_JOB_ID = '0'.repeat(32);

function nameOf(target: TargetConfig | undefined): string {
  if (target === undefined) throw new Error('a target action needs its target');
  return target.name;
}

/**
 * A job kind's List and Get actions: the List asks for the newest job only (the smallest page) and the Get
 * reads the job it found, or {@link ABSENT_JOB_ID} when there is none.
 */
function jobActions(
  kind: TargetKind,
  list: { action: string; purpose: string; newestJob: (place: ProbePlace, name: string) => Promise<string | undefined> },
  get: { action: string; purpose: string; read: (place: ProbePlace, name: string, jobId: string) => Promise<unknown> },
): ActionProbe[] {
  return [
    {
      action: list.action, scope: kind, purpose: list.purpose,
      call: async (place, target, memo) => {
        memo.newestJobId = await list.newestJob(place, nameOf(target));
        memo.listed = true;
      },
    },
    {
      action: get.action, scope: kind, purpose: get.purpose, readsJob: true,
      call: async (place, target, memo) => { await get.read(place, nameOf(target), memo.newestJobId ?? ABSENT_JOB_ID); },
    },
  ];
}

/**
 * Every action the exporter needs, in the order the preflight tries them: a target's List before its Get, so
 * the Get reads a job the List found. A test keeps the actions equal to docs/iam-policy.json's.
 */
export const ACTION_PROBES: readonly ActionProbe[] = [
  {
    action: 'profile:ListDomains', scope: 'account', purpose: 'Customer Profiles discovery',
    call: async ({ clients, region, role }) => { await clients.customerProfiles(region, role).send(new ListDomainsCommand({ MaxResults: 1 })); },
  },
  {
    action: 'entityresolution:ListMatchingWorkflows', scope: 'account', purpose: 'Entity Resolution discovery of matching workflows',
    call: async ({ clients, region, role }) => { await clients.entityResolution(region, role).send(new ListMatchingWorkflowsCommand({ maxResults: 1 })); },
  },
  {
    action: 'entityresolution:ListIdMappingWorkflows', scope: 'account', purpose: 'Entity Resolution discovery of ID-mapping workflows',
    call: async ({ clients, region, role }) => { await clients.entityResolution(region, role).send(new ListIdMappingWorkflowsCommand({ maxResults: 1 })); },
  },
  {
    action: 'profile:GetDomain', scope: 'identity_resolution', purpose: 'each domain\'s settings, schedule, size and tags, and its rule-based matching and data store status',
    call: async ({ clients, region, role }, target) => { await clients.customerProfiles(region, role).send(new GetDomainCommand({ DomainName: nameOf(target) })); },
  },
  ...jobActions(
    'identity_resolution',
    {
      action: 'profile:ListIdentityResolutionJobs', purpose: 'each domain\'s jobs, every collection',
      newestJob: async ({ clients, region, role }, DomainName) =>
        (await clients.customerProfiles(region, role).send(new ListIdentityResolutionJobsCommand({ DomainName, MaxResults: 1 }))).IdentityResolutionJobsList?.[0]?.JobId,
    },
    {
      action: 'profile:GetIdentityResolutionJob', purpose: 'a finished job\'s message and counts, once per job',
      read: ({ clients, region, role }, DomainName, JobId) => clients.customerProfiles(region, role).send(new GetIdentityResolutionJobCommand({ DomainName, JobId })),
    },
  ),
  {
    action: 'entityresolution:GetMatchingWorkflow', scope: 'matching', purpose: 'each matching workflow\'s settings (resolution technique, incremental runs, output) and tags',
    call: async ({ clients, region, role }, target) => { await clients.entityResolution(region, role).send(new GetMatchingWorkflowCommand({ workflowName: nameOf(target) })); },
  },
  ...jobActions(
    'matching',
    {
      action: 'entityresolution:ListMatchingJobs', purpose: 'each matching workflow\'s jobs, every collection',
      newestJob: async ({ clients, region, role }, workflowName) =>
        (await clients.entityResolution(region, role).send(new ListMatchingJobsCommand({ workflowName, maxResults: 1 }))).jobs?.[0]?.jobId,
    },
    {
      action: 'entityresolution:GetMatchingJob', purpose: 'a matching job\'s counts and error, once per job',
      read: ({ clients, region, role }, workflowName, jobId) => clients.entityResolution(region, role).send(new GetMatchingJobCommand({ workflowName, jobId })),
    },
  ),
  {
    action: 'entityresolution:GetIdMappingWorkflow', scope: 'id_mapping', purpose: 'each ID-mapping workflow\'s settings (ID-mapping technique, incremental runs, output) and tags',
    call: async ({ clients, region, role }, target) => { await clients.entityResolution(region, role).send(new GetIdMappingWorkflowCommand({ workflowName: nameOf(target) })); },
  },
  ...jobActions(
    'id_mapping',
    {
      action: 'entityresolution:ListIdMappingJobs', purpose: 'each ID-mapping workflow\'s jobs, every collection',
      newestJob: async ({ clients, region, role }, workflowName) =>
        (await clients.entityResolution(region, role).send(new ListIdMappingJobsCommand({ workflowName, maxResults: 1 }))).jobs?.[0]?.jobId,
    },
    {
      action: 'entityresolution:GetIdMappingJob', purpose: 'an ID-mapping job\'s counts and error, once per job',
      read: ({ clients, region, role }, workflowName, jobId) => clients.entityResolution(region, role).send(new GetIdMappingJobCommand({ workflowName, jobId })),
    },
  ),
];
