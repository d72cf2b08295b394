import { expect } from 'chai';
import { idMappingWorkflowDetail, matchingWorkflowDetail } from '../src/aws/catalogSources.js';
import type { AnyTargetSnapshot } from '../src/collect/snapshot.js';
import { SnapshotMetrics } from '../src/metrics/snapshotMetrics.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, startSimulator, type FleetSpec, type SimKind, type Simulator } from '../src/simulator/index.js';
import { outputShapeLeaves, wireMembers, type SchemaLeaf, type WireMembers } from './support/sdkSchema.js';
import type { TargetKind } from '../src/model/kinds.js';

/**
 * Where each member of a job's Get answer goes: a metric (`family` or `family{label}`), or why it is left out.
 * When an SDK update adds a member, the test below fails and names it, instead of the exporter silently
 * missing it (as deleteRecordsProcessed was added in 2025-09).
 */
type Coverage = Record<string, { metric: string } | { skipped: string }>;

const IR = 'aws_customer_profiles_identity_resolution_';
const identityResolution: Coverage = {
  DomainName: { metric: `${IR}job_status{domain}` },
  JobId: { metric: `${IR}job_status{job_id}` },
  Status: { metric: `${IR}job_status{status}` },
  Message: { metric: `${IR}job_message_info{message}` },
  JobStartTime: { metric: `${IR}job_start_timestamp_seconds` },
  JobEndTime: { metric: `${IR}job_end_timestamp_seconds` },
  LastUpdatedAt: { metric: `${IR}job_last_updated_timestamp_seconds` },
  JobExpirationTime: { metric: `${IR}job_expiration_timestamp_seconds` },
  'AutoMerging.Enabled': { metric: `${IR}job_auto_merging_enabled` },
  'AutoMerging.Consolidation.MatchingAttributesList': { skipped: 'lists of attribute names: configuration, not job state, and unbounded as label values' },
  'AutoMerging.ConflictResolution.ConflictResolvingModel': { metric: `${IR}job_info{conflict_resolving_model}` },
  'AutoMerging.ConflictResolution.SourceName': { metric: `${IR}job_info{source_name}` },
  'AutoMerging.MinAllowedConfidenceScoreForMerging': { metric: `${IR}job_auto_merging_min_confidence_score` },
  'ExportingLocation.S3Exporting.S3BucketName': { metric: `${IR}job_info{s3_bucket}` },
  'ExportingLocation.S3Exporting.S3KeyName': { metric: `${IR}job_info{s3_key}` },
  'JobStats.NumberOfProfilesReviewed': { metric: `${IR}job_profiles_reviewed` },
  'JobStats.NumberOfMatchesFound': { metric: `${IR}job_matches_found` },
  'JobStats.NumberOfMergesDone': { metric: `${IR}job_merges_done` },
};

function entityResolution(prefix: string, metrics: Record<string, string>, extra: Coverage): Coverage {
  return {
    jobId: { metric: `${prefix}job_status{job_id}` },
    status: { metric: `${prefix}job_status{status}` },
    startTime: { metric: `${prefix}job_start_timestamp_seconds` },
    endTime: { metric: `${prefix}job_end_timestamp_seconds` },
    'errorDetails.errorMessage': { metric: `${prefix}job_error_info{message}` },
    'outputSourceConfig[].outputS3Path': { metric: `${prefix}job_info{output_s3_path}` },
    'outputSourceConfig[].roleArn': { skipped: 'an IAM role ARN: configuration, not job state' },
    'outputSourceConfig[].KMSArn': { skipped: 'a KMS key ARN: configuration, not job state' },
    ...Object.fromEntries(Object.entries(metrics).map(([member, family]) => [`metrics.${member}`, { metric: `${prefix}${family}` }])),
    ...extra,
  };
}

