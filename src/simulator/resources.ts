import { hexId, SeededRandom } from './random.js';
import type { WireObject } from './lifecycle.js';

/** Tags of a domain or workflow, as AWS answers them. */
export type SimTags = Readonly<Record<string, string>>;

/** A target of a fleet spec with settings of its own; a bare name in the spec takes every default. */
export interface TargetSpec {
  readonly name: string;
  /** Its AWS tags. None by default: AWS then leaves the member out. */
  readonly tags?: SimTags;
}

/**
 * When rule-based matching was last configured on a domain and how long AWS takes to make it ACTIVE, in
 * simulated seconds (the fleet's timeScale speeds up jobs only).
 */
export interface RuleBasedMatchingSpec {
  /** How long before the simulator starts it was last configured: the domain's LastUpdatedAt. Default 30 days. */
  readonly configuredSecondsAgo?: number;
  /** Time in PENDING: on an existing domain AWS waits an hour before it builds the rules. Default 3600. */
  readonly pendingSeconds?: number;
  /** Time in IN_PROGRESS, while AWS evaluates the existing profiles. Default 2 hours. */
  readonly inProgressSeconds?: number;
  /** Never leaves IN_PROGRESS. */
  readonly stuck?: boolean;
}

/** When a domain's data store was enabled and how long it takes to ingest the existing profiles, in simulated seconds. */
export interface DataStoreSpec {
  /** How long before the simulator starts it was enabled. Default 30 days. */
  readonly enabledSecondsAgo?: number;
  /** Time from enabling until its readiness reaches 100 %. Default 6 hours. */
  readonly readySeconds?: number;
}

export interface DomainSpec extends TargetSpec {
  /** Rule-based matching, on and configured as given; false: off. Left out: on for some domains (by the seed), configured with the domain. */
  readonly ruleBasedMatching?: RuleBasedMatchingSpec | false;
  /** The data store, enabled as given; false: off. Left out: GetDomain answers no DataStore, as for a domain older than the feature. */
  readonly dataStore?: DataStoreSpec | false;
}

export type ResolutionType = 'RULE_MATCHING' | 'ML_MATCHING' | 'PROVIDER';
export type IdMappingType = 'PROVIDER' | 'RULE_BASED';

export interface MatchingWorkflowSpec extends TargetSpec {
  /** Left out: drawn from the seed, or RULE_MATCHING for an automatic workflow. */
  readonly resolutionType?: ResolutionType;
  /** IMMEDIATE ("automatic" in the console): AWS starts a run whenever data arrives; rule-based workflows only. Left out: runs start on demand. */
  readonly incrementalRunType?: 'IMMEDIATE';
  /** Where its matches go: S3 (the default), or a Customer Profiles domain of its own account and region, and S3 as well with `s3`. */
  readonly output?: 's3' | { readonly customerProfilesDomain: string; readonly s3?: boolean };
}

export interface IdMappingWorkflowSpec extends TargetSpec {
  /** Left out: drawn from the seed. */
  readonly idMappingType?: IdMappingType;
  /** ON_DEMAND: each run processes only what changed since the last. Left out: every run processes everything. */
  readonly incrementalRunType?: 'ON_DEMAND';
}

/** When rule-based matching was last configured, and how it goes from PENDING to ACTIVE. */
export interface RuleBasedMatchingSetup {
  configuredAt: number;
  pendingSeconds: number;
  inProgressSeconds: number;
  stuck: boolean;
}

export interface DataStoreSetup {
  enabled: boolean;
  enabledAt: number;
  readySeconds: number;
}

/** GetDomain facts of a Customer Profiles domain; a test may change them as an UpdateDomain would. */
export interface DomainFacts {
  matchingEnabled: boolean;
  /** Undefined: AWS's default schedule (Saturday 00:00 UTC) applies. */
  schedule: { DayOfTheWeek: string; Time: string } | undefined;
  autoMergingEnabled: boolean;
  ruleBasedMatchingEnabled: boolean;
  ruleBasedMatchingSetup: RuleBasedMatchingSetup;
  /** Undefined: GetDomain answers no DataStore. */
  dataStore: DataStoreSetup | undefined;
  defaultExpirationDays: number;
  profileCount: number;
  objectCount: number;
  totalSizeBytes: number;
}

/** Get*Workflow facts of an Entity Resolution workflow; a test may change them as an Update*Workflow would. */
export type WorkflowFacts =
  | { readonly kind: 'matching'; resolutionType: ResolutionType; incrementalRunType: 'IMMEDIATE' | undefined; s3Output: boolean; customerProfilesDomain: string | undefined }
  | { readonly kind: 'id_mapping'; idMappingType: IdMappingType; incrementalRunType: 'ON_DEMAND' | undefined };

