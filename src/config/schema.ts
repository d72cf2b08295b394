import cron from 'node-cron';
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import { scheduleIntervalSeconds } from './schedule.js';
import { DEFAULT_MAX_ATTEMPTS, longestCallSeconds } from '../model/callBudget.js';
import { describeValue } from '../model/describeValue.js';
import type { TargetKind } from '../model/kinds.js';
import { DOMAIN_NAME_MAX, isArn, nameProblem, parseIdMappingArn, targetKey, targetRef, WORKFLOW_NAME_MAX, type RoleRef } from '../model/target.js';
import { expected, formatPath } from './issues.js';
import { partitionOf, regionProblem } from './regions.js';
import { tagKeyProblem, tagLabelCollisions } from '../model/tags.js';
import type { DiscoveryConfig, ExpectConfig, ExporterConfig, RequiredTags, TargetConfig } from './types.js';

/** Per HTTP attempt to AWS, unless the schedule leaves less time. */
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
const MIN_DEFAULT_COLLECTION_TIMEOUT_SECONDS = 60;
/** Why a schedule cannot be used, or undefined if node-cron accepts it. */
function cronProblem(expression: string): string | undefined {
  const fieldCount = expression.trim().split(/\s+/).length;
  if (fieldCount !== 5 && fieldCount !== 6) {
    return `${describeValue(expression)} has ${fieldCount} field(s); a cron expression needs 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`;
  }
  if (cron.validate(expression)) return undefined;
  const reasons = cron.validateDetailed(expression).errors.map((error) => error.message);
  return `${describeValue(expression)} is not a valid cron expression (${reasons.join('; ')})`;
}

/** `base` made to report `check`'s problem, if any, as the value's error. */
function checked(base: z.ZodString, check: (text: string) => string | undefined) {
  return base.superRefine((text, ctx) => {
    const problem = check(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
  });
}

/** A target name; YAML reads unquoted names such as 2024 or true as a number or boolean, so say how to fix that. */
function nameString(description: string) {
  const { error } = expected(description);
  return z.string({
    error: (issue) =>
      typeof issue.input === 'number' || typeof issue.input === 'boolean'
        ? `${error(issue)} (YAML reads it as a ${typeof issue.input}; quote it to use it as a name)`
        : error(issue),
  });
}

function count(minimum: number) {
  const error = expected(`an integer >= ${minimum}`);
  return z.int(error).min(minimum, error);
}

/** A region the AWS SDK knows: a typo would otherwise pass, and then every call would fail to resolve its endpoint. */
const awsRegion = checked(z.string(expected('an AWS region such as us-east-1')), regionProblem);

/** A duration above zero, parsed to seconds. */
const positiveDuration = (example: string) => z.string(expected(`a duration such as ${example}`)).transform((text, ctx) => {
  let seconds: number;
  try {
    seconds = parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message, input: text });
    return z.NEVER;
  }
  if (seconds === 0) ctx.addIssue({ code: 'custom', message: `expected a duration above zero, got ${describeValue(text)}`, input: text });
  return seconds;
});

const ratio = (description: string, valid: (value: number) => boolean) =>
  z.number(expected(description)).refine(valid, expected(description));

/** `expect:` on a target, a discovery, or the whole config: thresholds the exporter would otherwise infer. */
const expectShape = z.strictObject({
  interval: positiveDuration('1d').optional(),
  max_duration: positiveDuration('2h').optional(),
  max_queued: positiveDuration('1h').optional(),
  volume_min_ratio: ratio('a number above 0 and below 1, such as 0.5', (value) => value > 0 && value < 1).optional(),
  volume_max_ratio: ratio('a number above 1, such as 2', (value) => value > 1 && Number.isFinite(value)).optional(),
  failed_jobs_to_page: count(1).optional(),
  max_records_not_processed_ratio: ratio('a number from 0 and below 1, such as 0.05', (value) => value >= 0 && value < 1).optional(),
  match_rate_min_ratio: ratio('a number above 0 and below 1, such as 0.8', (value) => value > 0 && value < 1).optional(),
  match_rate_max_ratio: ratio('a number above 1, such as 1.25', (value) => value > 1 && Number.isFinite(value)).optional(),
  rule_based_matching_max_inactive: positiveDuration('1d').optional(),
}).transform((spec): ExpectConfig => ({
  interval: spec.interval,
  maxDuration: spec.max_duration,
  maxQueued: spec.max_queued,
  volumeMinRatio: spec.volume_min_ratio,
  volumeMaxRatio: spec.volume_max_ratio,
  failedJobsToPage: spec.failed_jobs_to_page,
  maxRecordsNotProcessedRatio: spec.max_records_not_processed_ratio,
  matchRateMinRatio: spec.match_rate_min_ratio,
  matchRateMaxRatio: spec.match_rate_max_ratio,
  ruleBasedMatchingMaxInactive: spec.rule_based_matching_max_inactive,
}));

