import { summaryOf, type SimKind, type WireObject } from './lifecycle.js';
import { isArn, parseIdMappingArn } from '../model/target.js';
import type { Fleet, SimTarget, TargetRef } from './fleet.js';
import { domainDetail, domainItem, workflowDetail, workflowSummary, type DomainFacts, type WorkflowFacts } from './resources.js';

/** The two restJson1 services, by their SigV4 signing names. */
export type RestService = 'profile' | 'entityresolution';

/** An AWS error as the service encodes it: status, error name and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A routed request: which operation, on which target, with which query. */
export interface RoutedCall {
  readonly service: RestService;
  readonly operation: string;
  /** Domain or workflow name as it appears in the path (an ID-mapping route may carry an ARN). */
  readonly targetName: string | undefined;
  /** Set by an ID-mapping ARN in the path: the workflow's own account and region. */
  readonly arnAccountId: string | undefined;
  readonly arnRegion: string | undefined;
  readonly jobId: string | undefined;
}

/** Maps a GET path to its operation; undefined when no operation has that route. */
export function routeRestJson(path: string): RoutedCall | undefined {
  // Labels are percent-encoded (an ARN's '/' and ':' too), so split first and decode each segment after.
  let segments: string[];
  try {
    segments = path.split('/').slice(1).map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  const [collection, name, sub, jobId, extra] = segments;
  if (extra !== undefined) return undefined;
  const call = (service: RestService, operation: string, targetName?: string, job?: string): RoutedCall => {
    const parsed = targetName !== undefined && isArn(targetName) ? parseIdMappingArn(targetName) : undefined;
    const arn = parsed && !('problem' in parsed) ? parsed : undefined;
    return { service, operation, targetName: arn?.workflowName ?? targetName, arnAccountId: arn?.accountId, arnRegion: arn?.region, jobId: job };
  };
  if (collection === 'domains') {
    if (name === undefined || name === '') return call('profile', 'ListDomains');
    if (sub === undefined) return call('profile', 'GetDomain', name);
    if (sub !== 'identity-resolution-jobs') return undefined;
    return jobId === undefined || jobId === '' ? call('profile', 'ListIdentityResolutionJobs', name) : call('profile', 'GetIdentityResolutionJob', name, jobId);
  }
  const workflowCollections: Readonly<Record<string, readonly [string, string, string, string]>> = {
    matchingworkflows: ['ListMatchingWorkflows', 'GetMatchingWorkflow', 'ListMatchingJobs', 'GetMatchingJob'],
    idmappingworkflows: ['ListIdMappingWorkflows', 'GetIdMappingWorkflow', 'ListIdMappingJobs', 'GetIdMappingJob'],
  };
  const operations = collection === undefined ? undefined : workflowCollections[collection];
  if (!operations) return undefined;
  const [listWorkflows, getWorkflow, listJobs, getJob] = operations;
  if (name === undefined || name === '') return call('entityresolution', listWorkflows);
  if (sub === undefined) return call('entityresolution', getWorkflow, name);
  if (sub !== 'jobs') return undefined;
  return jobId === undefined || jobId === '' ? call('entityresolution', listJobs, name) : call('entityresolution', getJob, name, jobId);
}

const KIND_OF_OPERATION: Readonly<Record<string, SimKind>> = {
  GetDomain: 'identity_resolution',
  ListIdentityResolutionJobs: 'identity_resolution',
  GetIdentityResolutionJob: 'identity_resolution',
  GetMatchingWorkflow: 'matching',
  ListMatchingJobs: 'matching',
  GetMatchingJob: 'matching',
  GetIdMappingWorkflow: 'id_mapping',
  ListIdMappingJobs: 'id_mapping',
  GetIdMappingJob: 'id_mapping',
};

/** What a handler needs to answer. */
export interface RestContext {
  readonly fleet: Fleet;
  readonly accountId: string;
  readonly region: string;
  readonly query: URLSearchParams;
  /** Simulated epoch seconds. */
  readonly now: number;
  /** The endless-list fault: every page hands back the same token. */
  readonly repeatToken: boolean;
}

const DOMAIN_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const WORKFLOW_NAME = /^[a-zA-Z_0-9-]{1,255}$/;
const JOB_ID = /^[a-f0-9]{32}$/;

/** Answers one routed call with the operation's JSON output, or throws ApiError. */
export function answerRestJson(call: RoutedCall, ctx: RestContext): WireObject {
  const invalid = (message: string): ApiError => new ApiError(400, call.service === 'profile' ? 'BadRequestException' : 'ValidationException', message);
  switch (call.operation) {
    case 'ListDomains':
      return page(ctx, call, ctx.fleet.list(ctx.accountId, ctx.region, 'identity_resolution').map((target) => domainItem(target, domainOf(target))), PROFILE_PAGING, 'Items');
    case 'ListMatchingWorkflows':
      return page(ctx, call, ctx.fleet.list(ctx.accountId, ctx.region, 'matching').map((target) => workflowSummary(target, workflowOf(target))), WORKFLOW_PAGING, 'workflowSummaries');
    case 'ListIdMappingWorkflows':
      return page(ctx, call, ctx.fleet.list(ctx.accountId, ctx.region, 'id_mapping').map((target) => workflowSummary(target, workflowOf(target))), WORKFLOW_PAGING, 'workflowSummaries');
    default:
      break;
  }
  const kind = KIND_OF_OPERATION[call.operation];
  const name = call.targetName ?? '';
  if (kind === undefined) throw new ApiError(404, 'UnknownOperationException', `no operation ${call.operation}`);
  if (!(kind === 'identity_resolution' ? DOMAIN_NAME : WORKFLOW_NAME).test(name)) throw invalid(`1 validation error detected: Value '${name}' at '${kind === 'identity_resolution' ? 'domainName' : 'workflowName'}' failed to satisfy constraint`);
  if (call.jobId !== undefined && !JOB_ID.test(call.jobId)) throw invalid(`1 validation error detected: Value '${call.jobId}' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-f0-9]{32}`);
  const ref: TargetRef = { accountId: call.arnAccountId ?? ctx.accountId, region: call.arnRegion ?? ctx.region, kind, name };
  const target = ctx.fleet.get(ref);
  if (!target) throw new ApiError(404, 'ResourceNotFoundException', kind === 'identity_resolution' ? `Domain ${name} not found` : `Workflow ${name} not found`);
  switch (call.operation) {
    case 'GetDomain':
      return domainDetail(target, domainOf(target), ctx.now);
    case 'GetMatchingWorkflow':
    case 'GetIdMappingWorkflow':
      return workflowDetail(target, workflowOf(target));
    case 'ListIdentityResolutionJobs':
      return page(ctx, call, target.jobs(ctx.now).map((job) => summaryOf(kind, job.detail())), PROFILE_PAGING, 'IdentityResolutionJobsList', target.key);
    case 'ListMatchingJobs':
    case 'ListIdMappingJobs':
      return page(ctx, call, target.jobs(ctx.now).map((job) => summaryOf(kind, job.detail())), JOB_PAGING, 'jobs', target.key);
    default: {
      const detail = target.job(call.jobId ?? '', ctx.now);
      if (!detail) throw new ApiError(404, 'ResourceNotFoundException', `Job ${call.jobId ?? ''} not found`);
      return detail;
    }
  }
}

interface Paging {
  readonly tokenParam: string;
  readonly sizeParam: string;
  readonly tokenMember: string;
  readonly min: number;
  readonly max: number;
}

const PROFILE_PAGING: Paging = { tokenParam: 'next-token', sizeParam: 'max-results', tokenMember: 'NextToken', min: 1, max: 100 };
const JOB_PAGING: Paging = { tokenParam: 'nextToken', sizeParam: 'maxResults', tokenMember: 'nextToken', min: 1, max: 25 };
/** List*Workflows declare a maximum of 25 and no minimum. */
const WORKFLOW_PAGING: Paging = { tokenParam: 'nextToken', sizeParam: 'maxResults', tokenMember: 'nextToken', min: 0, max: 25 };

/**
 * One page of `items`. Tokens are opaque base64 (within Entity Resolution's `[a-zA-Z_0-9-=+/]*`) and bound to
 * the list they came from; the last page has no token at all, as the JS paginator needs.
 */
function page(ctx: RestContext, call: RoutedCall, items: readonly WireObject[], paging: Paging, itemsMember: string, listKey = `${ctx.accountId}/${ctx.region}/${call.operation}`): WireObject {
  const invalid = (message: string): ApiError => new ApiError(400, call.service === 'profile' ? 'BadRequestException' : 'ValidationException', message);
  const sizeText = ctx.query.get(paging.sizeParam);
  let size = paging.max;
  if (sizeText !== null) {
    const requested = Number(sizeText);
    if (!/^-?\d+$/.test(sizeText) || requested < paging.min || requested > paging.max) {
      throw invalid(`1 validation error detected: Value '${sizeText}' at 'maxResults' failed to satisfy constraint: Member must have value ${paging.min > 0 ? `greater than or equal to ${paging.min} and ` : ''}less than or equal to ${paging.max}`);
    }
    if (requested > 0) size = requested;
  }
  const token = ctx.query.get(paging.tokenParam);
  const offset = token === null ? 0 : decodeToken(token, listKey);
  if (offset === undefined) throw invalid(`Invalid ${paging.tokenMember}: ${token ?? ''}`);
  const output: WireObject = { [itemsMember]: items.slice(offset, offset + size) };
  if (ctx.repeatToken) output[paging.tokenMember] = encodeToken(listKey, offset);
  else if (offset + size < items.length) output[paging.tokenMember] = encodeToken(listKey, offset + size);
  return output;
}

function encodeToken(listKey: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: listKey, o: offset })).toString('base64');
}

function decodeToken(token: string, listKey: string): number | undefined {
  if (token.length < 1 || token.length > 1024) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { l?: unknown; o?: unknown };
    return decoded.l === listKey && typeof decoded.o === 'number' && Number.isInteger(decoded.o) && decoded.o >= 0 ? decoded.o : undefined;
  } catch {
    return undefined;
  }
}

function domainOf(target: SimTarget): DomainFacts {
  if (!target.domain) throw new ApiError(500, 'InternalServerException', `${target.ref.name} is not a domain`);
  return target.domain;
}

function workflowOf(target: SimTarget): WorkflowFacts {
  if (!target.workflow) throw new ApiError(500, 'InternalServerException', `${target.ref.name} is not a workflow`);
  return target.workflow;
}