/** What the answers about a domain or workflow read from it. */
export interface SimResource {
  readonly ref: { readonly accountId: string; readonly region: string; readonly name: string };
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly tags: SimTags | undefined;
  /** Seeds the incidental details of its answers (descriptions, keys, rules), so each answer is the same. */
  readonly detailSeed: string;
}

const DAY = 86_400;
const DAYS_OF_WEEK = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'] as const;
const DEFAULT_CONFIGURED_AGO = 30 * DAY;
/** AWS waits an hour on an existing domain before it builds the rules (RuleBasedMatchingResponse.Status in the model). */
const DEFAULT_PENDING_SECONDS = 3600;
const DEFAULT_IN_PROGRESS_SECONDS = 2 * 3600;
const DEFAULT_READY_SECONDS = 6 * 3600;
const INGESTING_MESSAGE = 'Ingesting existing profiles';

const configuredAt = (spec: RuleBasedMatchingSpec, now: number): number => Math.floor(now - (spec.configuredSecondsAgo ?? DEFAULT_CONFIGURED_AGO));
const enabledAt = (spec: DataStoreSpec, now: number): number => Math.floor(now - (spec.enabledSecondsAgo ?? DEFAULT_CONFIGURED_AGO));

/** The earliest configuration a spec dates back to (epoch seconds), which the resource must be older than. */
export function earliestConfigured(spec: DomainSpec, now: number): number {
  return Math.min(spec.ruleBasedMatching ? configuredAt(spec.ruleBasedMatching, now) : Infinity, spec.dataStore ? enabledAt(spec.dataStore, now) : Infinity);
}

/**
 * A domain's facts: drawn from `rng` (in a fixed order, so a seed keeps its fleet), then set as the spec says.
 * Without a spec of its own, rule-based matching was configured with the domain (`updatedAt`).
 */
export function domainFacts(rng: SeededRandom, spec: DomainSpec, updatedAt: number, now: number): DomainFacts {
  const profileCount = rng.int(10_000, 5_000_000);
  const facts: DomainFacts = {
    matchingEnabled: true,
    schedule: rng.chance(0.5) ? undefined : { DayOfTheWeek: rng.pick(DAYS_OF_WEEK), Time: `${rng.int(0, 23)}:${String(rng.int(0, 59)).padStart(2, '0')}` },
    autoMergingEnabled: rng.chance(0.7),
    ruleBasedMatchingEnabled: rng.chance(0.3),
    ruleBasedMatchingSetup: { configuredAt: updatedAt, pendingSeconds: DEFAULT_PENDING_SECONDS, inProgressSeconds: DEFAULT_IN_PROGRESS_SECONDS, stuck: false },
    dataStore: undefined,
    defaultExpirationDays: rng.pick([366, 730, 1098]),
    profileCount,
    objectCount: profileCount * rng.int(2, 12),
    totalSizeBytes: profileCount * rng.int(1_000, 8_000),
  };
  if (spec.ruleBasedMatching !== undefined) facts.ruleBasedMatchingEnabled = spec.ruleBasedMatching !== false;
  if (spec.ruleBasedMatching) {
    const { pendingSeconds = DEFAULT_PENDING_SECONDS, inProgressSeconds = DEFAULT_IN_PROGRESS_SECONDS, stuck = false } = spec.ruleBasedMatching;
    facts.ruleBasedMatchingSetup = { configuredAt: configuredAt(spec.ruleBasedMatching, now), pendingSeconds, inProgressSeconds, stuck };
  }
  if (spec.dataStore !== undefined) {
    const setup = spec.dataStore || {};
    facts.dataStore = { enabled: spec.dataStore !== false, enabledAt: enabledAt(setup, now), readySeconds: setup.readySeconds ?? DEFAULT_READY_SECONDS };
  }
  return facts;
}

/** A matching workflow's facts: as the spec says, the resolution type otherwise `drawn`. */
export function matchingWorkflowFacts(spec: MatchingWorkflowSpec, drawn: ResolutionType): WorkflowFacts {
  const resolutionType = spec.resolutionType ?? (spec.incrementalRunType === 'IMMEDIATE' ? 'RULE_MATCHING' : drawn);
  // AWS refuses the combination: ML and provider workflows have no incremental processing.
  if (spec.incrementalRunType === 'IMMEDIATE' && resolutionType !== 'RULE_MATCHING') {
    throw new Error(`matching workflow ${spec.name}: incrementalRunType IMMEDIATE needs resolutionType RULE_MATCHING, not ${resolutionType}`);
  }
  const output = spec.output ?? 's3';
  return {
    kind: 'matching',
    resolutionType,
    incrementalRunType: spec.incrementalRunType,
    s3Output: output === 's3' || output.s3 === true,
    customerProfilesDomain: output === 's3' ? undefined : output.customerProfilesDomain,
  };
}

