/** The AWS error name of a failed SDK call (`ThrottlingException`, `AccessDeniedException`, …) or of a network error. */
export function awsErrorName(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    // Node network errors keep the useful part (ECONNRESET, ECONNREFUSED) in `code`, not `name`.
    if (err.name === 'Error' && typeof code === 'string') return code;
    return err.name;
  }
  return 'UnknownError';
}

/** HTTP status of a failed SDK call, when the service answered at all. */
export function httpStatusOf(err: unknown): number | undefined {
  const metadata = (err as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata;
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** True when AWS says the resource (domain, workflow or job) does not exist. */
export function isNotFound(err: unknown): boolean {
  return awsErrorName(err) === 'ResourceNotFoundException' || httpStatusOf(err) === 404;
}

/** One line describing an error for logs and the landing page: name and message, never request details. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const name = awsErrorName(err);
  const cause = err.cause instanceof Error ? `: ${describeError(err.cause)}` : '';
  // Node's file-system errors already start their message with their code (`ENOENT: no such file…`).
  if (!err.message || err.message === name) return `${name}${cause}`;
  return err.message.startsWith(`${name}: `) ? `${err.message}${cause}` : `${name}: ${err.message}${cause}`;
}

/** What a failed read is reported as: the error's name (AWS's error code, or a network error's) and its line. */
export interface ErrorReport {
  readonly code: string;
  /** {@link describeError}'s line. */
  readonly description: string;
}

export function errorReport(err: unknown): ErrorReport {
  return { code: awsErrorName(err), description: describeError(err) };
}

/** True when AWS refused the call for want of permission (IAM, an SCP, a resource or session policy). */
export function isAccessDenied(err: unknown): boolean {
  return awsErrorName(err).startsWith('AccessDenied');
}

/** DNS answers and connect failures: the call never reached a server, so nothing past it can be judged. */
const CONNECT_SYSCALLS = new Set(['connect', 'getaddrinfo']);

/**
 * True when the call never reached the endpoint: refused, no such host, no route, or no connection within the
 * timeout. A connection reset or a request timeout is not among them: a server answered the connection.
 */
export function isUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { syscall, code } = err as { syscall?: unknown; code?: unknown };
  // The SDK's own connection timeout has no syscall; its request timeout carries code ETIMEDOUT.
  return (typeof syscall === 'string' && CONNECT_SYSCALLS.has(syscall)) || (err.name === 'TimeoutError' && code === undefined);
}

/** True when the SDK's credential provider chain found no credentials (or a link of it failed to load them). */
export function isMissingCredentials(err: unknown): boolean {
  return awsErrorName(err) === 'CredentialsProviderError';
}

/** Error names AWS throttles with (STS names its error Throttling). */
export const THROTTLING_ERROR_NAMES: readonly string[] = ['ThrottlingException', 'Throttling', 'TooManyRequestsException'];
