import { AccountResolver } from './aws/accounts.js';
import { AwsClients } from './aws/clients.js';
import { CallPacer } from './aws/pacing.js';
import { Refresher } from './collect/refresh.js';
import { targetKey } from './collect/targets.js';
import type { ExporterConfig, TargetConfig } from './config/types.js';
import type { Logger } from './log.js';

/**
 * `--config.check=discover`: runs the configuration's discoveries once against AWS and lists every target the
 * exporter would watch, listed and discovered, without starting anything. `ok` is false when a discovery failed.
 */
export async function checkDiscovery(config: ExporterConfig, logger: Logger): Promise<{ lines: string[]; ok: boolean }> {
  const clients = new AwsClients({
    endpointUrl: config.endpointUrl,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    maxAttempts: 3,
    credentials: undefined,
    observe: () => undefined,
  });
  try {
    const refresher = new Refresher({ clients, accounts: new AccountResolver(clients), pacer: new CallPacer(config.rateLimit, config.concurrency), logger });
    const { targets, ok } = await refresher.discover(config.discovery, refresher.round());
    const listed = new Set(config.targets.map(targetKey));
    const describe = (target: TargetConfig, how: string): string =>
      [how, target.kind, target.region ?? '(default region)', target.name, target.role?.arn ?? ''].join('\t').trimEnd();
    const lines = [
      ...config.targets.map((target) => describe(target, 'listed')),
      ...targets.filter((target) => !listed.has(targetKey(target))).map((target) => describe(target, 'discovered')),
    ];
    return { lines, ok };
  } finally {
    clients.destroy();
  }
}
