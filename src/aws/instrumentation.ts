import type { DeserializeHandler, DeserializeHandlerArguments, DeserializeMiddleware, HandlerExecutionContext, MetadataBearer } from '@smithy/types';
import { awsErrorName } from './errors.js';
import type { AwsService } from './types.js';

/** One HTTP attempt of an AWS call, as the exporter's self-metrics count it. */
export interface AwsAttempt {
  readonly service: AwsService;
  /** The account of the credentials the call ran under: its quotas and permissions are that account's. */
  readonly accountId: string;
  readonly region: string;
  readonly operation: string;
  /** `OK`, or the AWS error name (ThrottlingException, AccessDeniedException, TimeoutError, ECONNRESET, …). */
  readonly code: string;
  readonly seconds: number;
  /** True for the SDK's second and later attempts of the same call. */
  readonly retry: boolean;
}

export type AwsAttemptObserver = (attempt: AwsAttempt) => void;

/** Where a client's calls go: its credentials' account and its region, `unknown` while not resolved. */
export type ClientPlace = () => Promise<{ readonly accountId: string; readonly region: string }>;

interface MiddlewareTarget {
  middlewareStack: { add(middleware: DeserializeMiddleware<object, MetadataBearer>, options: { step: 'deserialize'; name: string; priority: 'high' }): void };
}

/**
 * Reports every HTTP attempt of every call made by `client`, retries included: the middleware sits in the
 * deserialize step, inside the SDK's retry loop, so a 429 that a retry later absorbed is still counted.
 */
export function instrumentClient(client: MiddlewareTarget, service: AwsService, observe: AwsAttemptObserver, place: ClientPlace): void {
  // The SDK's AssumeRole provider applies its client plugins again on each use of the same STS client.
  if (instrumented.has(client.middlewareStack)) return;
  instrumented.add(client.middlewareStack);
  const middleware: DeserializeMiddleware<object, MetadataBearer> =
    (next: DeserializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: DeserializeHandlerArguments<object>) => {
      const started = process.hrtime.bigint();
      const report = async (code: string): Promise<void> => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        observe({ service, ...(await place()), operation: operationName(context), code, seconds, retry: attemptNumber(args.request) > 1 });
      };
      try {
        const result = await next(args);
        await report('OK');
        return result;
      } catch (err) {
        await report(awsErrorName(err));
        throw err;
      }
    };
  client.middlewareStack.add(middleware, { step: 'deserialize', name: 'awsResolutionExporterAttempts', priority: 'high' });
}

const instrumented = new WeakSet<object>();

function operationName(context: HandlerExecutionContext): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

/** The SDK's retry middleware stamps `amz-sdk-request: attempt=N; max=M` on every attempt. */
function attemptNumber(request: unknown): number {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers;
  const match = /attempt=(\d+)/.exec(headers?.['amz-sdk-request'] ?? '');
  return match?.[1] ? Number(match[1]) : 1;
}