/** `tag_labels:`: the tag keys whose values become `tag_<key>` labels (tags are unbounded, so only those listed). */
const tagKeys = z.array(checked(z.string(expected('a tag key')), tagKeyProblem), expected('a list of tag keys such as [team]'));

/** `require_tags:` of a discover block: a key with a value must have that value; a key with none must be present. */
const requiredTags = z.record(
  checked(z.string(expected('a tag key')), tagKeyProblem),
  z.string(expected('a tag value, or nothing for "any value"')).nullable(),
  expected('a map of tag key to value, such as {team: payments}'),
).transform((tags) => new Map(Object.entries(tags)));

const ROLE_ARN = /^arn:aws(?:-us-gov|-cn)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** `role_arn` with its `external_id` and `session_name`, as STS AssumeRole constrains them. */
const roleFields = {
  role_arn: z.string(expected('an IAM role ARN')).regex(ROLE_ARN, expected('an IAM role ARN such as arn:aws:iam::123456789012:role/aws-resolution-reader')).optional(),
  external_id: z.string(expected('an external id')).regex(/^[\w+=,.@:/-]{2,1224}$/, expected('2-1224 characters of letters, digits and +=,.@:/-')).optional(),
  session_name: z.string(expected('a session name')).regex(/^[\w+=,.@-]{2,64}$/, expected('2-64 characters of letters, digits and +=,.@-')).optional(),
};

interface RoleFields { role_arn?: string | undefined; external_id?: string | undefined; session_name?: string | undefined }