const BASE_METRICS = { inputRecords: 'job_input_records', totalRecordsProcessed: 'job_records_processed', recordsNotProcessed: 'job_records_not_processed', deleteRecordsProcessed: 'job_delete_records_processed' };
const M = 'aws_entity_resolution_matching_';
const I = 'aws_entity_resolution_id_mapping_';
const matching = entityResolution(M, { ...BASE_METRICS, matchIDs: 'job_match_ids' }, {});
const idMapping = entityResolution(I, {
  ...BASE_METRICS,
  totalMappedRecords: 'job_mapped_records', totalMappedSourceRecords: 'job_mapped_source_records', totalMappedTargetRecords: 'job_mapped_target_records',
  uniqueRecordsLoaded: 'job_unique_records_loaded', newMappedRecords: 'job_new_mapped_records', newMappedSourceRecords: 'job_new_mapped_source_records',
  newMappedTargetRecords: 'job_new_mapped_target_records', newUniqueRecordsLoaded: 'job_new_unique_records_loaded', mappedRecordsRemoved: 'job_mapped_records_removed',
  mappedSourceRecordsRemoved: 'job_mapped_source_records_removed', mappedTargetRecordsRemoved: 'job_mapped_target_records_removed',
}, { jobType: { metric: `${I}job_info{job_type}` } });

/** A detail object with a distinct value in every leaf the schema lists. */
function fullDetail(leaves: readonly SchemaLeaf[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  leaves.forEach((leaf, index) => {
    const value = { string: `v${index}`, number: index + 1, boolean: true, timestamp: new Date((1_700_000_000 + index) * 1000), list: [['a']], map: { k: `v${index}` }, document: { k: index } }[leaf.kind];
    const parts = leaf.path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const key = part.replace('[]', '');
      if (part.endsWith('[]')) {
        node[key] ??= [{}];
        node = (node[key] as Record<string, unknown>[])[0]!;
      } else {
        node = (node[key] ??= {}) as Record<string, unknown>;
      }
    }
    node[parts.at(-1)!] = value;
  });
  return root;
}

/** Renders the target and expects each exported member's series (and label, non-empty) in the exposition. */
async function expectEachExported(target: AnyTargetSnapshot, coverage: Coverage, unchecked: (member: string) => boolean = () => false): Promise<void> {
  const metrics = new SnapshotMetrics();
  metrics.publish({ targets: [target], finishedAt: 1_700_000_100, durationSeconds: 1 });
  const text = await metrics.text();
  for (const [member, where] of Object.entries(coverage)) {
    if (!('metric' in where) || unchecked(member)) continue;
    const [, family = '', label] = /^([a-z0-9_]+)(?:\{([a-z0-9_]+)\})?$/.exec(where.metric) ?? [];
    const lines = text.split('\n').filter((line) => line.startsWith(`${family}{`));
    expect(lines, `${member} → ${where.metric}`).to.not.be.empty;
    if (label !== undefined) expect(lines.some((line) => line.includes(`${label}="`) && !line.includes(`${label}=""`)), `${member} → ${where.metric}`).to.equal(true);
  }
}

const cases: [string, string, string, TargetKind, Coverage][] = [
  ['@aws-sdk/client-customer-profiles', 'GetIdentityResolutionJobResponse', 'GetIdentityResolutionJob', 'identity_resolution', identityResolution],
  ['@aws-sdk/client-entityresolution', 'GetMatchingJobOutput', 'GetMatchingJob', 'matching', matching],
  ['@aws-sdk/client-entityresolution', 'GetIdMappingJobOutput', 'GetIdMappingJob', 'id_mapping', idMapping],
];

