import type { ExporterConfig, TargetConfig } from './config/types.js';
import { startSimulator, type Simulator } from './simulator/index.js';
import type { TargetKind } from './model/kinds.js';
import { targetRef, type RoleRef } from './model/target.js';

/**
 * The demo fleet: enough to see every kind of job move, one workflow that keeps failing and one denied domain, in
 * two regions of two accounts. The demo's credentials belong to the first account; the second is read through a
 * role, as a partner's or another team's account is.
 */
const US = 'us-east-1';
const EU = 'eu-west-1';
const OWN_ACCOUNT = '123456789012';
const PARTNER_ACCOUNT = '210987654321';
const PARTNER_ROLE: RoleRef = { arn: `arn:aws:iam::${PARTNER_ACCOUNT}:role/aws-resolution-reader` };

interface DemoTarget {
  readonly kind: TargetKind;
  readonly name: string;
  readonly region: string;
  /** The role to the partner account; the demo credentials' own account without one. */
  readonly role?: RoleRef;
}

const DEMO_TARGETS: readonly DemoTarget[] = [
  { kind: 'identity_resolution', name: 'retail-us', region: US },
  { kind: 'identity_resolution', name: 'retail-eu', region: EU },
  { kind: 'identity_resolution', name: 'loyalty', region: US },
  { kind: 'identity_resolution', name: 'partner-sandbox', region: EU, role: PARTNER_ROLE },
  { kind: 'matching', name: 'dedupe-nightly', region: US },
  { kind: 'matching', name: 'dedupe-hourly', region: EU },
  { kind: 'matching', name: 'householding', region: US, role: PARTNER_ROLE },
  { kind: 'id_mapping', name: 'crm-to-ads', region: US },
  { kind: 'id_mapping', name: 'web-to-crm', region: EU, role: PARTNER_ROLE },
];
const DENIED_DOMAINS = ['partner-sandbox'];
const FAILING_WORKFLOWS = ['householding'];
const namesOf = (kind: TargetKind): string[] => DEMO_TARGETS.filter((target) => target.kind === kind).map((target) => target.name);

/** One simulated hour passes each real minute, so a job goes through all its statuses while you watch. */
const DEMO_TIME_SCALE = 60;
const DEMO_JOB_INTERVAL_SECONDS = 3600;

export const DEMO_CREDENTIALS = { accessKeyId: 'AKIDEMODEMODEMODEMO0', secretAccessKey: 'demo-secret-not-a-real-key' };

export interface Demo {
  readonly simulator: Simulator;
  readonly config: ExporterConfig;
}

/** Starts the built-in AWS simulator with the demo fleet, and the config that watches it every 5 seconds. */
export async function startDemo(): Promise<Demo> {
  const simulator = await startSimulator({
    seed: 42,
    latencyMs: 20,
    deniedTargets: DENIED_DOMAINS,
    fleet: {
      timeScale: DEMO_TIME_SCALE,
      // The simulator puts every target in every account and region; the config below watches each in one.
      accounts: [OWN_ACCOUNT, PARTNER_ACCOUNT],
      regions: [US, EU],
      domains: namesOf('identity_resolution'),
      matchingWorkflows: namesOf('matching'),
      idMappingWorkflows: namesOf('id_mapping'),
      historyJobsPerTarget: 12,
      runningFraction: 0.5,
      jobIntervalSeconds: DEMO_JOB_INTERVAL_SECONDS,
      failingWorkflows: FAILING_WORKFLOWS,
    },
  });
  const targets: TargetConfig[] = DEMO_TARGETS.map(({ kind, name, region, role }) => ({
    ...targetRef(kind, name, region, role),
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