/** The role of an entry, or undefined; an external id or session name without a role is reported. */
function roleOf(entry: RoleFields, ctx: z.RefinementCtx): RoleRef | undefined {
  if (entry.role_arn === undefined) {
    for (const key of ['external_id', 'session_name'] as const) {
      if (entry[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} needs a role_arn to go with`, input: entry[key] });
    }
    return undefined;
  }
  return { arn: entry.role_arn, externalId: entry.external_id, sessionName: entry.session_name };
}

/** A list entry that names one target: `{name, region?, role_arn?, external_id?, session_name?}`. */
function targetEntry<Name extends z.ZodType<unknown, string>>(name: Name) {
  return z.strictObject(
    { name, region: awsRegion.optional(), expect: expectShape.optional(), tag_labels: tagKeys.optional(), ...roleFields },
    { error: (issue) => (issue.code === 'invalid_type' ? `expected a map with a name key, got ${describeValue(issue.input)}` : undefined) },
  );
}

/** What every target entry becomes: its configured name, own region, role, expectations and tag labels. */
interface TargetEntry {
  readonly name: string;
  readonly region: string | undefined;
  readonly role: RoleRef | undefined;
  readonly expect: ExpectConfig | undefined;
  readonly tagLabels: readonly string[] | undefined;
}

interface EntryFields extends RoleFields {
  region?: string | undefined;
  expect?: ExpectConfig | undefined;
  tag_labels?: string[] | undefined;
}

/** An entry's fields besides its name, as a {@link TargetEntry} has them. */
const entryFields = (entry: EntryFields, ctx: z.RefinementCtx): Omit<TargetEntry, 'name'> => ({
  region: entry.region,
  role: roleOf(entry, ctx),
  expect: entry.expect,
  tagLabels: entry.tag_labels,
});

const byName = (entry: { name: string } & EntryFields, ctx: z.RefinementCtx): TargetEntry => ({ name: entry.name, ...entryFields(entry, ctx) });

const domain = targetEntry(checked(nameString('a domain name'), (name) => nameProblem(name, DOMAIN_NAME_MAX))).transform(byName);

const matchingWorkflow = targetEntry(
  checked(nameString('a workflow name'), (name) => {
    const problem = nameProblem(name, WORKFLOW_NAME_MAX);
    return problem !== undefined && isArn(name)
      ? `${problem}; an ARN is accepted only in entity_resolution.id_mapping_workflows`
      : problem;
  }),
).transform(byName);

/** A workflow name, or a full ARN which also fixes the workflow's region. */
const idMappingWorkflowRef = nameString('a workflow name or ARN').transform((text, ctx) => {
  const arn = isArn(text) ? parseIdMappingArn(text) : undefined;
  const problem = arn === undefined ? nameProblem(text, WORKFLOW_NAME_MAX) : 'problem' in arn ? arn.problem : undefined;
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: problem, input: text });
    return z.NEVER;
  }
  return { text, arnRegion: arn && !('problem' in arn) ? arn.region : undefined };
});

const idMappingWorkflow = targetEntry(idMappingWorkflowRef).transform((entry, ctx): TargetEntry => {
  const { text, arnRegion } = entry.name;
  if (arnRegion !== undefined && entry.region !== undefined && entry.region !== arnRegion) {
    ctx.addIssue({
      code: 'custom',
      path: ['region'],
      message: `${describeValue(entry.region)} disagrees with the region ${arnRegion} in the ARN`,
      input: entry.region,
    });
  }
  const problem = arnRegion === undefined ? undefined : regionProblem(arnRegion);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: `the ARN's region: ${problem}`, input: text });
  return { name: text, ...entryFields(entry, ctx) };
});

/** A regular expression, checked to compile. */
const pattern = checked(z.string(expected('a regular expression')), (text) => {
  try {
    new RegExp(text);
    return undefined;
  } catch (error) {
    return `${describeValue(text)} is not a regular expression: ${(error as Error).message}`;
  }
});

const discoverFields = {
  regions: z.array(awsRegion).min(1, expected('at least one region')).optional(),
  include: pattern.optional(),
  exclude: pattern.optional(),
  expect: expectShape.optional(),
  tag_labels: tagKeys.optional(),
  require_tags: requiredTags.optional(),
  ...roleFields,
};

/** A discovery block may be one map or a list of them (one per account or role); a map is read as a list of one. */
function oneOrMany<T extends z.ZodType>(one: T) {
  return z.preprocess((value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? [value] : value), z.array(one));
}

const profilesDiscovery = oneOrMany(
  z.strictObject({ ...discoverFields, all_domains: z.boolean(expected('true or false')).default(false) })
    .transform((spec, ctx) => ({ ...spec, role: roleOf(spec, ctx) })),
);
const entityResolutionDiscovery = oneOrMany(
  z.strictObject({
    ...discoverFields,
    kinds: z.array(z.enum(['matching', 'id_mapping'], expected('matching or id_mapping'))).min(1, expected('at least one kind')).default(['matching', 'id_mapping']),
  }).transform((spec, ctx) => ({ ...spec, role: roleOf(spec, ctx) })),
);

const configShape = z.strictObject({
  schedule: checked(z.string(expected('a cron expression such as "*/2 * * * *"')), cronProblem).default('*/2 * * * *'),
  lookback: positiveDuration('7d').prefault('7d'),
  request_timeout: positiveDuration('10s').optional(),
  collection_timeout: positiveDuration('2m').optional(),
  state_file: z.string(expected('a file path')).min(1, expected('a file path')).optional(),
  max_jobs_per_target: count(0).default(10),
  concurrency: count(1).default(4),
  rate_limit: z.number(expected('a number > 0')).positive(expected('a number > 0')).default(2),
  region: awsRegion.optional(),
  endpoint_url: z.url({ protocol: /^https?$/, ...expected('an http(s) URL such as http://127.0.0.1:4566') }).optional(),
  refresh_every_collections: count(1).default(10),
  expect: expectShape.optional(),
  tag_labels: tagKeys.optional(),
  customer_profiles: z.strictObject({ domains: z.array(domain).optional(), discover: profilesDiscovery.optional() }).optional(),
  entity_resolution: z
    .strictObject({
      matching_workflows: z.array(matchingWorkflow).optional(),
      id_mapping_workflows: z.array(idMappingWorkflow).optional(),
      discover: entityResolutionDiscovery.optional(),
    })
    .optional(),
});

type ConfigShape = z.output<typeof configShape>;

/** Flattens the target lists in config order and rejects a target that repeats an earlier one's kind, name and region. */
function toExporterConfig(config: ConfigShape, ctx: z.RefinementCtx): ExporterConfig {
  const lists: readonly { kind: TargetKind; path: readonly string[]; entries: readonly TargetEntry[] | undefined }[] = [
    { kind: 'identity_resolution', path: ['customer_profiles', 'domains'], entries: config.customer_profiles?.domains },
    { kind: 'matching', path: ['entity_resolution', 'matching_workflows'], entries: config.entity_resolution?.matching_workflows },
    { kind: 'id_mapping', path: ['entity_resolution', 'id_mapping_workflows'], entries: config.entity_resolution?.id_mapping_workflows },
  ];
  const targets: TargetConfig[] = [];
  const firstPathByKey = new Map<string, string>();
  for (const { kind, path, entries = [] } of lists) {
    entries.forEach((entry, index) => {
      const ref = targetRef(kind, entry.name, entry.region ?? config.region, entry.role);
      const key = targetKey(ref);
      const first = firstPathByKey.get(key);
      if (first === undefined) firstPathByKey.set(key, formatPath([...path, index]));
      else ctx.addIssue({ code: 'custom', path: [...path, index], message: `duplicate target: same kind, name, region and credentials as ${first}` });
      const tagLabels = withTopLevel(config.tag_labels, entry.tagLabels);
      targets.push({ ...ref, ...(entry.expect ? { expect: entry.expect } : {}), ...(tagLabels.length > 0 ? { tagLabels } : {}) });
      requireSamePartition(entry.role, [ref.region], [...path, index], ctx);
    });
  }
  const discoveries = [
    { path: ['customer_profiles', 'discover'], specs: config.customer_profiles?.discover ?? [] },
    { path: ['entity_resolution', 'discover'], specs: config.entity_resolution?.discover ?? [] },
  ];
  for (const { path, specs } of discoveries) {
    specs.forEach((spec, index) => { requireSamePartition(spec.role, spec.regions ?? [config.region], [...path, index], ctx); });
  }
  refuseCollidingTagLabels([
    { path: ['tag_labels'], keys: config.tag_labels },
    ...lists.flatMap(({ path, entries = [] }) => entries.map((entry, index) => ({ path: [...path, index, 'tag_labels'], keys: entry.tagLabels }))),
    ...discoveries.flatMap(({ path, specs }) => specs.map((spec, index) => ({ path: [...path, index, 'tag_labels'], keys: spec.tag_labels }))),
  ], ctx);
  // A malformed schedule has been reported already; its interval bounds nothing then.
  const interval = cron.validate(config.schedule) ? scheduleIntervalSeconds(config.schedule) : Number.POSITIVE_INFINITY;
  if (config.request_timeout !== undefined && config.request_timeout >= interval) {
    ctx.addIssue({
      code: 'custom',
      path: ['request_timeout'],
      message: `${formatDuration(config.request_timeout)} is not shorter than the schedule's ${formatDuration(interval)} between collections; a call that may outlast a collection cannot finish in one`,
    });
  }
  // Without one configured: 10 s, or half the schedule's interval when that is shorter, so a slow call leaves time for the rest.
  const requestTimeoutSeconds = config.request_timeout ?? Math.min(DEFAULT_REQUEST_TIMEOUT_SECONDS, interval / 2);
  // The interval, but never under a minute: a fast schedule's first collection also warms up the SDK and STS.
  const collectionTimeoutSeconds = config.collection_timeout ?? Math.max(interval, MIN_DEFAULT_COLLECTION_TIMEOUT_SECONDS);
  const longestCall = Math.ceil(longestCallSeconds(requestTimeoutSeconds));
  if (collectionTimeoutSeconds < longestCall) {
    const collection = `${config.collection_timeout === undefined ? 'the default collection_timeout' : 'collection_timeout'} ${formatDuration(collectionTimeoutSeconds)}`;
    ctx.addIssue({
      code: 'custom',
      path: [config.collection_timeout === undefined ? 'request_timeout' : 'collection_timeout'],
      message: `${collection} leaves no room for one AWS call with its retries: ${DEFAULT_MAX_ATTEMPTS} attempts of request_timeout ${formatDuration(requestTimeoutSeconds)} and the SDK's back-off between them take up to ${formatDuration(longestCall)}`,
    });
  }
  return {
    schedule: config.schedule,
    requestTimeoutSeconds,
    collectionTimeoutSeconds,
    stateFile: config.state_file,
    lookbackSeconds: config.lookback,
    maxJobsPerTarget: config.max_jobs_per_target,
    concurrency: config.concurrency,
    rateLimit: config.rate_limit,
    region: config.region,
    endpointUrl: config.endpoint_url,
    targets,
    discovery: discoveryConfigs(config),
    refreshEveryCollections: config.refresh_every_collections,
    expect: config.expect ?? {},
  };
}

/**
 * Refuses a role of one partition used in a region of another (an `arn:aws-cn` role in us-east-1): STS of that
 * region would refuse to assume it. A region the SDK does not know is reported on its own, not here.
 */
function requireSamePartition(role: RoleRef | undefined, regions: readonly (string | undefined)[], path: readonly (string | number)[], ctx: z.RefinementCtx): void {
  if (role === undefined) return;
  const rolePartition = role.arn.split(':')[1] ?? '';
  for (const region of regions) {
    if (region === undefined || regionProblem(region) !== undefined) continue;
    const regionPartition = partitionOf(region);
    if (regionPartition === rolePartition) continue;
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'role_arn'],
      message: `${role.arn} is a role of partition ${rolePartition}, but region ${region} is in partition ${regionPartition}: AWS cannot assume a role across partitions`,
      input: role.arn,
    });
    return;
  }
}

