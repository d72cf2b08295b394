import type { BuildHandlerArguments, BuildMiddleware, MetadataBearer } from '@smithy/types';
import { awsErrorName } from '../aws/errors.js';

interface MiddlewareTarget {
  middlewareStack: { add(middleware: BuildMiddleware<object, MetadataBearer>, options: { step: 'build'; name: string }): void };
}

/** The URL each failed call went to, by its error: a network error names at best a host and port, never the scheme. */
const urlOfFailure = new WeakMap<object, string>();
const watched = new WeakSet<object>();

/** Remembers, for every call of `client` that fails, the URL it was sent to (see {@link endpointOf}). */
export function rememberFailedUrls(client: MiddlewareTarget): void {
  if (watched.has(client.middlewareStack)) return;
  watched.add(client.middlewareStack);
  // The build step sees the request the endpoint resolution made: the URL really called, AWS_ENDPOINT_URL* included.
  const middleware: BuildMiddleware<object, MetadataBearer> = (next) => async (args: BuildHandlerArguments<object>) => {
    try {
      return await next(args);
    } catch (err) {
      if (typeof err === 'object' && err !== null) urlOfFailure.set(err, originOf(args.request));
      throw err;
    }
  };
  client.middlewareStack.add(middleware, { step: 'build', name: 'awsResolutionExporterFailedUrl' });
}

function originOf(request: unknown): string {
  const { protocol, hostname, port } = request as { protocol?: string; hostname?: string; port?: number };
  return `${protocol ?? 'https:'}//${hostname ?? '?'}${port === undefined ? '' : `:${String(port)}`}`;
}

/**
 * Where a failed call went: the URL when its client was watched, else the host a network error names (the SDK's
 * own STS client, behind a role's credential provider, cannot be watched).
 */
function endpointOf(err: unknown): string {
  const known = typeof err === 'object' && err !== null ? urlOfFailure.get(err) : undefined;
  if (known !== undefined) return known;
  const { address, port, hostname } = (err ?? {}) as { address?: unknown; port?: unknown; hostname?: unknown };
  if (typeof hostname === 'string') return hostname;
  return typeof address === 'string' ? `${address}${typeof port === 'number' ? `:${String(port)}` : ''}` : 'the endpoint';
}

/** `unreachable: http://127.0.0.1:1234 (ECONNREFUSED)`: one line per endpoint, however many calls it failed. */
export function unreachableLine(err: unknown): string {
  return `unreachable: ${endpointOf(err)} (${awsErrorName(err)})`;
}
