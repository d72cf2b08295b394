import type { ExporterConfig, TargetConfig } from './config/types.js';
import { startSimulator, type Simulator } from './simulator/index.js';
import { targetRef } from './model/target.js';

/** The demo fleet: enough to see every kind of job move, one workflow that keeps failing and one denied domain. */
const DEMO_REGION = 'us-east-1';
const DOMAINS = ['retail-us', 'retail-eu', 'loyalty', 'partner-sandbox'];
const DENIED_DOMAINS = ['partner-sandbox'];
const MATCHING_WORKFLOWS = ['dedupe-nightly', 'dedupe-hourly', 'householding'];
const FAILING_WORKFLOWS = ['householding'];
const ID_MAPPING_WORKFLOWS = ['crm-to-ads', 'web-to-crm'];

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
      regions: [DEMO_REGION],
      domains: DOMAINS,
      matchingWorkflows: MATCHING_WORKFLOWS,
      idMappingWorkflows: ID_MAPPING_WORKFLOWS,
      historyJobsPerTarget: 12,
      runningFraction: 0.5,
      jobIntervalSeconds: DEMO_JOB_INTERVAL_SECONDS,
      failingWorkflows: FAILING_WORKFLOWS,
    },
  });
  const targets: TargetConfig[] = [
    // AWS runs a domain's identity resolution weekly, on its schedule, and the exporter holds a domain to that;
    // the demo's domains run every simulated hour (a real minute), so their expectations say so.
    ...DOMAINS.map((name) => ({ ...targetRef('identity_resolution', name, DEMO_REGION), expect: { interval: DEMO_JOB_INTERVAL_SECONDS / DEMO_TIME_SCALE } })),
    ...MATCHING_WORKFLOWS.map((name) => targetRef('matching', name, DEMO_REGION)),
    ...ID_MAPPING_WORKFLOWS.map((name) => targetRef('id_mapping', name, DEMO_REGION)),
  ];
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
    region: DEMO_REGION,
    endpointUrl: simulator.url,
    targets,
    expect: {},
  };
  return { simulator, config };
}
