import type { ExporterConfig, TargetConfig } from './config/types.js';
import { listen } from './http/listen.js';
import { startSimulator, type DomainSpec, type IdMappingWorkflowSpec, type MatchingWorkflowSpec, type Simulator } from './simulator/index.js';
import { targetRef, type RoleRef } from './model/target.js';

/**
 * The demo fleet: enough to see every kind of job move, one workflow that keeps failing and one denied domain, in
 * two regions of two accounts. The demo's credentials belong to the first account; the second is read through a
 * role, as a partner's or another team's account is. Every target carries its owner's `team` tag, and the
 * settings show each case the exporter tells apart: an automatic (IMMEDIATE) rule-based workflow, one writing to
 * Customer Profiles, a domain whose rule-based matching has been stuck IN_PROGRESS for days and one whose data
 * store is still ingesting its profiles.
 */
const US = 'us-east-1';
const EU = 'eu-west-1';
const OWN_ACCOUNT = '123456789012';
const PARTNER_ACCOUNT = '210987654321';
const PARTNER_ROLE: RoleRef = { arn: `arn:aws:iam::${PARTNER_ACCOUNT}:role/aws-resolution-reader` };

interface DemoPlace {
  readonly region: string;
  /** The role to the partner account; the demo credentials' own account without one. */
  readonly role?: RoleRef;
}

/** A target of the demo: where the config watches it, and what the simulator makes of it (its spec). */
type DemoTarget = DemoPlace & (
  | { readonly kind: 'identity_resolution'; readonly spec: DomainSpec }
  | { readonly kind: 'matching'; readonly spec: MatchingWorkflowSpec }
  | { readonly kind: 'id_mapping'; readonly spec: IdMappingWorkflowSpec }
);

const DAY = 86_400;
const PLATFORM = { team: 'data-platform' };
const MARKETING = { team: 'marketing-analytics' };

const DEMO_TARGETS: readonly DemoTarget[] = [
  { kind: 'identity_resolution', region: US, spec: { name: 'retail-us', tags: PLATFORM, ruleBasedMatching: { configuredSecondsAgo: 20 * DAY }, dataStore: { enabledSecondsAgo: 20 * DAY } } },
  // Its data store was enabled as the demo started: readiness climbs to 100 % over the first half hour.
  { kind: 'identity_resolution', region: EU, spec: { name: 'retail-eu', tags: PLATFORM, ruleBasedMatching: false, dataStore: { enabledSecondsAgo: 0, readySeconds: 1800 } } },
  { kind: 'identity_resolution', region: US, spec: { name: 'loyalty', tags: MARKETING, ruleBasedMatching: { configuredSecondsAgo: 3 * DAY, stuck: true } } },
  { kind: 'identity_resolution', region: EU, role: PARTNER_ROLE, spec: { name: 'partner-sandbox', tags: MARKETING, ruleBasedMatching: false } },
  { kind: 'matching', region: US, spec: { name: 'dedupe-nightly', tags: PLATFORM, resolutionType: 'ML_MATCHING' } },
  { kind: 'matching', region: EU, spec: { name: 'dedupe-hourly', tags: PLATFORM, resolutionType: 'RULE_MATCHING', incrementalRunType: 'IMMEDIATE' } },
  { kind: 'matching', region: US, role: PARTNER_ROLE, spec: { name: 'householding', tags: MARKETING, resolutionType: 'RULE_MATCHING', output: { customerProfilesDomain: 'loyalty' } } },
  { kind: 'id_mapping', region: US, spec: { name: 'crm-to-ads', tags: MARKETING, idMappingType: 'RULE_BASED', incrementalRunType: 'ON_DEMAND' } },
  { kind: 'id_mapping', region: EU, role: PARTNER_ROLE, spec: { name: 'web-to-crm', tags: PLATFORM, idMappingType: 'PROVIDER' } },
];
const DENIED_DOMAINS = ['partner-sandbox'];
const FAILING_WORKFLOWS = ['householding'];

/** One simulated hour passes each real minute, so a job goes through all its statuses while you watch. */
const DEMO_TIME_SCALE = 60;
const DEMO_JOB_INTERVAL_SECONDS = 3600;

