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
  return err.message && err.message !== name ? `${name}: ${err.message}${cause}` : `${name}${cause}`;
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

/** Error names AWS throttles with (STS names its error Throttling). */
export const THROTTLING_ERROR_NAMES: readonly string[] = ['ThrottlingException', 'Throttling', 'TooManyRequestsException'];