describe('every member of the SDK job models is exported or deliberately skipped', () => {
  for (const [sdk, shape, operation, kind, coverage] of cases) {
    it(`${operation}: the SDK's members are exactly the covered ones`, () => {
      const paths = outputShapeLeaves(sdk, shape).map((leaf) => leaf.path).sort();
      expect(paths, `members of ${shape} in ${sdk} (a new one needs a metric or a reason to skip it)`).to.deep.equal(Object.keys(coverage).sort());
    });

    it(`${operation}: a job with every member set shows each one in its metric`, async () => {
      const detail = fullDetail(outputShapeLeaves(sdk, shape));
      const target = {
        identity: { kind, target: 'wf', accountId: '123456789012', region: 'us-east-1' }, up: true, dataTime: 1_700_000_100, lastSuccessTime: 1_700_000_100,
        lastError: undefined, jobs: [{ id: 'job', detail }], latestStatus: undefined, lastSuccessEnd: undefined, lastFailureEnd: undefined, counters: undefined,
      } as unknown as AnyTargetSnapshot;
      await expectEachExported(target, coverage, (member) => member.endsWith('JobId') || member === 'jobId' || member === 'DomainName');
    });
  }
});

/** Where each member of a workflow's Get answer goes: a label of the workflow's info series or its own series, or why not. */
const WORKFLOW_INFO = 'aws_entity_resolution_workflow_info';
const CONFIGURATION = 'configuration the exporter does not watch (input schemas, rules, keys, roles): unbounded or secret as label values';
const workflowCommon: Coverage = {
  workflowName: { metric: `${WORKFLOW_INFO}{workflow}` },
  workflowArn: { skipped: 'the account, region and name, already labels' },
  description: { skipped: 'free text a person wrote: unbounded as a label value' },
  createdAt: { skipped: 'when it was created says nothing about its runs; updatedAt does' },
  updatedAt: { metric: 'aws_entity_resolution_workflow_updated_timestamp_seconds' },
  roleArn: { skipped: CONFIGURATION },
  'incrementalRunConfig.incrementalRunType': { metric: `${WORKFLOW_INFO}{incremental_run_type}` },
  tags: { metric: `${WORKFLOW_INFO}{tag_k}` },
  'outputSourceConfig[].outputS3Path': { metric: `${WORKFLOW_INFO}{output_kind}` },
  'outputSourceConfig[].KMSArn': { skipped: CONFIGURATION },
};
const skippedAll = (paths: readonly string[]): Coverage => Object.fromEntries(paths.map((path) => [path, { skipped: CONFIGURATION }]));
const matchingWorkflow: Coverage = {
  ...workflowCommon,
  'resolutionTechniques.resolutionType': { metric: `${WORKFLOW_INFO}{resolution_type}` },
  'outputSourceConfig[].customerProfilesIntegrationConfig.domainArn': { metric: `${WORKFLOW_INFO}{output_kind}` },
  ...skippedAll([
    'inputSourceConfig[].inputSourceARN', 'inputSourceConfig[].schemaName', 'inputSourceConfig[].applyNormalization',
    'outputSourceConfig[].output[].name', 'outputSourceConfig[].output[].hashed', 'outputSourceConfig[].applyNormalization',
    'outputSourceConfig[].customerProfilesIntegrationConfig.objectTypeArn',
    'resolutionTechniques.ruleBasedProperties.rules[].ruleName', 'resolutionTechniques.ruleBasedProperties.rules[].matchingKeys',
    'resolutionTechniques.ruleBasedProperties.attributeMatchingModel', 'resolutionTechniques.ruleBasedProperties.matchPurpose',
    'resolutionTechniques.ruleConditionProperties.rules[].ruleName', 'resolutionTechniques.ruleConditionProperties.rules[].condition',
    'resolutionTechniques.ruleConditionProperties.matchingConfig.enableTransitiveMatching',
    'resolutionTechniques.providerProperties.providerServiceArn', 'resolutionTechniques.providerProperties.providerConfiguration',
    'resolutionTechniques.providerProperties.intermediateSourceConfiguration.intermediateS3Path',
  ]),
};
const idMappingWorkflow: Coverage = {
  ...workflowCommon,
  'idMappingTechniques.idMappingType': { metric: `${WORKFLOW_INFO}{resolution_type}` },
  ...skippedAll([
    'inputSourceConfig[].inputSourceARN', 'inputSourceConfig[].schemaName', 'inputSourceConfig[].type',
    'idMappingTechniques.ruleBasedProperties.ruleDefinitionType', 'idMappingTechniques.ruleBasedProperties.attributeMatchingModel',
    'idMappingTechniques.ruleBasedProperties.recordMatchingModel', 'idMappingTechniques.ruleBasedProperties.rules[].ruleName',
    'idMappingTechniques.ruleBasedProperties.rules[].matchingKeys', 'idMappingTechniques.providerProperties.providerServiceArn',
    'idMappingTechniques.providerProperties.providerConfiguration',
    'idMappingTechniques.providerProperties.intermediateSourceConfiguration.intermediateS3Path',
  ]),
};