/** The top-level tag keys, then a target's or discover block's own, each once. */
function withTopLevel(top: readonly string[] | undefined, own: readonly string[] | undefined): string[] {
  return [...new Set([...(top ?? []), ...(own ?? [])])];
}

/**
 * Refuses two tag keys that become one label (`team-name` and `team_name` are both `tag_team_name`): their
 * values would overwrite each other on the info series. Checked over the whole config, as every target's info
 * series of a kind is one family.
 */
function refuseCollidingTagLabels(lists: readonly { path: readonly (string | number)[]; keys: readonly string[] | undefined }[], ctx: z.RefinementCtx): void {
  const entries = lists.flatMap(({ path, keys = [] }) => keys.map((key, index) => ({ key, path: [...path, index] })));
  for (const { earlier, later, label } of tagLabelCollisions(entries)) {
    // A key listed again (on a target as at the top level) is the same label, not a collision.
    if (earlier.key === later.key) continue;
    ctx.addIssue({
      code: 'custom',
      path: later.path,
      message: `tag keys ${JSON.stringify(later.key)} and ${JSON.stringify(earlier.key)} (${formatPath(earlier.path)}) both become the label ${label}: keep one`,
      input: later.key,
    });
  }
}

/** What both kinds of discover block hold, as parsed. */
interface DiscoverBlock {
  readonly regions?: string[] | undefined;
  readonly include?: string | undefined;
  readonly exclude?: string | undefined;
  readonly role: RoleRef | undefined;
  readonly expect?: ExpectConfig | undefined;
  readonly tag_labels?: string[] | undefined;
  readonly require_tags?: RequiredTags | undefined;
}

/** Both discovery blocks as one list; a region left out is the top-level one (or the SDK's). */
function discoveryConfigs(config: ConfigShape): DiscoveryConfig[] {
  const discoveryFields = (spec: DiscoverBlock): Omit<DiscoveryConfig, 'kinds' | 'allDomains'> => ({
    regions: [...(spec.regions ?? [config.region])],
    include: spec.include,
    exclude: spec.exclude,
    role: spec.role,
    expect: spec.expect,
    tagLabels: withTopLevel(config.tag_labels, spec.tag_labels),
    requireTags: spec.require_tags ?? new Map(),
  });
  return [
    ...(config.customer_profiles?.discover ?? []).map((spec): DiscoveryConfig => ({
      kinds: ['identity_resolution'], allDomains: spec.all_domains, ...discoveryFields(spec),
    })),
    ...(config.entity_resolution?.discover ?? []).map((spec): DiscoveryConfig => ({
      kinds: spec.kinds, allDomains: false, ...discoveryFields(spec),
    })),
  ];
}

/**
 * The config file's schema: strict maps (unknown keys are errors), defaults applied,
 * and output in the {@link ExporterConfig} form. Parse with `describeIssue` as the error map for readable messages.
 */
export const configSchema = configShape.transform(toExporterConfig);
