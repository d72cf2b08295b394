import { describeValue } from './describeValue.js';
import type { TargetKind } from './kinds.js';

/** A role to assume for a target's calls (another account, or narrower permissions). */
export interface RoleRef {
  readonly arn: string;
  /** The external id the role's trust policy demands, if any. */
  readonly externalId?: string | undefined;
  /** Shown in CloudTrail; default aws-resolution-exporter. */
  readonly sessionName?: string | undefined;
}

/** One role (or the exporter's own credentials) as a key: each distinct session gets its own clients. */
export function roleKey(role: RoleRef | undefined): string {
  return role === undefined ? '' : [role.arn, role.externalId ?? '', role.sessionName ?? ''].join('\u0000');
}

/**
 * A domain (identity_resolution) or workflow (matching, id_mapping) as configured or discovered, parsed once:
 * what the AWS calls name it by, and what is known of where it lives before any call.
 */
export interface TargetRef {
  readonly kind: TargetKind;
  /** What the AWS calls take: a domain or workflow name, or (id_mapping only) a full ID-mapping workflow ARN. */
  readonly name: string;
  /** The domain or workflow name: `name`, or the name part of its ARN. */
  readonly resourceName: string;
  /** The ARN's region, else the target's own, else the top-level one; undefined lets the SDK resolve it. */
  readonly region: string | undefined;
  /** The account an ARN names; otherwise the credentials' account, known once STS answers. */
  readonly accountId?: string | undefined;
  /** The role its calls run under; undefined uses the exporter's own credentials. */
  readonly role?: RoleRef | undefined;
}

/**
 * A target's key across reloads, restarts (the state file stores it) and config entries (two entries with one
 * key are duplicates): kind, resource name, region and credentials.
 */
export function targetKey(ref: TargetRef): string {
  return [ref.kind, ref.resourceName, ref.region ?? '', roleKey(ref.role)].join('\u0000');
}

/** Reads a configured or discovered target: an ID-mapping ARN fixes its region and account. */
export function targetRef(kind: TargetKind, name: string, region: string | undefined, role?: RoleRef): TargetRef {
  const arn = kind === 'id_mapping' && isArn(name) ? parseIdMappingArn(name) : undefined;
  if (arn === undefined || 'problem' in arn) return { kind, name, resourceName: name, region, ...(role ? { role } : {}) };
  return { kind, name, resourceName: arn.workflowName, region: arn.region, accountId: arn.accountId, ...(role ? { role } : {}) };
}

/** Where a target lives: the labels every one of its series carries. */
export interface TargetIdentity<K extends TargetKind = TargetKind> {
  readonly kind: K;
  /** Domain or workflow name (for an ID-mapping ARN, the name part). */
  readonly target: string;
  readonly accountId: string;
  readonly region: string;
}

/** A target's key once its account and region are known; the same for every instance of a sharded fleet. */
export function identityKey(identity: TargetIdentity): string {
  return [identity.accountId, identity.region, identity.kind, identity.target].join('\u0000');
}

/** AWS's rule for domain and workflow names alike; only the length limits differ. */
const NAME = /^[a-zA-Z0-9_-]+$/;
export const DOMAIN_NAME_MAX = 64;
export const WORKFLOW_NAME_MAX = 255;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Why `name` breaks AWS's naming rules, or undefined if it follows them. */
export function nameProblem(name: string, maxLength: number): string | undefined {
  if (name === '') return 'must not be empty';
  if (name.length > maxLength) return `must be at most ${maxLength} characters, got ${name.length}`;
  if (!NAME.test(name)) return `${describeValue(name)} does not match ${NAME.source} (letters, digits, _ and -)`;
  return undefined;
}

const ARN_PARTITIONS: readonly string[] = ['aws', 'aws-us-gov', 'aws-cn'];
const ARN_FORM = 'arn:PARTITION:entityresolution:REGION:ACCOUNT_ID:idmappingworkflow/NAME';
const WORKFLOW_RESOURCE_PREFIX = 'idmappingworkflow/';

export function isArn(text: string): boolean {
  return text.startsWith('arn:');
}

/** The parts of an ID-mapping workflow ARN. */
export interface IdMappingArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly workflowName: string;
}

/** Splits an ID-mapping workflow ARN, or says what is wrong with it, part by part. */
export function parseIdMappingArn(arn: string): IdMappingArn | { readonly problem: string } {
  const parts = arn.split(':');
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = parts;
  const problem = ((): string | undefined => {
    if (parts.length !== 6) return `expected 6 parts separated by ":" (${ARN_FORM})`;
    if (!ARN_PARTITIONS.includes(partition)) return `partition ${describeValue(partition)} is not one of ${ARN_PARTITIONS.join(', ')}`;
    if (service !== 'entityresolution') return `service ${describeValue(service)} is not entityresolution`;
    if (!AWS_REGION.test(region)) return `region ${describeValue(region)} does not look like an AWS region such as us-east-1`;
    if (!/^\d{12}$/.test(accountId)) return `account id ${describeValue(accountId)} is not 12 digits`;
    if (!resource.startsWith(WORKFLOW_RESOURCE_PREFIX)) return `resource ${describeValue(resource)} does not start with ${WORKFLOW_RESOURCE_PREFIX}`;
    const nameIssue = nameProblem(resource.slice(WORKFLOW_RESOURCE_PREFIX.length), WORKFLOW_NAME_MAX);
    return nameIssue === undefined ? undefined : `workflow name ${nameIssue}`;
  })();
  if (problem !== undefined) return { problem: `${describeValue(arn)} is not an ID-mapping workflow ARN: ${problem}` };
  return { partition, region, accountId, workflowName: resource.slice(WORKFLOW_RESOURCE_PREFIX.length) };
}
