import { describeError, isAccessDenied, isMissingCredentials, isUnreachable } from '../aws/errors.js';
import { roleKey, type RoleRef } from '../model/target.js';
import { rememberFailedUrls, unreachableLine } from './requestUrls.js';
import type { CheckSession } from './session.js';

/** Why the calls of a credential set, or behind an endpoint, were not made: its rows say `not checked (REASON)`. */
export type NotCheckedReason = 'no credentials' | 'identity unknown' | 'role not assumed' | 'endpoint unreachable';

/** What the preflight learned of one credential set (the exporter's own, or a role's) before calling with it. */
export type CredentialCheck =
  | { readonly usable: true; readonly accountId: string; readonly arn: string | undefined }
  | { readonly usable: false; readonly reason: NotCheckedReason };

/** A credential set and the region its STS calls go to. */
export interface CredentialSet {
  readonly role: RoleRef | undefined;
  readonly region: string;
}

/** What the SDK's chain says when its last link gave up: any other message names what went wrong on the way. */
const CHAIN_EXHAUSTED = 'Could not load credentials from any providers';

/**
 * Checks the exporter's own credentials, then each role's, once each: the credentials are found, STS answers
 * for them (their identity is printed), and each role can be assumed. Each failure is one line in `lines`. The
 * roles are tried only once the exporter's own credentials work, since AssumeRole runs under them: otherwise
 * every role shares their failure. The answer is keyed by {@link roleKey}, the exporter's own set included.
 */
export async function checkCredentials(session: CheckSession, sets: readonly CredentialSet[], lines: string[]): Promise<Map<string, CredentialCheck>> {
  const checks = new Map<string, CredentialCheck>();
  const first = sets[0];
  if (first === undefined) return checks;
  const own = await checkSet(session, sets.find((set) => set.role === undefined) ?? { role: undefined, region: first.region }, undefined, lines);
  checks.set(roleKey(undefined), own);
  const caller = own.usable ? own.arn : undefined;
  for (const set of sets) {
    if (set.role === undefined) continue;
    // One at a time, so the lines come in the configuration's order.
    checks.set(roleKey(set.role), own.usable ? await checkSet(session, set, caller, lines) : own);
  }
  return checks;
}

/** Resolves one set's credentials (for a role: AssumeRole), then asks STS who they are. */
async function checkSet(session: CheckSession, set: CredentialSet, caller: string | undefined, lines: string[]): Promise<CredentialCheck> {
  const sts = session.clients.sts(set.region, set.role);
  rememberFailedUrls(sts);
  try {
    await sts.config.credentials();
  } catch (err) {
    const failure = set.role === undefined ? ownCredentialsFailure(err) : assumeRoleFailure(err, set.role, caller);
    lines.push(failure.line);
    return { usable: false, reason: failure.reason };
  }
  const asRole = set.role === undefined ? '' : ` as role ${set.role.arn}`;
  try {
    // The discoveries look the same sets up later: the resolver's cache answers them.
    const { accountId, arn } = await session.accounts.identity(set.region, set.role);
    lines.push(`identity: ${arn ?? '?'} (account ${accountId})${asRole}`);
    return { usable: true, accountId, arn };
  } catch (err) {
    if (isUnreachable(err)) {
      lines.push(unreachableLine(err));
      return { usable: false, reason: 'endpoint unreachable' };
    }
    lines.push(`identity: cannot resolve credentials${set.role === undefined ? '' : ` for role ${set.role.arn}`}: ${describeError(err)}`);
    return { usable: false, reason: 'identity unknown' };
  }
}

interface Failure {
  readonly line: string;
  readonly reason: NotCheckedReason;
}

function ownCredentialsFailure(err: unknown): Failure {
  if (!isMissingCredentials(err)) return { line: `credentials: cannot resolve: ${describeError(err)}`, reason: 'no credentials' };
  const why = err instanceof Error && err.message !== CHAIN_EXHAUSTED ? `: ${err.message}` : '';
  return { line: `credentials: none found by ${providerChain()}${why}`, reason: 'no credentials' };
}

/** The links of @aws-sdk/credential-provider-node's defaultProvider, in the order it tries them. */
function providerChain(): string {
  const profile = process.env.AWS_PROFILE ?? 'default';
  return 'the AWS SDK\'s default provider chain (environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, '
    + `profile ${profile} of the shared credentials and config files, its credential_process, `
    + 'a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE), ECS container credentials, EC2 instance metadata)';
}

function assumeRoleFailure(err: unknown, role: RoleRef, caller: string | undefined): Failure {
  if (isUnreachable(err)) return { line: unreachableLine(err), reason: 'endpoint unreachable' };
  if (!isAccessDenied(err)) return { line: `sts:AssumeRole failed for ${role.arn}: ${describeError(err)}`, reason: 'role not assumed' };
  // AWS refuses AssumeRole alike whether the role's trust policy or the caller's own policy says no.
  const externalId = role.externalId === undefined ? '' : ' with the configured external_id';
  return {
    line: `sts:AssumeRole denied for ${role.arn}: the role's trust policy must allow ${caller ?? 'the exporter\'s identity'} to assume it${externalId}, `
      + 'and that identity\'s own policy must allow sts:AssumeRole on the role',
    reason: 'role not assumed',
  };
}
