import type { ExpectConfig } from '../config/types.js';
import { RECORDS_NOT_PROCESSED_RATIO } from './kinds.js';
import { medianOf } from './runSummary.js';
import type { Expectations, Expected, RunHistory } from './snapshot.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * What a target is held to when neither its config, its schedule nor its history says: weekly (the longest
 * common cadence, so no healthy target pages for want of history), a day per run, two hours of waiting,
 * a successful run's counts within half to twice their recent median; three failed runs in a row before a
 * failure pages (the next run of a target that runs more often than daily usually restores what one failure
 * cost); 5 % of a run's input left unprocessed; a match rate within 0.8 to 1.25 times its recent median
 * (a steadier figure than the counts it is the ratio of); a day for rule-based matching to become ACTIVE (AWS waits an
 * hour before it starts on an existing domain, then evaluates all its profiles, for which it states no bound: a day
 * lets a large domain's first evaluation finish without a warning).
 */
export const DEFAULT_EXPECTATIONS: Readonly<Record<keyof Expectations, number>> = {
  interval: WEEK,
  maxDuration: DAY,
  maxQueued: 2 * HOUR,
  volumeMinRatio: 0.5,
  volumeMaxRatio: 2,
  failedJobsToPage: 3,
  maxRecordsNotProcessedRatio: 0.05,
  matchRateMinRatio: 0.8,
  matchRateMaxRatio: 1.25,
  ruleBasedMatchingMaxInactive: DAY,
};

/**
 * A target expected to run this seldom or less pages at its first failed run: its next chance to succeed is
 * at least this far away.
 */
export const PAGE_AT_FIRST_FAILURE_INTERVAL = DAY;
/** How far above its recent median share a run's unprocessed share may go, as history allows. */
export const NOT_PROCESSED_MARGIN = 0.05;

/** Runs needed before history says anything: two gaps, or three durations, are a pattern; fewer are chance. */
export const MIN_HISTORY_RUNS = 3;
/** A run may take this many times its successful runs' median before it is too long. */
export const MAX_DURATION_FACTOR = 3;
/** An irregular cadence widens the interval up to this many times the median gap, never beyond. */
export const MAX_GAP_FACTOR = 2;

export interface ExpectationInputs {
  /** The target's own `expect:` (over its discover block's). */
  readonly target: ExpectConfig | undefined;
  /** The top-level `expect:`. */
  readonly global: ExpectConfig;
  /** Seconds between scheduled runs, when AWS schedules the target (a Customer Profiles domain's weekly run). */
  readonly scheduledInterval: number | undefined;
  readonly history: RunHistory | undefined;
  /** Medians of the successful runs before the newest, by count or rate name (RunSummary's volumes). */
  readonly recentMedians?: ReadonlyMap<string, number> | undefined;
  /** An automatic workflow (incremental run type IMMEDIATE): AWS runs it whenever data arrives, on no interval. */
  readonly automatic?: boolean | undefined;
}

/**
 * A target's thresholds, each from the first source that has one: its own config, the domain's schedule (the
 * interval only), the top-level config, its history, the default. History reads the newest runs: the
 * interval is the largest gap between their starts, capped at twice the median gap (an on-demand target's
 * irregular cadence fits, one long outage does not stretch it further); the longest run is three times the
 * median duration of the newest successful runs; the unprocessed share may exceed its recent median by 5
 * points. The failures to page follow the interval unless configured: 1 once it is a day or more. An automatic
 * workflow has no default interval: it runs when data arrives, so only its config or its history sets one.
 */
export function expectationsOf(inputs: ExpectationInputs): Expectations {
  const { target, global, scheduledInterval, history, recentMedians, automatic = false } = inputs;
  const configured = (field: keyof ExpectConfig, scheduled: number | undefined, fromHistory: number | undefined): Expected | undefined => {
    const own = target?.[field];
    if (own !== undefined) return { value: own, source: 'config' };
    if (scheduled !== undefined) return { value: scheduled, source: 'schedule' };
    const shared = global[field];
    if (shared !== undefined) return { value: shared, source: 'config' };
    if (fromHistory !== undefined) return { value: fromHistory, source: 'history' };
    return undefined;
  };
  const pick = (field: keyof ExpectConfig, scheduled: number | undefined, fromHistory: number | undefined): Expected =>
    configured(field, scheduled, fromHistory) ?? { value: DEFAULT_EXPECTATIONS[field], source: 'default' };
  const fromHistory = history && intervalFromHistory(history.starts);
  const interval = automatic ? configured('interval', scheduledInterval, fromHistory) : pick('interval', scheduledInterval, fromHistory);
  const notProcessedMedian = recentMedians?.get(RECORDS_NOT_PROCESSED_RATIO);
  return {
    interval,
    maxDuration: pick('maxDuration', undefined, history && maxDurationFromHistory(history.successDurations)),
    maxQueued: pick('maxQueued', undefined, undefined),
    volumeMinRatio: pick('volumeMinRatio', undefined, undefined),
    volumeMaxRatio: pick('volumeMaxRatio', undefined, undefined),
    failedJobsToPage: failedJobsToPage(target?.failedJobsToPage ?? global.failedJobsToPage, interval),
    maxRecordsNotProcessedRatio: pick('maxRecordsNotProcessedRatio', undefined, notProcessedMedian === undefined ? undefined : Math.min(1, notProcessedMedian + NOT_PROCESSED_MARGIN)),
    matchRateMinRatio: pick('matchRateMinRatio', undefined, undefined),
    matchRateMaxRatio: pick('matchRateMaxRatio', undefined, undefined),
    ruleBasedMatchingMaxInactive: pick('ruleBasedMatchingMaxInactive', undefined, undefined),
  };
}

/**
 * Configured anywhere, the configured count; else 1 for a target expected to run daily or less often (a
 * failure costs it a day or more of freshness, with the interval's source), else the default.
 */
function failedJobsToPage(configured: number | undefined, interval: Expected | undefined): Expected {
  if (configured !== undefined) return { value: configured, source: 'config' };
  if (interval !== undefined && interval.value >= PAGE_AT_FIRST_FAILURE_INTERVAL) return { value: 1, source: interval.source };
  return { value: DEFAULT_EXPECTATIONS.failedJobsToPage, source: 'default' };
}

/** Starts are newest first; undefined with too few runs, or when every run started at once. */
function intervalFromHistory(starts: readonly number[]): number | undefined {
  if (starts.length < MIN_HISTORY_RUNS) return undefined;
  const gaps = starts.slice(1).map((start, i) => (starts[i] ?? start) - start);
  const median = medianOf(gaps) ?? 0;
  if (median <= 0) return undefined;
  return Math.min(Math.max(...gaps), MAX_GAP_FACTOR * median);
}

function maxDurationFromHistory(durations: readonly number[]): number | undefined {
  if (durations.length < MIN_HISTORY_RUNS) return undefined;
  const median = medianOf(durations) ?? 0;
  return median > 0 ? MAX_DURATION_FACTOR * median : undefined;
}

/**
 * Seconds a target may go without a success before NoRecentSuccess pages: failedJobsToPage intervals (the runs
 * that may fail before one pages) plus one run. The alert computes the same from the exported expected_* series.
 */
export function freshnessBudgetSeconds(expectations: Expectations): number | undefined {
  const { interval } = expectations;
  return interval && expectations.failedJobsToPage.value * interval.value + expectations.maxDuration.value;
}
