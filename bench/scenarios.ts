import type { FleetSpec } from '../src/simulator/index.js';

const DAY = 86_400;

/** What a benchmark scenario runs: the simulated fleet, the exporter's settings and the load it gets. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly fleet: FleetSpec;
  /** The exporter's `lookback`, in seconds. */
  readonly lookbackSeconds: number;
  readonly maxJobsPerTarget: number;
  /** The exporter's `concurrency` (calls in flight, all targets together). */
  readonly concurrency: number;
  /** The exporter's `rate_limit`, and the simulator's TPS quota of every operation. */
  readonly rateLimit: number;
  readonly latencyMs: number;
  /** Simulated seconds between the cold collection and the steady one: jobs progress, finish and start. */
  readonly steadyStepSeconds: number;
  /** Seconds of load on /metrics, and as many on the plain server, taken in turns: idle, then (at least) during collections. */
  readonly loadSeconds: number;
  /**
   * The memory churn run: accelerated collections (no latency, no quota), the clock moving `stepSeconds` each,
   * memory at `baselineAt` against memory after `collections`; the scenario's settings, on its fleet or a smaller one.
   */
  readonly churn: {
    readonly fleet: FleetSpec;
    readonly description: string;
    readonly stepSeconds: number;
    readonly collections: number;
    readonly baselineAt: number;
  };
}

/** `prefix-001`, `prefix-002`, …: a fleet's target names. */
export const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);

/** The default AWS quotas: 100 Customer Profiles domains, 10 matching and 10 ID-mapping workflows per region. */
const QUOTA_FLEET: FleetSpec = {
  domains: names('domain', 100),
  matchingWorkflows: names('matching', 10),
  idMappingWorkflows: names('idmapping', 10),
  historyJobsPerTarget: 200,
  runningFraction: 0.05,
};

const COMMON = {
  concurrency: 16,
  rateLimit: 5,
  latencyMs: 40,
  steadyStepSeconds: 3600,
} as const;

/**
 * Churn: every collection moves the clock 6 h, so each workflow starts a job every 4 collections, each domain every
 * 28. Growth is read over 500 collections after a warm-up of 250, as in the soak: over the first couple of hundred
 * the live heap grows by a few per cent and levels off (V8's optimised code, the windows filling), which is not a
 * leak; a leak keeps growing.
 */
const CHURN = { stepSeconds: 6 * 3600, collections: 750, baselineAt: 250 } as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'small',
    description: '5 domains, 5 matching + 5 ID-mapping workflows, 20 jobs each',
    fleet: { domains: names('domain', 5), matchingWorkflows: names('matching', 5), idMappingWorkflows: names('idmapping', 5), historyJobsPerTarget: 20, runningFraction: 0.3 },
    lookbackSeconds: 7 * DAY,
    maxJobsPerTarget: 10,
    ...COMMON,
    loadSeconds: 3,
    churn: { ...CHURN, description: 'the same fleet', fleet: { domains: names('domain', 5), matchingWorkflows: names('matching', 5), idMappingWorkflows: names('idmapping', 5), historyJobsPerTarget: 20, runningFraction: 0.3 } },
  },
  {
    name: 'quota',
    description: '100 domains, 10 matching + 10 ID-mapping workflows, 200 jobs each, 5 % running',
    fleet: QUOTA_FLEET,
    lookbackSeconds: 7 * DAY,
    maxJobsPerTarget: 10,
    ...COMMON,
    loadSeconds: 4,
    churn: { ...CHURN, description: 'the same fleet', fleet: QUOTA_FLEET },
  },
  {
    name: 'wide',
    description: '4 regions × quota (480 targets)',
    fleet: { ...QUOTA_FLEET, regions: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'] },
    lookbackSeconds: 365 * DAY,
    maxJobsPerTarget: 20,
    ...COMMON,
    loadSeconds: 4,
    // 500 collections of 200,000 series would take most of an hour: the churn runs on a quarter of one region.
    churn: {
      ...CHURN,
      description: '25 domains, 5 + 5 workflows, one region, max_jobs_per_target 20, lookback 365d',
      fleet: { ...QUOTA_FLEET, domains: names('domain', 25), matchingWorkflows: names('matching', 5), idMappingWorkflows: names('idmapping', 5) },
    },
  },
];

export function scenarioNamed(name: string): Scenario {
  const scenario = SCENARIOS.find((candidate) => candidate.name === name);
  if (!scenario) throw new Error(`no scenario ${name} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  return scenario;
}
