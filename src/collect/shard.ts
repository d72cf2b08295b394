import { createHash } from 'node:crypto';
import { identityKey, type TargetIdentity } from '../model/target.js';

/** One of `count` exporter instances that split the targets between them. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * The shard a target belongs to: a hash of what identifies it in AWS (account, region, kind, name), so every
 * instance agrees without talking to the others, and the answer never changes while the target exists.
 */
export function shardOf(identity: TargetIdentity, count: number): number {
  const digest = createHash('sha256').update(identityKey(identity)).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count));
}

/** Whether this instance watches the target; every target is its own when there is no sharding. */
export function isMine(identity: TargetIdentity, shard: Shard | undefined): boolean {
  return shard === undefined || shardOf(identity, shard.count) === shard.index;
}
