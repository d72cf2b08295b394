import type { ExpectConfig } from '../config/types.js';
import { medianOf } from './runSummary.js';
import type { Expectations, Expected, RunHistory } from './snapshot.js';

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * What a target is held to when neither its config, its schedule nor its history says: weekly (the longest
 * common cadence, so no healthy target pages for want of history), a day per run, two hours of waiting,
 * and a successful run's counts within half to twice their recent median.
 */
export const DEFAULT_EXPECTATIONS: Readonly<Record<keyof Expectations, number>> = {
  interval: WEEK,
  maxDuration: DAY,
  maxQueued: 2 * HOUR,
  volumeMinRatio: 0.5,
  volumeMaxRatio: 2,
};

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
}

/**
 * A target's thresholds, each from the first source that has one: its own config, the domain's schedule (the
 * interval only), the top-level config, its history, the default. History reads the newest runs: the
 * interval is the largest gap between their starts, capped at twice the median gap (an on-demand target's
 * irregular cadence fits, one long outage does not stretch it further); the longest run is three times the
 * median duration of the newest successful runs.
 */
export function expectationsOf(inputs: ExpectationInputs): Expectations {
  const { target, global, scheduledInterval, history } = inputs;
  const pick = (field: keyof ExpectConfig, scheduled: number | undefined, fromHistory: number | undefined): Expected => {
    const own = target?.[field];
    if (own !== undefined) return { value: own, source: 'config' };
    if (scheduled !== undefined) return { value: scheduled, source: 'schedule' };
    const shared = global[field];
    if (shared !== undefined) return { value: shared, source: 'config' };
    if (fromHistory !== undefined) return { value: fromHistory, source: 'history' };
    return { value: DEFAULT_EXPECTATIONS[field], source: 'default' };
  };
  return {
    interval: pick('interval', scheduledInterval, history && intervalFromHistory(history.starts)),
    maxDuration: pick('maxDuration', undefined, history && maxDurationFromHistory(history.successDurations)),
    maxQueued: pick('maxQueued', undefined, undefined),
    volumeMinRatio: pick('volumeMinRatio', undefined, undefined),
    volumeMaxRatio: pick('volumeMaxRatio', undefined, undefined),
  };
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
