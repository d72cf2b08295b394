/** The three kinds of job source the exporter watches; also the `kind` label of the self-metrics. */
export type TargetKind = 'identity_resolution' | 'matching' | 'id_mapping';

export const TARGET_KINDS: readonly TargetKind[] = ['identity_resolution', 'matching', 'id_mapping'];

/** A kind's job statuses, as the SDK model names them, and what each means for the exporter. */
export interface JobStatuses {
  /** Every status, in lifecycle order: the stateset members. */
  readonly known: readonly string[];
  /** A job in one of these never changes again. */
  readonly terminal: ReadonlySet<string>;
  readonly success: ReadonlySet<string>;
  /** Finished, but not as asked (PARTIAL_SUCCESS included). */
  readonly failure: ReadonlySet<string>;
  /** Finished and failed outright. */
  readonly failed: ReadonlySet<string>;
  /** Waiting to run: time since start is time queued. A PENDING identity-resolution job's start is when it is due. */
  readonly queued: ReadonlySet<string>;
  readonly running: ReadonlySet<string>;
}

const IDENTITY_RESOLUTION_RUNNING = ['PREPROCESSING', 'FIND_MATCHING', 'MERGING'];
const IDENTITY_RESOLUTION_TERMINAL = ['COMPLETED', 'PARTIAL_SUCCESS', 'FAILED'];
const ENTITY_RESOLUTION_TERMINAL = ['SUCCEEDED', 'FAILED'];
const FAILED = new Set(['FAILED']);

const ENTITY_RESOLUTION_STATUSES: JobStatuses = {
  known: ['QUEUED', 'RUNNING', ...ENTITY_RESOLUTION_TERMINAL],
  terminal: new Set(ENTITY_RESOLUTION_TERMINAL),
  success: new Set(['SUCCEEDED']),
  failure: FAILED,
  failed: FAILED,
  queued: new Set(['QUEUED']),
  running: new Set(['RUNNING']),
};

export const JOB_STATUSES: Readonly<Record<TargetKind, JobStatuses>> = {
  identity_resolution: {
    known: ['PENDING', ...IDENTITY_RESOLUTION_RUNNING, ...IDENTITY_RESOLUTION_TERMINAL],
    terminal: new Set(IDENTITY_RESOLUTION_TERMINAL),
    success: new Set(['COMPLETED']),
    failure: new Set(['FAILED', 'PARTIAL_SUCCESS']),
    failed: FAILED,
    queued: new Set(['PENDING']),
    running: new Set(IDENTITY_RESOLUTION_RUNNING),
  },
  matching: ENTITY_RESOLUTION_STATUSES,
  id_mapping: ENTITY_RESOLUTION_STATUSES,
};

/** Every metric of a service starts with its prefix. */
export const SERVICE_METRIC_PREFIX = {
  customerProfiles: 'aws_customer_profiles_',
  entityResolution: 'aws_entity_resolution_',
} as const;

/** The prefix of a kind's job and target metrics. */
export const METRIC_PREFIX: Readonly<Record<TargetKind, string>> = {
  identity_resolution: `${SERVICE_METRIC_PREFIX.customerProfiles}identity_resolution_`,
  matching: `${SERVICE_METRIC_PREFIX.entityResolution}matching_`,
  id_mapping: `${SERVICE_METRIC_PREFIX.entityResolution}id_mapping_`,
};

/** The label that names a kind's target in its series. */
export const TARGET_LABEL: Readonly<Record<TargetKind, 'domain' | 'workflow'>> = {
  identity_resolution: 'domain',
  matching: 'workflow',
  id_mapping: 'workflow',
};
