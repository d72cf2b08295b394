import type { z } from 'zod';
import { stringify } from 'yaml';
import { configSchema } from '../src/config/schema.js';

/**
 * The configuration key reference, from the zod schema itself, so that the docs list every key the exporter
 * accepts and no other, with zod's own defaults. The meanings are written here, one per key: a test fails on a
 * key of the schema without one, or one for a key the schema no longer has.
 */

type Schema = z.core.$ZodType;

/** A sub-shape documented once wherever it sits: its group, and the prefix its keys are documented under. */
interface SharedShape {
  readonly group: string;
  readonly prefix: string;
}

const TARGET: SharedShape = { group: 'target', prefix: '<target>' };

/**
 * The keys whose value has one shape wherever it sits. The target lists' entries differ only in what a name may
 * be, so they are one group; `<target>` stands for an entry of any of them, as no key of the file names all three.
 */
const SHARED_SHAPES = new Map<string, SharedShape>([
  ['expect', { group: 'expect', prefix: 'expect' }],
  ['discover', { group: 'discover', prefix: 'discover' }],
  ['domains', TARGET],
  ['matching_workflows', TARGET],
  ['id_mapping_workflows', TARGET],
]);

const TOP_LEVEL = 'top';

/** One key of the file at one place: the path it is documented under, and where its shared sub-shape sits. */
interface KeyPlace {
  readonly path: string;
  readonly group: string;
  /** The documented path of the key whose shared sub-shape holds this key; '' at the top level. */
  readonly place: string;
  readonly default: unknown;
}

/** Where the walk is: the group and prefix keys are documented under, and the place of that group's shape. */
interface Position {
  readonly group: string;
  readonly prefix: string;
  readonly place: string;
}

/** The keys of the map `schema` holds, looking through wrappers, lists and transforms; undefined for a leaf. */
function shapeWithin(schema: Schema): z.core.$ZodShape | undefined {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'object':
      return def.shape;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
      return shapeWithin(def.innerType);
    case 'array':
      return shapeWithin(def.element);
    // A transform has its map on its input side, a preprocess (a map read as a list of one) on its output side.
    case 'pipe':
      return shapeWithin(def.in) ?? shapeWithin(def.out);
    // A record (require_tags) maps the user's own keys: a value, not keys of the file.
    default:
      return undefined;
  }
}

/** The value zod fills in for an absent key, or undefined when it fills in none. */
function defaultOf(schema: Schema): unknown {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'default':
    case 'prefault':
      return def.defaultValue;
    case 'optional':
    case 'nullable':
      return defaultOf(def.innerType);
    default:
      return undefined;
  }
}

/** Every key within `schema`, depth first, once per place it sits at. */
function keyPlaces(schema: Schema, at: Position): KeyPlace[] {
  return Object.entries(shapeWithin(schema) ?? {}).flatMap(([key, value]) => {
    const path = at.prefix === '' ? key : `${at.prefix}.${key}`;
    const shared = SHARED_SHAPES.get(key);
    const inner: Position = shared === undefined ? { ...at, prefix: path } : { ...shared, place: path };
    return [{ path, group: at.group, place: at.place, default: defaultOf(value) }, ...keyPlaces(value, inner)];
  });
}

/** A documented key: its group, default, and every place its shape sits at. */
interface ConfigKey {
  readonly path: string;
  readonly group: string;
  readonly default: unknown;
  readonly places: readonly string[];
}

/** The schema's keys, each documented path once, in the order of the schema. */
function configKeys(): ConfigKey[] {
  const keys = new Map<string, ConfigKey>();
  for (const { path, group, place, default: value } of keyPlaces(configSchema, { group: TOP_LEVEL, prefix: '', place: '' })) {
    const known = keys.get(path);
    if (known !== undefined && JSON.stringify(known.default) !== JSON.stringify(value)) {
      throw new Error(`${path} has a different default at ${place} than at ${known.places.join(', ')}: document them apart`);
    }
    keys.set(path, { path, group, default: value, places: [...(known?.places ?? []), place] });
  }
  return [...keys.values()];
}

/** Every key path of the configuration file, as the reference documents it. */
export function configKeyPaths(): string[] {
  return configKeys().map((key) => key.path);
}

