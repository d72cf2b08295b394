import { AccountResolver } from '../aws/accounts.js';
import { AwsClients } from '../aws/clients.js';
import { CallPacer } from '../aws/pacing.js';
import { sdkSources } from '../aws/sourceFactory.js';
import { Refresher, type LeftOut } from '../collect/refresh.js';
import { resolveIdentity } from '../collect/targets.js';
import { targetKey, type TargetIdentity } from '../model/target.js';
import type { DiscoveryConfig, ExporterConfig, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';

/** A target the exporter would watch, and whether the config lists it or a discovery found it. */
export interface WatchedTarget {
  readonly target: TargetConfig;
  readonly how: 'listed' | 'discovered';
}

/** What a `--config.check` that reaches AWS works with: the exporter's own clients, account lookup and pacing. */
export interface CheckSession {
  readonly clients: AwsClients;
  readonly accounts: AccountResolver;
  readonly pacer: CallPacer;
  /**
   * Every target the exporter would watch, listed first, and what the discoveries found and left out, with why;
   * `ok` is false when a discovery could not be read. `discovery` (default: the config's) narrows the discoveries
   * run, e.g. to those whose role could be assumed.
   */
  watchedTargets(discovery?: readonly DiscoveryConfig[]): Promise<{ watched: WatchedTarget[]; leftOut: LeftOut[]; ok: boolean }>;
  /** Where a target lives, resolved as the running exporter resolves it. */
  identityOf(target: TargetConfig): Promise<TargetIdentity>;
}

/** Runs `check` with the clients the exporter would make for `config`, and closes them afterwards. */
export async function withCheckSession<T>(config: ExporterConfig, logger: Logger, check: (session: CheckSession) => Promise<T>): Promise<T> {
  // The exporter's own settings and retries: the check makes the calls the exporter would.
  const clients = new AwsClients({
    settings: config,
    credentials: undefined,
    observe: () => undefined,
  });
  const accounts = new AccountResolver(clients);
  const pacer = new CallPacer(config.rateLimit, config.concurrency);
  const sources = sdkSources(clients);
  const refresher = new Refresher({ sources, accounts, pacer, logger });
  try {
    return await check({
      clients,
      accounts,
      pacer,
      async watchedTargets(discovery = config.discovery) {
        const { targets, leftOut, ok } = await refresher.discover(discovery, refresher.round());
        const listed = new Set(config.targets.map(targetKey));
        const watched: WatchedTarget[] = [
          ...config.targets.map((target) => ({ target, how: 'listed' as const })),
          ...targets.filter((target) => !listed.has(targetKey(target))).map((target) => ({ target, how: 'discovered' as const })),
        ];
        return { watched, leftOut: leftOut.filter(({ target }) => !listed.has(targetKey(target))), ok };
      },
      identityOf: (target) => resolveIdentity(target, target.kind, { sources, accounts }),
    });
  } finally {
    clients.destroy();
  }
}
