import { ApiError } from './restJson.js';
import { Identities, type CallerIdentity } from './identities.js';

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** AWS allows 900 s to 12 h; the simulator allows shorter sessions so tests can see credentials expire. */
const MIN_SESSION_SECONDS = 1;
const MAX_SESSION_SECONDS = 43_200;

export interface StsContext {
  readonly identities: Identities;
  readonly caller: CallerIdentity;
  /** Accounts that exist: a role in any other account cannot be assumed. */
  readonly accounts: readonly string[];
  /** Simulated epoch seconds. */
  readonly now: number;
  readonly requestId: string;
}

/** The STS action a form body asks for (awsQuery puts it in `Action`). */
export function stsOperation(form: URLSearchParams): string {
  return form.get('Action') ?? 'Unknown';
}

/** Answers an STS awsQuery request with its XML body, or throws ApiError. */
export function answerSts(form: URLSearchParams, ctx: StsContext): string {
  const action = stsOperation(form);
  if (action === 'GetCallerIdentity') {
    const { arn, userId, accountId } = ctx.caller;
    return envelope('GetCallerIdentity', `<Arn>${xml(arn)}</Arn><UserId>${xml(userId)}</UserId><Account>${accountId}</Account>`, ctx.requestId);
  }
  if (action === 'AssumeRole') {
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const duration = Number(form.get('DurationSeconds') ?? 3600);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new ApiError(400, 'ValidationError', `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
    if (!Number.isInteger(duration) || duration < MIN_SESSION_SECONDS || duration > MAX_SESSION_SECONDS) {
      throw new ApiError(400, 'ValidationError', `Value '${String(duration)}' at 'durationSeconds' failed to satisfy constraint`);
    }
    const account = Identities.roleAccount(roleArn);
    if (account === undefined || !ctx.accounts.includes(account)) {
      throw new ApiError(403, 'AccessDenied', `User: ${ctx.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const issued = ctx.identities.assumeRole(roleArn, sessionName, duration, ctx.now);
    if (typeof issued === 'string') throw new ApiError(400, 'ValidationError', issued);
    const { credentials, identity } = issued;
    return envelope('AssumeRole',
      `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${xml(credentials.secretAccessKey)}</SecretAccessKey>`
      + `<SessionToken>${xml(credentials.sessionToken)}</SessionToken><Expiration>${new Date(credentials.expiration * 1000).toISOString()}</Expiration></Credentials>`
      + `<AssumedRoleUser><AssumedRoleId>${xml(identity.userId)}</AssumedRoleId><Arn>${xml(identity.arn)}</Arn></AssumedRoleUser>`,
      ctx.requestId);
  }
  throw new ApiError(400, 'InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
}

/** STS's XML error body. */
export function stsError(error: ApiError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>${type}</Type><Code>${xml(error.code)}</Code><Message>${xml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function envelope(action: string, result: string, requestId: string): string {
  return `<${action}Response xmlns="${STS_XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