describe('every member of the SDK workflow models is exported or deliberately skipped', () => {
  const workflowCases = [
    { shape: 'GetMatchingWorkflowOutput', kind: 'matching', coverage: matchingWorkflow, detail: (answer: object) => matchingWorkflowDetail('wf', answer as Parameters<typeof matchingWorkflowDetail>[1]) },
    { shape: 'GetIdMappingWorkflowOutput', kind: 'id_mapping', coverage: idMappingWorkflow, detail: (answer: object) => idMappingWorkflowDetail('wf', answer as Parameters<typeof idMappingWorkflowDetail>[1]) },
  ] as const;
  for (const { shape, kind, coverage, detail } of workflowCases) {
    it(`${shape}: the SDK's members are exactly the covered ones, and each exported one shows in its series`, async () => {
      const leaves = outputShapeLeaves('@aws-sdk/client-entityresolution', shape);
      expect(leaves.map((leaf) => leaf.path).sort(), `members of ${shape} (a new one needs a metric or a reason to skip it)`).to.deep.equal(Object.keys(coverage).sort());
      const target = {
        identity: { kind, target: 'wf', accountId: '123456789012', region: 'us-east-1' }, up: true, dataTime: 1_700_000_100, lastSuccessTime: 1_700_000_100,
        lastError: undefined, jobs: [], latestStatus: undefined, lastSuccessEnd: undefined, lastFailureEnd: undefined, counters: undefined,
        facts: { workflow: detail(fullDetail(leaves)), readAt: 1_700_000_000 }, tagKeys: ['k'],
      } as unknown as AnyTargetSnapshot;
      await expectEachExported(target, coverage);
    });
  }
});

const PROFILES = '@aws-sdk/client-customer-profiles';
const ER = '@aws-sdk/client-entityresolution';
const DAY = 86_400;
const TAGS = { team: 'data-platform', 'cost-center': 'cc-1' };
const numbered = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);

/** Enough targets of each setting that every optional member the simulator can answer shows up somewhere. */
const COVERAGE_FLEET: FleetSpec = {
  domains: [
    ...numbered('domain', 4),
    { name: 'tagged', tags: TAGS, ruleBasedMatching: { configuredSecondsAgo: 0 }, dataStore: { enabledSecondsAgo: 0 } },
    { name: 'settled', ruleBasedMatching: { configuredSecondsAgo: 30 * DAY }, dataStore: { enabledSecondsAgo: 30 * DAY } },
    { name: 'no-data-store', ruleBasedMatching: false, dataStore: false },
  ],
  matchingWorkflows: [
    'dedupe',
    ...numbered('rules', 6).map((name) => ({ name, resolutionType: 'RULE_MATCHING' as const, tags: TAGS })),
    ...numbered('provider', 3).map((name) => ({ name, resolutionType: 'PROVIDER' as const })),
    { name: 'automatic', incrementalRunType: 'IMMEDIATE', output: { customerProfilesDomain: 'tagged', s3: true } },
    { name: 'to-profiles', output: { customerProfilesDomain: 'tagged' } },
  ],
  idMappingWorkflows: [
    'crm-to-ads',
    ...numbered('rule-map', 4).map((name) => ({ name, idMappingType: 'RULE_BASED' as const, incrementalRunType: 'ON_DEMAND' as const, tags: TAGS })),
    ...numbered('provider-map', 3).map((name) => ({ name, idMappingType: 'PROVIDER' as const })),
  ],
  historyJobsPerTarget: 120,
  runningFraction: 0.5,
};

