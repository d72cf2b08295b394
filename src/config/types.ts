import type { TargetKind } from '../model/kinds.js';
import type { RoleRef, TargetRef } from '../model/target.js';

/**
 * What the user expects of a target, overriding what the exporter infers (schedule, history, defaults).
 * Durations in seconds; every field optional.
 */
export interface ExpectConfig {
  /** Time between runs: a success is overdue once the last ended more than this plus maxDuration ago. */
  readonly interval?: number | undefined;
  /** Longest a run may take. */
  readonly maxDuration?: number | undefined;
  /** Longest a job may wait (QUEUED, PENDING, a scheduled run not started). */
  readonly maxQueued?: number | undefined;
  /** A key count of a successful run below this share of its recent median is too low (0 < x < 1). */
  readonly volumeMinRatio?: number | undefined;
  /** ...and above this multiple of it too high (x > 1). */
  readonly volumeMaxRatio?: number | undefined;
  /** Failed runs in a row at which a failure pages (an integer >= 1). */
  readonly failedJobsToPage?: number | undefined;
  /** Highest share of a successful Entity Resolution run's input records it may leave unprocessed (0 <= x < 1). */
  readonly maxRecordsNotProcessedRatio?: number | undefined;
  /** A successful run's match rate below this share of its recent median is too low (0 < x < 1)... */
  readonly matchRateMinRatio?: number | undefined;
  /** ...and above this multiple of it too high (x > 1). */
  readonly matchRateMaxRatio?: number | undefined;
  /** Longest a domain's enabled rule-based matching may stay PENDING or IN_PROGRESS. */
  readonly ruleBasedMatchingMaxInactive?: number | undefined;
}

/** One domain (identity_resolution) or workflow (matching, id_mapping) to poll, with what is expected of it. */
export interface TargetConfig extends TargetRef {
  /** The target's own `expect:`, over its discover block's. */
  readonly expect?: ExpectConfig | undefined;
  /** Tag keys that become `tag_<key>` labels on its info series: the top-level list and its own (or its discover block's). */
  readonly tagLabels?: readonly string[] | undefined;
}

/** A tag a discovered resource must have: with this value, or (null) with any value. */
export type RequiredTags = ReadonlyMap<string, string | null>;

/** Where to look for targets beyond the listed ones, and which to keep. */
export interface DiscoveryConfig {
  /** Customer Profiles discovery finds domains; Entity Resolution discovery finds matching and ID-mapping workflows. */
  readonly kinds: readonly TargetKind[];
  /** Undefined: the SDK's default region. */
  readonly regions: readonly (string | undefined)[];
  /** Regular expressions a name must match (include) and must not match (exclude). */
  readonly include: string | undefined;
  readonly exclude: string | undefined;
  /** Customer Profiles: also domains whose identity resolution (Matching) is off. */
  readonly allDomains: boolean;
  readonly role: RoleRef | undefined;
  /** Given to every target this discovery finds. */
  readonly expect: ExpectConfig | undefined;
  /** Given to every target this discovery finds: the top-level list and the block's own. */
  readonly tagLabels: readonly string[];
  /** Tags a resource must have to be watched (empty: none). */
  readonly requireTags: RequiredTags;
}

/** The validated configuration, with defaults applied. */
export interface ExporterConfig {
  /** node-cron expression (5 or 6 fields). */
  readonly schedule: string;
  /** Per HTTP attempt to AWS; always shorter than the schedule's interval. */
  readonly requestTimeoutSeconds: number;
  /** A collection still running after this is abandoned: its unfinished targets are marked down. */
  readonly collectionTimeoutSeconds: number;
  /** Where counters and known-finished jobs survive restarts; undefined keeps them in memory only. */
  readonly stateFile: string | undefined;
  /** Per-job series only for jobs started within this many seconds. */
  readonly lookbackSeconds: number;
  /** At most this many newest jobs per target get per-job series (0 = summary series only). */
  readonly maxJobsPerTarget: number;
  /** AWS calls in flight at once, all targets together. */
  readonly concurrency: number;
  /** Requests per second this exporter may send per (account, region, operation); a share of AWS's default 5 TPS. */
  readonly rateLimit: number;
  /** Top-level default region, if configured. */
  readonly region: string | undefined;
  /** Overrides the Customer Profiles, Entity Resolution and STS endpoints for the whole config. */
  readonly endpointUrl: string | undefined;
  readonly targets: readonly TargetConfig[];
  readonly discovery: readonly DiscoveryConfig[];
  /** Discovery, GetDomain facts and workflow summaries are read again every this many collections. */
  readonly refreshEveryCollections: number;
  /** The top-level `expect:`: below a target's own and a domain's schedule, above history and defaults. */
  readonly expect: ExpectConfig;
}