/** What each key does, by documented path: what the schema cannot say, as config.example.yaml says it. */
const MEANINGS: Readonly<Record<string, string>> = {
  schedule: 'When to collect: a node-cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first). The default is every 2 minutes.',
  lookback: 'Per-job series only for jobs started within this window. A duration above zero: a whole number with a unit s, m, h, d or w, units combined largest first (`1d12h`).',
  request_timeout: 'Per HTTP request to AWS: one that has not answered by then fails, and the SDK retries it (3 attempts in all). Shorter than the schedule\'s interval. Default: 10s, or half the interval when that is shorter.',
  collection_timeout: 'A collection still running after this long is abandoned: its unfinished targets are marked down (`target_up` 0, their last series kept) and their calls cancelled. It must leave room for one call with its retries. Default: the schedule\'s interval, at least 1m.',
  state_file: 'Where the exporter keeps its counters and the finished jobs it knows, written after every collection, so that a restart continues the counters and Gets no finished job again. Relative to the config file. Without it, that state lives in memory only.',
  max_jobs_per_target: 'At most this many of the newest jobs per domain or workflow get per-job series; 0 exports summary series only. An integer >= 0.',
  concurrency: 'AWS calls in flight at once, all targets together. An integer >= 1.',
  rate_limit: 'Requests per second per (account, region, API operation): the exporter\'s share of AWS\'s default quota of 5 per second, which everything else in the account shares. A number above 0; fractions allowed (`0.5`).',
  region: 'The region of every target and discover block that sets none, such as `us-east-1`, checked against the AWS SDK\'s regions. When absent, the SDK\'s (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile\'s).',
  endpoint_url: 'Sends every Customer Profiles, Entity Resolution and STS call to this http(s) URL instead of AWS (LocalStack, a test endpoint). When absent, the SDK resolves each endpoint.',
  refresh_every_collections: 'Discovery, the domains\' facts (GetDomain) and the workflows\' settings (Get*Workflow) are read again every this many collections, and cached in between. An integer >= 1.',
  expect: 'What the alerts hold every target to, instead of what the exporter infers (keys `expect.*`). A target\'s or discover block\'s own `expect` wins over it.',
  tag_labels: 'AWS tag keys whose values become `tag_<key>` labels on each target\'s info series (`cost-center` becomes `tag_cost_center`); a target\'s or discover block\'s list adds to it. Two keys that make one label are an error. None by default.',
  customer_profiles: 'Amazon Connect Customer Profiles: the domains whose identity-resolution jobs to watch.',
  'customer_profiles.domains': 'The domains to watch: a list of targets (keys `<target>.*`).',
  'customer_profiles.discover': 'Also watch every domain with identity resolution on found in some regions (ListDomains, then GetDomain for each): a discover block (keys `discover.*`), or a list of them, one per account or role.',
  entity_resolution: 'AWS Entity Resolution: the workflows whose matching and ID-mapping jobs to watch.',
  'entity_resolution.matching_workflows': 'The matching workflows to watch: a list of targets (keys `<target>.*`).',
  'entity_resolution.id_mapping_workflows': 'The ID-mapping workflows to watch: a list of targets (keys `<target>.*`), each named by its name or its ARN.',
  'entity_resolution.discover': 'Also watch every workflow found in some regions (ListMatchingWorkflows, ListIdMappingWorkflows): a discover block (keys `discover.*`), or a list of them, one per account or role.',
  'expect.interval': 'Time between runs: a success is overdue once the last one ended more than `failed_jobs_to_page` × interval + `max_duration` ago. A duration above zero. Default: a domain\'s weekly schedule, else the largest recent gap between starts (at most twice the median), else 7d.',
  'expect.max_duration': 'Longest a run may take. A duration above zero. Default: 3 times the median of recent successful runs, else 24h.',
  'expect.max_queued': 'Longest a job may wait (QUEUED, PENDING) or a scheduled run may be late. A duration above zero. Default: 2h.',
  'expect.volume_min_ratio': 'A successful run\'s key counts (records in and processed, matches, merges) must stay above this multiple of their recent median. Above 0 and below 1. Default: 0.5.',
  'expect.volume_max_ratio': 'A successful run\'s key counts must stay below this multiple of their recent median. Above 1. Default: 2.',
  'expect.failed_jobs_to_page': 'Failed runs in a row at which a failure pages (critical) instead of warning; also how many intervals a success may be missing before NoRecentSuccess pages. An integer >= 1. Default: 1 when the interval is a day or more, else 3.',
  'expect.max_records_not_processed_ratio': 'Largest share of its input records a successful Entity Resolution run may leave unprocessed. From 0, below 1. Default: the recent median share + 0.05, else 0.05.',
  'expect.match_rate_min_ratio': 'A successful run\'s match rate (merges per profile reviewed; match IDs or records mapped per input record) must stay above this multiple of its recent median. Above 0 and below 1. Default: 0.8.',
  'expect.match_rate_max_ratio': 'A successful run\'s match rate must stay below this multiple of its recent median. Above 1. Default: 1.25.',
  'expect.rule_based_matching_max_inactive': 'Longest a domain\'s enabled rule-based matching may stay PENDING or IN_PROGRESS before it warns (AWS waits an hour before it starts on an existing domain, then evaluates all its profiles). A duration above zero. Default: 1d.',
  '<target>.name': 'Required. A domain: 1-64 letters, digits, `_` and `-`; a workflow: 1-255 of them. An ID-mapping workflow may also be named by its ARN (`arn:PARTITION:entityresolution:REGION:ACCOUNT_ID:idmappingworkflow/NAME`), which sets its region. Quote a name YAML would read as a number or boolean.',
  '<target>.region': 'This target\'s region, instead of the top-level `region`. A workflow named by its ARN is in the ARN\'s region: a region set here must be that one.',
  '<target>.expect': 'What the alerts hold this target to (keys `expect.*`), winning over its discover block\'s and the top-level `expect`.',
  '<target>.tag_labels': 'More tag keys that become labels of this target, added to the top-level `tag_labels`.',
  '<target>.role_arn': 'An IAM role ARN (`arn:aws:iam::ACCOUNT_ID:role/NAME`, or of `aws-us-gov`, `aws-cn`) whose temporary credentials (STS AssumeRole) the calls use, e.g. for another account. The role\'s partition must be the region\'s.',
  '<target>.external_id': 'The external id AssumeRole sends, as the role\'s trust policy demands: 2-1224 letters, digits and `+=,.@:/-`. Needs a `role_arn`.',
  '<target>.session_name': 'The role session\'s name: 2-64 letters, digits and `+=,.@-`. Needs a `role_arn`. Default: `aws-resolution-exporter`.',
  'discover.regions': 'The regions to list in, at least one. Default: the top-level `region` (or the SDK\'s).',
  'discover.include': 'A regular expression a name must match to be watched.',
  'discover.exclude': 'A regular expression a name must not match to be watched.',
  'discover.expect': 'What the alerts hold every target this block finds to (keys `expect.*`), winning over the top-level `expect`.',
  'discover.tag_labels': 'More tag keys that become labels of the targets this block finds, added to the top-level `tag_labels`.',
  'discover.require_tags': 'Only resources with these tags: a map of tag key to value, or to nothing for any value (`{team: payments, owner: }`). A domain\'s tags come with ListDomains; a workflow\'s cost a Get*Workflow call for each workflow whose name passes the patterns.',
  'discover.role_arn': 'As `<target>.role_arn`, for this block\'s calls.',
  'discover.external_id': 'As `<target>.external_id`. Needs a `role_arn`.',
  'discover.session_name': 'As `<target>.session_name`. Needs a `role_arn`.',
  'discover.all_domains': '`true`: also the domains whose identity resolution (Matching) is off.',
  'discover.kinds': 'Which workflows: `matching`, `id_mapping`, or both; at least one.',
};