/**
 * The simulator's side of the drift guard: across a fleet, its answers set every member of the SDK's output
 * shape, and nothing the shape lacks. The bodies are read off the wire, not through the SDK clients, whose
 * deserializers drop a member their model does not have without a word.
 */
describe('the simulator answers exactly the members of the SDK models it serves', function () {
  this.timeout(30_000);
  let simulator: Simulator;
  before(async () => { simulator = await startSimulator({ seed: 3, fleet: COVERAGE_FLEET }); });
  after(async () => { await simulator.close(); });

  const wire = async (path: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`${simulator.url}${path}`);
    expect(response.status, `GET ${path}`).to.equal(200);
    return (await response.json()) as Record<string, unknown>;
  };
  const targets = (kind: SimKind) => simulator.fleet.list(DEFAULT_ACCOUNT_ID, DEFAULT_REGION, kind);
  const each = (kind: SimKind, path: (name: string) => string): Promise<unknown[]> => Promise.all(targets(kind).map((target) => wire(path(target.ref.name))));
  /** Every job of one target: a failed job, the only one with an error, is rare enough to need all 120. */
  const jobs = (kind: SimKind, name: string, path: (jobId: string) => string): Promise<unknown[]> => {
    const target = simulator.fleet.get({ accountId: DEFAULT_ACCOUNT_ID, region: DEFAULT_REGION, kind, name });
    return Promise.all((target?.jobs(simulator.now()) ?? []).map((job) => wire(path(job.id))));
  };
  const items = async (path: string, member: string): Promise<unknown[]> => (await wire(path))[member] as unknown[];

  const answers: [string, string, string, () => Promise<unknown[]>][] = [
    ['ListDomains', PROFILES, 'ListDomainItem', () => items('/domains', 'Items')],
    ['GetDomain', PROFILES, 'GetDomainResponse', () => each('identity_resolution', (name) => `/domains/${name}`)],
    ['GetIdentityResolutionJob', PROFILES, 'GetIdentityResolutionJobResponse', () => jobs('identity_resolution', 'domain-1', (id) => `/domains/domain-1/identity-resolution-jobs/${id}`)],
    ['ListMatchingWorkflows', ER, 'MatchingWorkflowSummary', () => items('/matchingworkflows', 'workflowSummaries')],
    ['GetMatchingWorkflow', ER, 'GetMatchingWorkflowOutput', () => each('matching', (name) => `/matchingworkflows/${name}`)],
    ['GetMatchingJob', ER, 'GetMatchingJobOutput', () => jobs('matching', 'dedupe', (id) => `/matchingworkflows/dedupe/jobs/${id}`)],
    ['ListIdMappingWorkflows', ER, 'IdMappingWorkflowSummary', () => items('/idmappingworkflows', 'workflowSummaries')],
    ['GetIdMappingWorkflow', ER, 'GetIdMappingWorkflowOutput', () => each('id_mapping', (name) => `/idmappingworkflows/${name}`)],
    ['GetIdMappingJob', ER, 'GetIdMappingJobOutput', () => jobs('id_mapping', 'crm-to-ads', (id) => `/idmappingworkflows/crm-to-ads/jobs/${id}`)],
  ];
  for (const [operation, sdk, shape, bodies] of answers) {
    it(`${operation}: every member of ${shape} somewhere in the fleet, and nothing else`, async () => {
      const seen: WireMembers = { leaves: new Set(), problems: new Set() };
      for (const body of await bodies()) wireMembers(sdk, shape, body, seen);
      expect([...seen.problems], `answers the SDK would misread or drop (${shape} in ${sdk})`).to.deep.equal([]);
      const missing = outputShapeLeaves(sdk, shape).map((leaf) => leaf.path).filter((path) => !seen.leaves.has(path));
      expect(missing, `members of ${shape} the simulator never answers`).to.deep.equal([]);
    });
  }
});
