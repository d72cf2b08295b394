import type { DomainDetail, WorkflowSummary } from '../aws/catalogSources.js';
import type { TargetKind } from '../config/types.js';
import type { JobDetailByKind } from './kinds.js';

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
  readonly lastError: string | undefined;
  /** The per-job series to export, newest first. */
  readonly jobs: readonly CollectedJob<JobDetailByKind[K]>[];
  readonly latestStatus: string | undefined;
  readonly lastSuccessEnd: number | undefined;
  readonly lastFailureEnd: number | undefined;
  /** Undefined until the target's first successful collection. */
  readonly counters: FinishedCounters | undefined;
  /** What GetDomain or List*Workflows last said about the target (refreshed every few collections). */
  readonly facts?: TargetFacts | undefined;
}

/** A domain's settings and size, or a workflow's summary; undefined until first read. */
export interface TargetFacts {
  readonly domain?: DomainDetail | undefined;
  readonly workflow?: WorkflowSummary | undefined;
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