/** An ID-mapping workflow's facts: as the spec says, the technique otherwise drawn from `rng`. */
export function idMappingWorkflowFacts(spec: IdMappingWorkflowSpec, rng: SeededRandom): WorkflowFacts {
  return { kind: 'id_mapping', idMappingType: spec.idMappingType ?? rng.pick(['RULE_BASED', 'RULE_BASED', 'PROVIDER'] as const), incrementalRunType: spec.incrementalRunType };
}

/** RuleBasedMatching.Status at `now`: PENDING, then IN_PROGRESS, then ACTIVE (unless stuck), from its last configuration. */
export function ruleBasedMatchingStatus(setup: RuleBasedMatchingSetup, now: number): 'PENDING' | 'IN_PROGRESS' | 'ACTIVE' {
  const elapsed = now - setup.configuredAt;
  if (elapsed < setup.pendingSeconds) return 'PENDING';
  if (setup.stuck || elapsed < setup.pendingSeconds + setup.inProgressSeconds) return 'IN_PROGRESS';
  return 'ACTIVE';
}

/** A domain's LastUpdatedAt: its last configuration change, rule-based matching's and the data store's included. */
function domainLastUpdatedAt(resource: SimResource, domain: DomainFacts): number {
  return Math.max(
    resource.updatedAt,
    domain.ruleBasedMatchingEnabled ? domain.ruleBasedMatchingSetup.configuredAt : 0,
    domain.dataStore?.enabled === true ? domain.dataStore.enabledAt : 0,
  );
}

/** `{ [member]: tags }`, or nothing when there are none: AWS leaves the member out. */
function tagsMember(member: 'Tags' | 'tags', tags: SimTags | undefined): WireObject {
  return tags === undefined || Object.keys(tags).length === 0 ? {} : { [member]: { ...tags } };
}

