import type { DomainDetail, WorkflowDetail } from '../aws/catalogSources.js';
import type { ErrorReport } from '../aws/errors.js';
import type { JobDetailByKind } from '../aws/types.js';
import type { TargetKind } from '../model/kinds.js';
import type { RuleBasedMatchingState } from './ruleBasedMatching.js';

/** Where a target lives: the labels every one of its series carries. */
export interface TargetIdentity<K extends TargetKind = TargetKind> {
  readonly kind: K;
  /** Domain or workflow name (for an ID-mapping ARN, the name part). */
  readonly target: string;
  readonly accountId: string;
  readonly region: string;
}

/** Per target, per terminal status: jobs first seen finished since the target's first collection. */
export interface FinishedCounters {
  readonly finishedByStatus: ReadonlyMap<string, number>;
  /** Statistic name (e.g. `profiles_reviewed`) → sum over counted jobs. */
  readonly statisticSums: ReadonlyMap<string, number>;
}

/** A job's detail under the id it was listed with (every member of a Get answer is optional, JobId included). */
export interface CollectedJob<D> {
  readonly id: string;
  readonly detail: D;
}

/** What one target looked like after its latest collection attempt. Immutable once published. */
export interface TargetSnapshot<K extends TargetKind = TargetKind> {
  readonly identity: TargetIdentity<K>;
  readonly up: boolean;
  /** Epoch seconds the job data below was read at (durations of running jobs are measured to it). */
  readonly dataTime: number | undefined;
  /** Epoch seconds of the last successful collection of this target. */
  readonly lastSuccessTime: number | undefined;
  /** Why its last collection failed; undefined while it is up. */
  readonly lastError: ErrorReport | undefined;
  /** The per-job series to export, newest first. */
  readonly jobs: readonly CollectedJob<JobDetailByKind[K]>[];
  readonly latestStatus: string | undefined;
  readonly lastSuccessEnd: number | undefined;
  readonly lastFailureEnd: number | undefined;
  /** Undefined until the target's first successful collection. */
  readonly counters: FinishedCounters | undefined;
  /** What GetDomain or Get*Workflow last said about the target (refreshed every few collections). */
  readonly facts?: TargetFacts | undefined;
  /** The tag keys whose values label its info series (`tag_labels`). */
  readonly tagKeys?: readonly string[] | undefined;
  /** What the target's newest runs say, whatever the per-job window holds: what the alerts stand on. */
  readonly runs?: RunSummary | undefined;
  /** When each problem is due to page for this target, and where that came from. */
  readonly expectations?: Expectations | undefined;
  /** False while the target's facts (GetDomain, Get*Workflow) or the discovery that found it fail to refresh. */
  readonly refreshOk?: boolean | undefined;
  /** Why the last refresh of its facts, or the discovery that found it, failed. */
  readonly refreshError?: ErrorReport | undefined;
}

/** The newest job of a target, as its list page (or its detail, when read) shows it. */
export interface LatestJob {
  readonly start: number | undefined;
  readonly end: number | undefined;
  /** While it waits (QUEUED, PENDING): seconds since its start, 0 while its start is still ahead. */
  readonly queuedSeconds: number | undefined;
  /** While it runs: seconds since its start. */
  readonly runningSeconds: number | undefined;
}

/** The newest job that finished, for the alerts' annotations. */
export interface FinishedJob {
  readonly id: string;
  readonly status: string;
  readonly message: string | undefined;
}

/** The target's recent past, newest first: how often it runs and how long its successes take. */
export interface RunHistory {
  /** Epoch seconds each of the newest runs started. */
  readonly starts: readonly number[];
  /** Seconds each of the newest successful runs took. */
  readonly successDurations: readonly number[];
}

/**
 * Key counts (records in and processed, matches, merges) and rates (match rate, share not processed) of the
 * newest successful run, and their recent medians.
 */
export interface Volumes {
  readonly last: ReadonlyMap<string, number>;
  /** Median of each over the successful runs before the newest (absent with none). */
  readonly median: ReadonlyMap<string, number>;
}

export interface RunSummary {
  /** The newest job's status: its detail's when that was read after the list page, else the list's. */
  readonly latestStatus: string | undefined;
  readonly latest: LatestJob | undefined;
  readonly latestFinished: FinishedJob | undefined;
  /** How many of the newest finished jobs failed in a row; undefined until a finished job is seen. */
  readonly consecutiveFailures: number | undefined;
  /** The oldest job start seen: how far back the exporter's view of the target goes. */
  readonly earliestStart: number | undefined;
  readonly history: RunHistory;
  readonly volumes: Volumes | undefined;
}

/** Where an expectation came from, in the order one overrides the next. */
export type ExpectationSource = 'config' | 'schedule' | 'history' | 'default';

export interface Expected {
  readonly value: number;
  readonly source: ExpectationSource;
}

/** A target's own thresholds: what its alerts compare with. */
export interface Expectations {
  /**
   * Seconds between runs; a success is overdue past failedJobsToPage of them plus maxDuration (freshnessBudgetSeconds).
   * Undefined for an automatic workflow (AWS runs it when data arrives) until its config or history says.
   */
  readonly interval: Expected | undefined;
  /** Seconds a run may take. */
  readonly maxDuration: Expected;
  /** Seconds a job may wait (QUEUED, PENDING, or a scheduled run not started yet). */
  readonly maxQueued: Expected;
  /** A successful run's key count below this share of its recent median is too low... */
  readonly volumeMinRatio: Expected;
  /** ...and above this multiple of it too high. */
  readonly volumeMaxRatio: Expected;
  /** Failed runs in a row at which a failure pages rather than warns. */
  readonly failedJobsToPage: Expected;
  /** Highest share of a successful run's input it may leave unprocessed (Entity Resolution). */
  readonly maxRecordsNotProcessedRatio: Expected;
  /** A successful run's match rate below this share of its recent median is too low... */
  readonly matchRateMinRatio: Expected;
  /** ...and above this multiple of it too high. */
  readonly matchRateMaxRatio: Expected;
  /** Seconds a domain's enabled rule-based matching may stay PENDING or IN_PROGRESS. */
  readonly ruleBasedMatchingMaxInactive: Expected;
}

/** A domain's settings and size, or a workflow's settings; undefined until first read. */
export interface TargetFacts {
  readonly domain?: DomainDetail | undefined;
  /** The domain's rule-based matching status and since when (undefined while it is off). */
  readonly ruleBasedMatching?: RuleBasedMatchingState | undefined;
  readonly workflow?: WorkflowDetail | undefined;
  /** Epoch seconds the facts were read at: the schedule's last and next run are reckoned from the collection's time. */
  readonly readAt: number;
}

export type AnyTargetSnapshot = { [K in TargetKind]: TargetSnapshot<K> }[TargetKind];

/** The result of one collection across every target. */
export interface CollectionSnapshot {
  readonly targets: readonly AnyTargetSnapshot[];
  /** Epoch seconds the collection finished. */
  readonly finishedAt: number;
  readonly durationSeconds: number;
}