/** The keys of the schema without a meaning, and the meanings of keys the schema does not have, each named. */
export function meaningMismatches(): string[] {
  const paths = configKeyPaths();
  return [
    ...paths.filter((path) => !(path in MEANINGS)).map((path) => `${path}: a key of the schema without a meaning in scripts/configReference.ts`),
    ...Object.keys(MEANINGS).filter((path) => !paths.includes(path)).map((path) => `${path}: a meaning in scripts/configReference.ts of no key of the schema`),
  ];
}

const code = (text: string): string => `\`${text}\``;

/** "`a`, `b` and `c`". */
function listed(paths: readonly string[]): string {
  const codes = paths.map(code);
  return codes.length < 2 ? codes.join('') : `${codes.slice(0, -1).join(', ')} and ${codes.at(-1) ?? ''}`;
}

/** A default as it would be written in the file: a string quoted where YAML needs it, a list as `[a, b]`. */
function yamlValue(value: unknown): string {
  return value === undefined ? '' : code(stringify(value, { collectionStyle: 'flow', flowCollectionPadding: false }).trim());
}

/** A | inside a cell, even in code, ends the cell unless escaped. */
const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The group's table: a row per key, its meaning followed by where it alone applies when not everywhere the group does. */
function groupTable(keys: readonly ConfigKey[], groupPlaces: readonly string[]): string {
  const row = (key: ConfigKey): string => {
    const only = key.places.length < groupPlaces.length ? ` Only in ${listed(key.places)}.` : '';
    return `| ${code(key.path)} | ${cell(yamlValue(key.default))} | ${cell((MEANINGS[key.path] ?? '') + only)} |`;
  };
  return ['| Key | Default | Meaning |', '|---|---|---|', ...keys.map(row)].join('\n');
}

/** The keys of each group, the groups in the order of their first key. */
function byGroup(keys: readonly ConfigKey[]): Map<string, ConfigKey[]> {
  const groups = new Map<string, ConfigKey[]>();
  for (const key of keys) groups.set(key.group, [...(groups.get(key.group) ?? []), key]);
  return groups;
}

/**
 * The reference, group by group (`top`, `expect`, `target`, `discover`), in Markdown: a shared group's table is
 * introduced by the places its keys may sit at.
 */
export function configReferenceTables(): Map<string, string> {
  return new Map([...byGroup(configKeys())].map(([group, keys]) => {
    const places = [...new Set(keys.flatMap((key) => key.places))];
    const table = groupTable(keys, places);
    return [group, group === TOP_LEVEL ? table : `Keys of ${listed(places)}:\n\n${table}`];
  }));
}

/** Each group's heading in the reference. */
const GROUP_TITLES: Readonly<Record<string, string>> = {
  [TOP_LEVEL]: 'Top level',
  expect: 'Expectations (`expect`)',
  target: 'Targets (`<target>`)',
  discover: 'Discover blocks (`discover`)',
};

/** The whole reference: each group's table under its own heading. */
export function configReference(): string {
  return [...configReferenceTables()].map(([group, table]) => `### ${GROUP_TITLES[group] ?? group}\n\n${table}`).join('\n\n');
}
