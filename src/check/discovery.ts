import { shardOf, type Shard } from '../collect/shard.js';
import type { ExporterConfig, TargetConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { withCheckSession, type CheckSession, type WatchedTarget } from './session.js';

/**
 * `--config.check=discover`: runs the configuration's discoveries once against AWS and lists every target the
 * exporter would watch, listed and discovered, without starting anything: one tab-separated row per target (how it
 * is watched, kind, region, name, role), then a row per resource a discovery left out, with why (a name pattern,
 * a required tag, identity resolution off). With `--shard.*`, each row starts with the shard that takes the
 * target (`no shard` for those left out), and a last line says how many this shard takes. `ok` is false when a
 * discovery failed.
 */
export async function checkDiscovery(config: ExporterConfig, logger: Logger, shard?: Shard): Promise<{ lines: string[]; ok: boolean }> {
  return withCheckSession(config, logger, async (session) => {
    const { watched, leftOut, ok } = await session.watchedTargets();
    const rows = watched.map(({ target, how }) => row(how, target));
    const leftOutRows = leftOut.map(({ target, why }) => [...row('left out', target), why]);
    if (shard === undefined) return { lines: [...rows, ...leftOutRows].map(tabSeparated), ok };
    const takers = await Promise.all(watched.map((entry) => takerOf(session, entry, shard)));
    const lines = [
      ...rows.map((cells, index) => tabSeparated([describeTaker(takers[index], shard), ...cells])),
      ...leftOutRows.map((cells) => tabSeparated(['no shard', ...cells])),
    ];
    const taken = takers.filter((taker) => taker === undefined || taker === shard.index).length;
    lines.push(`shard ${shard.index} of ${shard.count} takes ${taken} of ${watched.length} targets`);
    return { lines, ok };
  });
}

/**
 * Which shard takes the target, as the running shards decide it: by the hash of its resolved identity. Undefined
 * when its account cannot be resolved: every shard collects such a target, so that its failure is not hidden.
 */
async function takerOf(session: CheckSession, { target }: WatchedTarget, shard: Shard): Promise<number | undefined> {
  try {
    return shardOf(await session.identityOf(target), shard.count);
  } catch {
    return undefined;
  }
}

function describeTaker(taker: number | undefined, shard: Shard): string {
  if (taker === undefined) return 'every shard';
  return taker === shard.index ? `this shard (${taker})` : `shard ${taker}`;
}

/** A target's cells: how it is (or is not) watched, kind, region, name, role. */
function row(how: string, target: TargetConfig): string[] {
  return [how, target.kind, target.region ?? '(default region)', target.name, target.role?.arn ?? ''];
}

const tabSeparated = (cells: readonly string[]): string => cells.join('\t').trimEnd();
