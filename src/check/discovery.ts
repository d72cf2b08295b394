import type { ExporterConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { withCheckSession } from './session.js';

/**
 * `--config.check=discover`: runs the configuration's discoveries once against AWS and lists every target the
 * exporter would watch, listed and discovered, without starting anything. `ok` is false when a discovery failed.
 */
export async function checkDiscovery(config: ExporterConfig, logger: Logger): Promise<{ lines: string[]; ok: boolean }> {
  return withCheckSession(config, logger, async (session) => {
    const { watched, ok } = await session.watchedTargets();
    const lines = watched.map(({ target, how }) => [how, target.kind, target.region ?? '(default region)', target.name, target.role?.arn ?? ''].join('\t').trimEnd());
    return { lines, ok };
  });
}
