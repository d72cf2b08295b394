import type { DomainDetail } from '../aws/catalogSources.js';
import { epochSeconds } from '../model/time.js';

/** A domain's rule-based matching as seen over successive refreshes: GetDomain tells its status, not since when. */
export interface RuleBasedMatchingState {
  readonly status: string;
  /** Epoch seconds it entered `status`. */
  readonly since: number;
  /** Epoch seconds it last left ACTIVE (or was first seen not ACTIVE); undefined while ACTIVE. */
  readonly inactiveSince: number | undefined;
}

const ACTIVE = 'ACTIVE';

/**
 * The state after a refresh read `domain` at `now`. A status first seen (at start-up, or when the domain is first
 * watched) dates from the domain's LastUpdatedAt: AWS moves rule-based matching to PENDING when it is configured,
 * which updates the domain, so a status stuck since then reads as stuck after a restart too. A change seen between
 * two refreshes dates from the refresh that saw it. Undefined while rule-based matching is off or has no status.
 */
export function nextRuleBasedMatching(previous: RuleBasedMatchingState | undefined, domain: DomainDetail, now: number): RuleBasedMatchingState | undefined {
  const matching = domain.RuleBasedMatching;
  if (matching?.Enabled !== true || matching.Status === undefined) return undefined;
  const status = matching.Status;
  if (previous === undefined) {
    const firstSeen = Math.min(epochSeconds(domain.LastUpdatedAt) ?? now, now);
    return { status, since: firstSeen, inactiveSince: status === ACTIVE ? undefined : firstSeen };
  }
  if (previous.status === status) return previous;
  return { status, since: now, inactiveSince: status === ACTIVE ? undefined : (previous.inactiveSince ?? now) };
}