export const DEMO_CREDENTIALS = { accessKeyId: 'AKIDEMODEMODEMODEMO0', secretAccessKey: 'demo-secret-not-a-real-key' };

export interface Demo {
  readonly simulator: Simulator;
  readonly config: ExporterConfig;
}

/**
 * Starts the built-in AWS simulator with the demo fleet on `port` of 127.0.0.1 (0: a free one), and the config
 * that watches it every 5 seconds. A port in use rejects with the exporter's ListenError.
 */
export async function startDemo(port = 0): Promise<Demo> {
  const simulator = await startSimulator({
    port,
    listen,
    seed: 42,
    latencyMs: 20,
    deniedTargets: DENIED_DOMAINS,
    fleet: {
      timeScale: DEMO_TIME_SCALE,
      // The simulator puts every target in every account and region; the config below watches each in one.
      accounts: [OWN_ACCOUNT, PARTNER_ACCOUNT],
      regions: [US, EU],
      domains: DEMO_TARGETS.flatMap((target) => (target.kind === 'identity_resolution' ? [target.spec] : [])),
      matchingWorkflows: DEMO_TARGETS.flatMap((target) => (target.kind === 'matching' ? [target.spec] : [])),
      idMappingWorkflows: DEMO_TARGETS.flatMap((target) => (target.kind === 'id_mapping' ? [target.spec] : [])),
      historyJobsPerTarget: 12,
      runningFraction: 0.5,
      jobIntervalSeconds: DEMO_JOB_INTERVAL_SECONDS,
      failingWorkflows: FAILING_WORKFLOWS,
    },
  });
  const targets: TargetConfig[] = DEMO_TARGETS.map(({ kind, spec, region, role }) => ({
    ...targetRef(kind, spec.name, region, role),
    // Every demo domain and workflow carries its owning team's tag, as alert routing by owner expects.
    tagLabels: ['team'],
    // AWS runs a domain's identity resolution weekly, on its schedule, and the exporter holds a domain to that;
    // the demo's domains run every simulated hour (a real minute), so their expectations say so.
    ...(kind === 'identity_resolution' ? { expect: { interval: DEMO_JOB_INTERVAL_SECONDS / DEMO_TIME_SCALE } } : {}),
  }));
  const config: ExporterConfig = {
    schedule: '*/5 * * * * *',
    requestTimeoutSeconds: 2,
    // The first collection reads every job in the window at the demo's 5 calls per second: longer than one tick.
    collectionTimeoutSeconds: 60,
    stateFile: undefined,
    discovery: [],
    refreshEveryCollections: 10,
    lookbackSeconds: 2 * 86400,
    maxJobsPerTarget: 10,
    concurrency: 4,
    rateLimit: 5,
    region: US,
    endpointUrl: simulator.url,
    targets,
    expect: {},
  };
  return { simulator, config };
}

/** The sandbox's configuration: the demo fleet but the denied domain, for a preflight that passes. */
const SANDBOX_CONFIG = 'docs/examples/demo-sandbox.yaml';

/**
 * What the demo prints under its banner: how to point other commands at its simulator. AWS_DEFAULT_REGION is
 * there besides AWS_REGION because the AWS CLI v1 and boto3 read only the former, the SDK for JavaScript only
 * the latter; every one of them reads AWS_ENDPOINT_URL.
 */
export function sandboxInstructions(simulatorUrl: string): string {
  return `Its AWS simulator, at ${simulatorUrl}, is a sandbox for other commands (docs/demo.md).
In another shell, in this directory:
  export AWS_ENDPOINT_URL=${simulatorUrl} AWS_REGION=${US} AWS_DEFAULT_REGION=${US}
  export AWS_ACCESS_KEY_ID=${DEMO_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${DEMO_CREDENTIALS.secretAccessKey}
  aws customer-profiles list-domains
  # the preflight: every call ok, exit 0
  npx tsx src/main.ts --config.check=aws --config.file=${SANDBOX_CONFIG}
  # a second exporter, at http://localhost:10103/
  npx tsx src/main.ts --config.file=${SANDBOX_CONFIG} --web.listen-address=:10103
For scripts, --demo.aws-port=PORT keeps the simulator on one port.
`;
}
