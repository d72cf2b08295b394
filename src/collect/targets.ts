import { awsErrorName, errorReport } from '../aws/errors.js';
import type { CallPacer } from '../aws/pacing.js';
import type { AccountLookup, SourceFactory } from '../aws/sourceFactory.js';
import type { JobDetailByKind, JobSource } from '../aws/types.js';
import type { TargetConfig } from '../config/types.js';
import { KIND_SPECS, type KindSpec } from './kinds.js';
import type { AnyTargetSnapshot, TargetSnapshot } from './snapshot.js';
import { TargetCollector, type TargetState, type WindowSettings } from './targetCollector.js';
import type { TargetIdentity } from '../model/target.js';
import type { TargetKind } from '../model/kinds.js';

/** What a target needs from the rest of the exporter to reach AWS. */
export interface TargetDependencies {
  readonly sources: SourceFactory;
  readonly accounts: AccountLookup;
  readonly pacer: CallPacer;
}

/** One configured target, with its collector's state, ready to be collected again and again. */
export interface TargetRunner {
  readonly config: TargetConfig;
  /** `signal` abandons the collection: calls waiting or in flight are cancelled and the target fails with its reason. */
  collect(now: number, signal?: AbortSignal): Promise<AnyTargetSnapshot>;
  updateSettings(settings: WindowSettings): void;
  /** Where the target lives (account and region resolved, through STS if need be). */
  identity(): Promise<TargetIdentity>;
  exportState(): TargetState;
  restoreState(state: TargetState): void;
}

/** Stands in for an account or region that could not be resolved, so a down target still has a series. */
export const UNKNOWN = 'unknown';

const EXPIRED_CREDENTIALS: ReadonlySet<string> = new Set(['ExpiredToken', 'ExpiredTokenException']);

export function createTargetRunner(target: TargetConfig, settings: WindowSettings, deps: TargetDependencies): TargetRunner {
  switch (target.kind) {
    case 'identity_resolution':
      return runner(target, KIND_SPECS.identity_resolution, settings, deps);
    case 'matching':
      return runner(target, KIND_SPECS.matching, settings, deps);
    case 'id_mapping':
      return runner(target, KIND_SPECS.id_mapping, settings, deps);
  }
}

/**
 * Where a target lives: its own region or the SDK's default, and the account of its ARN or, through STS, of its
 * credentials. The collection and `--config.check=discover` both place targets (and so shard them) by this.
 */
export async function resolveIdentity<K extends TargetKind>(
  target: TargetConfig,
  kind: K,
  deps: { readonly sources: Pick<SourceFactory, 'defaultRegion'>; readonly accounts: AccountLookup },
): Promise<TargetIdentity<K>> {
  const region = target.region ?? (await deps.sources.defaultRegion());
  const accountId = target.accountId ?? (await deps.accounts.accountId(region, target.role));
  return { kind, target: target.resourceName, accountId, region };
}

/** K ties the collector's spec, its source's job detail type and the identity's kind together. */
function runner<K extends TargetKind>(target: TargetConfig, spec: KindSpec<K>, settings: WindowSettings, deps: TargetDependencies): TargetRunner {
  const collector = new TargetCollector(spec, settings);
  const label = target.resourceName;
  let bound: { identity: TargetIdentity<K>; source: JobSource<JobDetailByKind[K]> } | undefined;

  async function bind(): Promise<NonNullable<typeof bound>> {
    if (bound) return bound;
    const identity = await resolveIdentity(target, spec.kind, deps);
    const { accountId, region } = identity;
    bound = { identity, source: deps.sources.jobs(spec.kind, target.name, region, target.role, deps.pacer.gate(accountId, region)) };
    return bound;
  }

  return {
    config: target,
    updateSettings: (next) => {
      collector.updateSettings(next);
    },
    identity: async () => (await bind()).identity,
    exportState: () => collector.exportState(),
    restoreState: (state) => { collector.restoreState(state); },
    async collect(now, signal) {
      try {
        const { identity, source } = await bind();
        return asAny(await collector.collect(identity, source, now, signal));
      } catch (thrown) {
        // The SDK reports a cancelled request as a bare AbortError; the signal knows why it was cancelled.
        const err: unknown = signal?.aborted ? signal.reason : thrown;
        // AWS says the role's session expired although the SDK thought it valid: assume the role afresh next time.
        if (target.role && EXPIRED_CREDENTIALS.has(awsErrorName(err))) deps.sources.forgetRole(target.role);
        const identity = bound?.identity ?? collector.snapshot?.identity ?? {
          kind: spec.kind, target: label, accountId: target.accountId ?? UNKNOWN, region: target.region ?? UNKNOWN,
        };
        const snapshot = asAny(collector.failed(identity, errorReport(err)));
        throw new TargetCollectionError(snapshot, err);
      }
    },
  };
}

/** TypeScript cannot see that a `TargetSnapshot<K>` for a generic K is one member of the union. */
function asAny<K extends TargetKind>(snapshot: TargetSnapshot<K>): AnyTargetSnapshot {
  return snapshot as unknown as AnyTargetSnapshot;
}

/** A target's collection failed; carries the snapshot to publish (last known series, marked down). */
export class TargetCollectionError extends Error {
  override readonly name = 'TargetCollectionError';
  constructor(
    readonly snapshot: AnyTargetSnapshot,
    cause: unknown,
  ) {
    super(`collection of ${snapshot.identity.kind} target ${snapshot.identity.target} failed`, { cause });
  }
}