/** A key id in AWS's UUID form, derived from `parts`. */
function uuid(...parts: readonly string[]): string {
  const hex = hexId(...parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A ListDomains item. */
export function domainItem(resource: SimResource, domain: DomainFacts): WireObject {
  return { DomainName: resource.ref.name, CreatedAt: resource.createdAt, LastUpdatedAt: domainLastUpdatedAt(resource, domain), ...tagsMember('Tags', resource.tags) };
}

/** GetDomain's answer at `now`. */
export function domainDetail(resource: SimResource, domain: DomainFacts, now: number): WireObject {
  const { name, accountId, region } = resource.ref;
  const rng = new SeededRandom(resource.detailSeed);
  const encrypted = rng.chance(0.5);
  const deadLetterQueue = rng.chance(0.4);
  const minConfidence = rng.chance(0.5) ? Math.round(rng.between(0.5, 0.99) * 100) / 100 : undefined;
  const mergesFromSource = rng.chance(0.3);
  return {
    DomainName: name,
    CreatedAt: resource.createdAt,
    LastUpdatedAt: domainLastUpdatedAt(resource, domain),
    DefaultExpirationDays: domain.defaultExpirationDays,
    ...(encrypted ? { DefaultEncryptionKey: `arn:aws:kms:${region}:${accountId}:key/${uuid(resource.detailSeed, 'kms')}` } : {}),
    ...(deadLetterQueue ? { DeadLetterQueueUrl: `https://sqs.${region}.amazonaws.com/${accountId}/${name}-dead-letters` } : {}),
    Stats: { ProfileCount: domain.profileCount, MeteringProfileCount: Math.round(domain.profileCount * 0.8), ObjectCount: domain.objectCount, TotalSize: domain.totalSizeBytes },
    Matching: {
      Enabled: domain.matchingEnabled,
      ...(domain.schedule ? { JobSchedule: domain.schedule } : {}),
      AutoMerging: {
        Enabled: domain.autoMergingEnabled,
        ...(domain.autoMergingEnabled ? {
          ConflictResolution: conflictResolution(mergesFromSource),
          Consolidation: { MatchingAttributesList: [['EmailAddress']] },
          ...(minConfidence === undefined ? {} : { MinAllowedConfidenceScoreForMerging: minConfidence }),
        } : {}),
      },
      ExportingConfig: { S3Exporting: { S3BucketName: 'identity-resolution-exports', S3KeyName: `${name}/` } },
    },
    RuleBasedMatching: domain.ruleBasedMatchingEnabled ? ruleBasedMatching(name, domain.ruleBasedMatchingSetup, now, rng) : { Enabled: false },
    ...(domain.dataStore ? { DataStore: dataStore(domain.dataStore, now) } : {}),
    ...tagsMember('Tags', resource.tags),
  };
}

function ruleBasedMatching(domainName: string, setup: RuleBasedMatchingSetup, now: number, rng: SeededRandom): WireObject {
  const byAddress = rng.chance(0.5);
  const fromSource = rng.chance(0.4);
  const mergesFirstLevelOnly = rng.chance(0.5);
  const rules = [['EmailAddress'], ['PhoneNumber', 'LastName'], ...(byAddress ? [['Address.City', 'Address.PostalCode', 'LastName']] : [])];
  return {
    Enabled: true,
    MatchingRules: rules.map((rule) => ({ Rule: rule })),
    Status: ruleBasedMatchingStatus(setup, now),
    MaxAllowedRuleLevelForMatching: rules.length,
    ...(mergesFirstLevelOnly ? { MaxAllowedRuleLevelForMerging: 1 } : {}),
    AttributeTypesSelector: {
      AttributeMatchingModel: rng.pick(['ONE_TO_ONE', 'MANY_TO_MANY']),
      EmailAddress: ['EmailAddress', 'PersonalEmailAddress'],
      PhoneNumber: ['PhoneNumber', 'MobilePhoneNumber'],
      ...(byAddress ? { Address: ['Address', 'ShippingAddress'] } : {}),
    },
    ConflictResolution: conflictResolution(fromSource),
    ExportingConfig: { S3Exporting: { S3BucketName: 'rule-based-matching-exports', S3KeyName: `${domainName}/` } },
  };
}

/** Which of two profiles' values a merge keeps: the newer one, or the one from a named source. */
function conflictResolution(fromSource: boolean): WireObject {
  return fromSource ? { ConflictResolvingModel: 'SOURCE', SourceName: 'crm' } : { ConflictResolvingModel: 'RECENCY' };
}

/** DataStore at `now`: readiness climbs from enabling to 100 %; once there, AWS has nothing more to say. */
function dataStore(setup: DataStoreSetup, now: number): WireObject {
  if (!setup.enabled) return { Enabled: false };
  const progress = setup.readySeconds <= 0 ? 100 : Math.max(0, Math.min(100, Math.floor((100 * (now - setup.enabledAt)) / setup.readySeconds)));
  return { Enabled: true, Readiness: progress < 100 ? { ProgressPercentage: progress, Message: INGESTING_MESSAGE } : { ProgressPercentage: 100 } };
}

function workflowArn(resource: SimResource, facts: WorkflowFacts): string {
  const { region, accountId, name } = resource.ref;
  return `arn:aws:entityresolution:${region}:${accountId}:${facts.kind === 'matching' ? 'matchingworkflow' : 'idmappingworkflow'}/${name}`;
}

/** A List*Workflows summary. */
export function workflowSummary(resource: SimResource, facts: WorkflowFacts): WireObject {
  return {
    workflowName: resource.ref.name,
    workflowArn: workflowArn(resource, facts),
    createdAt: resource.createdAt,
    updatedAt: resource.updatedAt,
    ...(facts.kind === 'matching' ? { resolutionType: facts.resolutionType } : {}),
  };
}

/** GetMatchingWorkflow's or GetIdMappingWorkflow's answer. */
export function workflowDetail(resource: SimResource, facts: WorkflowFacts): WireObject {
  const { region, accountId, name } = resource.ref;
  const rng = new SeededRandom(resource.detailSeed);
  const described = rng.chance(0.6);
  const kms = rng.chance(0.3) ? `arn:aws:kms:${region}:${accountId}:key/${uuid(resource.detailSeed, 'kms')}` : undefined;
  const table = (suffix: string): string => `arn:aws:glue:${region}:${accountId}:table/entity_resolution/${name.replace(/-/g, '_')}_${suffix}`;
  const common = {
    workflowName: name,
    workflowArn: workflowArn(resource, facts),
    ...(described ? { description: `${facts.kind === 'matching' ? 'Matches' : 'Maps'} customer records for ${name}` } : {}),
    createdAt: resource.createdAt,
    updatedAt: resource.updatedAt,
    roleArn: `arn:aws:iam::${accountId}:role/EntityResolutionWorkflow`,
  };
  if (facts.kind === 'id_mapping') {
    return {
      ...common,
      inputSourceConfig: [
        { inputSourceARN: table('source'), schemaName: `${name}-source`, type: 'SOURCE' },
        { inputSourceARN: `arn:aws:entityresolution:${region}:${accountId}:idnamespace/${name}-target`, type: 'TARGET' },
      ],
      outputSourceConfig: [{ outputS3Path: `s3://entity-resolution-output/${name}/`, ...(kms === undefined ? {} : { KMSArn: kms }) }],
      idMappingTechniques: {
        idMappingType: facts.idMappingType,
        ...(facts.idMappingType === 'PROVIDER' ? { providerProperties: providerProperties(name, region, rng) } : {
          ruleBasedProperties: {
            ruleDefinitionType: rng.pick(['SOURCE', 'TARGET']),
            attributeMatchingModel: rng.pick(['ONE_TO_ONE', 'MANY_TO_MANY']),
            recordMatchingModel: rng.pick(['ONE_SOURCE_TO_ONE_TARGET', 'MANY_SOURCE_TO_ONE_TARGET']),
            ...(rng.chance(0.7) ? { rules: [{ ruleName: 'email', matchingKeys: ['email'] }] } : {}),
          },
        }),
      },
      ...(facts.incrementalRunType === undefined ? {} : { incrementalRunConfig: { incrementalRunType: facts.incrementalRunType } }),
      ...tagsMember('tags', resource.tags),
    };
  }
  const normalized = rng.chance(0.5);
  const profilesDomain = facts.customerProfilesDomain;
  return {
    ...common,
    inputSourceConfig: [{ inputSourceARN: table('input'), schemaName: `${name}-schema`, ...(normalized ? { applyNormalization: true } : {}) }],
    outputSourceConfig: [{
      ...(facts.s3Output ? { outputS3Path: `s3://entity-resolution-output/${name}/` } : {}),
      output: [{ name: 'email', ...(rng.chance(0.5) ? { hashed: true } : {}) }, { name: 'phone' }],
      ...(normalized ? { applyNormalization: true } : {}),
      ...(kms === undefined ? {} : { KMSArn: kms }),
      ...(profilesDomain === undefined ? {} : {
        customerProfilesIntegrationConfig: {
          domainArn: `arn:aws:profile:${region}:${accountId}:domains/${profilesDomain}`,
          objectTypeArn: `arn:aws:profile:${region}:${accountId}:domains/${profilesDomain}/object-types/EntityResolutionMatch`,
        },
      }),
    }],
    resolutionTechniques: resolutionTechniques(facts.resolutionType, name, region, rng),
    ...(facts.incrementalRunType === undefined ? {} : { incrementalRunConfig: { incrementalRunType: facts.incrementalRunType } }),
    ...tagsMember('tags', resource.tags),
  };
}

function resolutionTechniques(resolutionType: ResolutionType, name: string, region: string, rng: SeededRandom): WireObject {
  switch (resolutionType) {
    case 'ML_MATCHING':
      return { resolutionType };
    case 'PROVIDER':
      return { resolutionType, providerProperties: providerProperties(name, region, rng) };
    case 'RULE_MATCHING':
      // Advanced rule sets (conditions) or the simple ones (matching keys): a workflow has one or the other.
      if (rng.chance(0.4)) {
        return {
          resolutionType,
          ruleConditionProperties: {
            rules: [{ ruleName: 'email-or-name-and-phone', condition: 'Exact(email) OR (Cosine(name, 10) AND Exact(phone))' }],
            ...(rng.chance(0.5) ? { matchingConfig: { enableTransitiveMatching: rng.chance(0.5) } } : {}),
          },
        };
      }
      return {
        resolutionType,
        ruleBasedProperties: {
          rules: [{ ruleName: 'email', matchingKeys: ['email'] }, { ruleName: 'name-and-phone', matchingKeys: ['name', 'phone'] }],
          attributeMatchingModel: rng.pick(['ONE_TO_ONE', 'MANY_TO_MANY']),
          ...(rng.chance(0.5) ? { matchPurpose: rng.pick(['IDENTIFIER_GENERATION', 'INDEXING']) } : {}),
        },
      };
  }
}

function providerProperties(name: string, region: string, rng: SeededRandom): WireObject {
  return {
    providerServiceArn: `arn:aws:entityresolution:${region}::providerservice/LiveRamp/Assignment`,
    ...(rng.chance(0.6) ? { providerConfiguration: { clientIdSecretArn: 'liveramp-client', matchLevel: 'household' } } : {}),
    intermediateSourceConfiguration: { intermediateS3Path: `s3://entity-resolution-intermediate/${name}/` },
  };
}
