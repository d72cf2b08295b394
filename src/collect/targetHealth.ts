import { freshnessBudgetSeconds } from './expectations.js';
import { KIND_SPECS, MATCH_RATE } from './kinds.js';
import type { AnyTargetSnapshot, Expectations } from './snapshot.js';

/**
 * How a target stands, worst first: its calls fail (down); its runs fail as often as pages (failing); no success
 * within its freshness budget (late); its newest success's counts or match rate are out of their band (volume);
 * its newest run failed, fewer times in a row than pages (failed); nothing wrong (ok).
 */
const HEALTH_STATES = ['down', 'failing', 'late', 'volume', 'failed', 'ok'] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** The states the alerts page or warn for: a person should look. A single failed run waits for the next run. */
const IN_TROUBLE: ReadonlySet<HealthState> = new Set(['down', 'failing', 'late', 'volume']);

/** A key count or rate of the newest successful run against the median of the runs before it. */
export interface VolumeReading {
  readonly name: string;
  readonly last: number;
  readonly median: number;
  /** The band `last / median` must stay in, from the target's expectations. */
  readonly minRatio: number;
  readonly maxRatio: number;
  readonly outOfRange: boolean;
}

export interface TargetHealth {
  readonly state: HealthState;
  readonly inTrouble: boolean;
  /** Seconds since the newest success ended or, with none seen, since the oldest job seen started. */
  readonly sinceSuccessSeconds: number | undefined;
  /** True when no success has been seen: `sinceSuccessSeconds` counts from the oldest job. */
  readonly neverSucceeded: boolean;
  /** Seconds without a success before NoRecentSuccess pages, from the target's expectations. */
  readonly freshnessBudgetSeconds: number | undefined;
  readonly consecutiveFailures: number | undefined;
  readonly failedJobsToPage: number | undefined;
  /** The count or rate out of its band, else the first count compared; undefined until a median exists. */
  readonly volume: VolumeReading | undefined;
}

/**
 * Judges a target from its snapshot: the numbers its series carry and the expectations exported beside them, held
 * to what the alerts hold them to (JobFailed at failedJobsToPage or with no success seen, NoRecentSuccess past the
 * freshness budget, VolumeOutOfRange and MatchRateOutOfRange outside their bands). `now` is in epoch seconds.
 */
export function judgeTarget(target: AnyTargetSnapshot, now: number): TargetHealth {
  const expectations = target.expectations;
  const since = target.lastSuccessEnd ?? target.runs?.earliestStart;
  const sinceSuccessSeconds = since === undefined ? undefined : Math.max(0, now - since);
  const budget = expectations && freshnessBudgetSeconds(expectations);
  const consecutiveFailures = target.runs?.consecutiveFailures;
  const failedJobsToPage = expectations?.failedJobsToPage.value;
  const neverSucceeded = target.lastSuccessEnd === undefined;
  const volume = expectations && volumeReading(target, expectations);

  const failed = (consecutiveFailures ?? 0) > 0;
  const state: HealthState = !target.up ? 'down'
    : failed && (neverSucceeded || (failedJobsToPage !== undefined && (consecutiveFailures ?? 0) >= failedJobsToPage)) ? 'failing'
      : sinceSuccessSeconds !== undefined && budget !== undefined && sinceSuccessSeconds > budget ? 'late'
        : volume?.outOfRange === true ? 'volume'
          : failed ? 'failed'
            : 'ok';
  return { state, inTrouble: IN_TROUBLE.has(state), sinceSuccessSeconds, neverSucceeded, freshnessBudgetSeconds: budget, consecutiveFailures, failedJobsToPage, volume };
}

/** Worst first (HEALTH_STATES' order), then by account, region, kind and name, so the page keeps its order between loads. */
export function worstFirst<T extends { readonly health: TargetHealth; readonly target: AnyTargetSnapshot }>(rows: readonly T[]): T[] {
  const rank = (row: T): number => HEALTH_STATES.indexOf(row.health.state);
  const place = ({ target: { identity } }: T): string => [identity.accountId, identity.region, identity.kind, identity.target].join('\u0000');
  return [...rows].sort((a, b) => rank(a) - rank(b) || place(a).localeCompare(place(b)));
}

/** The key counts, each against the volume band, and the match rate against its own; the first out of band wins. */
function volumeReading(target: AnyTargetSnapshot, expectations: Expectations): VolumeReading | undefined {
  const volumes = target.runs?.volumes;
  if (volumes === undefined) return undefined;
  const bands: [string, number, number][] = [
    ...Object.keys(KIND_SPECS[target.identity.kind].volumes).map((name): [string, number, number] => [name, expectations.volumeMinRatio.value, expectations.volumeMaxRatio.value]),
    [MATCH_RATE, expectations.matchRateMinRatio.value, expectations.matchRateMaxRatio.value],
  ];
  const readings = bands.flatMap(([name, minRatio, maxRatio]): VolumeReading[] => {
    const last = volumes.last.get(name);
    const median = volumes.median.get(name);
    // As in the alerts, a median of 0 gives no ratio to judge.
    if (last === undefined || median === undefined || median <= 0) return [];
    const ratio = last / median;
    return [{ name, last, median, minRatio, maxRatio, outOfRange: ratio < minRatio || ratio > maxRatio }];
  });
  return readings.find((reading) => reading.outOfRange) ?? readings[0];
}
