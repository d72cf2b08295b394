/**
 * The scenario matrix of the alerting end-to-end test: one simulated account and region whose domains and
 * workflows each live one story (hourly and failing, weekly and healthy, stuck, empty...), written as
 * explicit job histories relative to the real clock, since a real Prometheus evaluates `time()` on it.
 */
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, startSimulator, type SimKind, type Simulator, type WireObject } from '../../src/simulator/index.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** What one run of a target did: when it started, how long it ran, how it ended, and what it counted. */
export interface Run {
  /** Seconds before now; for a domain with a schedule, before its last due time. */
  readonly ago: number;
  readonly minutes?: number;
  readonly status: string;
  /** Entity Resolution: input records, records processed, match IDs or mapped records. Identity resolution: reviewed, matches, merges. */
  readonly counts?: readonly [number, number, number];
  readonly message?: string;
}

export interface Scenario {
  readonly kind: SimKind;
  readonly name: string;
  /** What the story is, for failure messages. */
  readonly story: string;
  readonly runs: readonly Run[];
  /**
   * The alerts that must fire for this target, each once, as `Name:severity`: names after AWSResolution<Kind>
   * (see {@link expectedAlerts}).
   */
  readonly alerts: readonly string[];
  /** A domain's weekly schedule: its last due time, seconds before now (its runs are due at that time of the week). */
  readonly scheduledAgo?: number;
  /** Runs the exporters must see one at a time, in order, after they started: how a summary-mode exporter learns medians. */
  readonly later?: readonly Run[];
  /** Every GetDomain of this domain is denied. */
  readonly getDomainDenied?: boolean;
}

const succeeded = (kind: SimKind): string => (kind === 'identity_resolution' ? 'COMPLETED' : 'SUCCEEDED');
/** Runs `every` seconds apart, the newest `newestAgo` seconds ago, with the statuses given newest first ('ok': succeeded). */
function cadence(kind: SimKind, newestAgo: number, every: number, statuses: readonly string[], counts?: Run['counts']): Run[] {
  return statuses.map((status, i) => ({ ago: newestAgo + i * every, minutes: kind === 'identity_resolution' ? 60 : 10, status: status === 'ok' ? succeeded(kind) : status, ...(counts ? { counts } : {}) }));
}
const times = (n: number, status: string): string[] => Array.from({ length: n }, () => status);

const M = 'matching' as const;
const I = 'id_mapping' as const;
const D = 'identity_resolution' as const;

/** The stories; `alerts` are alert-name suffixes after AWSResolution<Kind> (exporter-wide ones in full), each with its severity. */
export const SCENARIOS: readonly Scenario[] = [
  {
    kind: M, name: 'hourly-failing', story: 'hourly, its last three runs failed: as many as an hourly target pages at, and its success overdue', alerts: ['JobFailed:critical', 'NoRecentSuccess:critical'],
    runs: cadence(M, HOUR, HOUR, [...times(3, 'FAILED'), ...times(6, 'ok')]).map((run) => (run.status === 'FAILED' ? { ...run, message: 'Input table schema changed: column "email" not found.' } : run)),
  },
  { kind: M, name: 'hourly-failed-once', story: 'hourly, its newest run failed after successes: the next run may restore it', alerts: ['JobFailed:warning'], runs: cadence(M, 30 * MINUTE, HOUR, ['FAILED', ...times(6, 'ok')]) },
  { kind: M, name: 'hourly-five-failures', story: 'hourly, five failed runs in a row', alerts: ['JobFailed:critical', 'NoRecentSuccess:critical'], runs: cadence(M, 30 * MINUTE, HOUR, [...times(5, 'FAILED'), ...times(4, 'ok')]) },
  { kind: M, name: 'hourly-recovered', story: 'hourly, failed twice, then succeeded', alerts: [], runs: cadence(M, 30 * MINUTE, HOUR, ['ok', ...times(2, 'FAILED'), ...times(4, 'ok')]) },
  { kind: M, name: 'hourly-ok', story: 'hourly, healthy', alerts: [], runs: cadence(M, 30 * MINUTE, HOUR, times(8, 'ok')) },
  { kind: M, name: 'daily-ok', story: 'daily, last success 20 h ago', alerts: [], runs: cadence(M, 20 * HOUR, DAY, times(5, 'ok')) },
  { kind: M, name: 'weekly-ok', story: 'weekly, last success 5 days ago, no configuration', alerts: [], runs: cadence(M, 5 * DAY, 7 * DAY, times(4, 'ok')) },
  { kind: M, name: 'weekly-missed', story: 'weekly, last success 9 days ago', alerts: ['NoRecentSuccess:critical'], runs: cadence(M, 9 * DAY, 7 * DAY, times(4, 'ok')) },
  {
    kind: M, name: 'ondemand-weekly', story: 'on demand, about weekly (5 to 9 days apart), last success 6 days ago', alerts: [],
    runs: [6, 13, 18, 27, 33, 41].map((days) => ({ ago: days * DAY, minutes: 10, status: 'SUCCEEDED' })),
  },
  { kind: M, name: 'never-succeeded', story: 'hourly, every run failed (no success to learn how long a run takes: its success is due a day after its first run)', alerts: ['JobFailed:critical'], runs: cadence(M, HOUR, HOUR, times(4, 'FAILED')) },
  {
    kind: M, name: 'stuck-runner', story: 'daily runs of 10 min; the newest has run 2 h (its success not overdue yet)', alerts: ['JobRunningTooLong:warning'],
    runs: [{ ago: 2 * HOUR, status: 'RUNNING' }, ...cadence(M, 22 * HOUR, DAY, times(4, 'ok'))],
  },
  {
    kind: M, name: 'queued-behind', story: 'daily; its newest job has waited 3 h behind the stuck runner of the same account and region', alerts: [],
    runs: [{ ago: 3 * HOUR, status: 'QUEUED' }, ...cadence(M, 20 * HOUR, DAY, times(4, 'ok'))],
  },
  {
    kind: M, name: 'empty-input', story: 'daily; its newest run succeeded on an empty input', alerts: ['EmptyRun:warning'],
    runs: cadence(M, 4 * DAY, DAY, times(3, 'ok'), [1000, 1000, 700]),
    later: [{ ago: 3 * DAY, minutes: 10, status: 'SUCCEEDED', counts: [1010, 1010, 710] }, { ago: 2 * DAY, minutes: 10, status: 'SUCCEEDED', counts: [990, 990, 690] }, { ago: DAY, minutes: 10, status: 'SUCCEEDED', counts: [0, 0, 0] }],
  },
  {
    kind: M, name: 'volume-drop', story: 'daily; its newest run read a tenth of its usual input', alerts: ['VolumeOutOfRange:warning'],
    runs: cadence(M, 4 * DAY, DAY, times(3, 'ok'), [1000, 1000, 700]),
    later: [{ ago: 3 * DAY, minutes: 10, status: 'SUCCEEDED', counts: [1010, 1010, 710] }, { ago: 2 * DAY, minutes: 10, status: 'SUCCEEDED', counts: [990, 990, 690] }, { ago: DAY, minutes: 10, status: 'SUCCEEDED', counts: [100, 100, 70] }],
  },
  // The next two are there from the exporters' first collection: a summary-mode exporter seeds its medians.
  {
    kind: M, name: 'records-dropped', story: 'daily; its newest run succeeded with 30 % of its input not processed, where its runs always processed everything', alerts: ['RecordsNotProcessed:warning'],
    runs: [{ ago: DAY, minutes: 10, status: 'SUCCEEDED', counts: [500, 350, 350] }, ...cadence(M, 2 * DAY, DAY, times(4, 'ok'), [500, 500, 350])],
  },
  {
    kind: M, name: 'match-rate-shift', story: 'daily; its newest run found 0.6 times its usual match IDs per input record, within the band its volumes may move in', alerts: ['MatchRateOutOfRange:warning'],
    runs: [{ ago: DAY, minutes: 10, status: 'SUCCEEDED', counts: [1000, 1000, 420] }, ...cadence(M, 2 * DAY, DAY, times(4, 'ok'), [1000, 1000, 700])],
  },
  { kind: I, name: 'idm-daily-ok', story: 'ID mapping, daily, healthy', alerts: [], runs: cadence(I, 20 * HOUR, DAY, times(5, 'ok'), [500, 500, 400]) },
  { kind: I, name: 'idm-never-succeeded', story: 'ID mapping, new: both its runs failed, it never succeeded', alerts: ['JobFailed:critical'], runs: cadence(I, HOUR, HOUR, times(2, 'FAILED')) },
  { kind: D, name: 'weekly-on-schedule', story: 'weekly, its last scheduled run (2 days ago) completed', alerts: [], scheduledAgo: 2 * DAY, runs: cadence(D, 0, 7 * DAY, times(4, 'ok'), [5000, 150, 100]) },
  {
    kind: D, name: 'weekly-run-failed', story: 'weekly, its scheduled run two hours ago failed: the next chance is a week away', alerts: ['JobFailed:critical'], scheduledAgo: 2 * HOUR,
    runs: cadence(D, 0, 7 * DAY, ['FAILED', ...times(3, 'ok')], [5000, 150, 100]),
  },
  { kind: D, name: 'weekly-missed-schedule', story: 'weekly, its run due a day ago never started (late: warning; its success overdue: critical)', alerts: ['ScheduledRunNotStarted:warning', 'NoRecentSuccess:critical'], scheduledAgo: DAY, runs: cadence(D, 7 * DAY, 7 * DAY, times(4, 'ok'), [5000, 150, 100]) },
  { kind: D, name: 'never-completed', story: 'weekly, every run ended PARTIAL_SUCCESS', alerts: ['NoRecentSuccess:critical', 'JobPartialSuccess:info'], scheduledAgo: 2 * DAY, runs: cadence(D, 0, 7 * DAY, times(4, 'PARTIAL_SUCCESS'), [5000, 150, 100]).map((run) => ({ ...run, message: 'Some profiles could not be merged: merge conflicts in 12 profiles.' })) },
  {
    kind: D, name: 'merge-spike', story: 'weekly; its newest run merged ten times its usual profiles', alerts: ['OverMerging:critical'], scheduledAgo: 2 * DAY,
    runs: [{ ago: 0, minutes: 60, status: 'COMPLETED', counts: [5000, 160, 1000] }, ...cadence(D, 7 * DAY, 7 * DAY, times(3, 'ok'), [5000, 150, 100])],
  },
  { kind: D, name: 'getdomain-denied', story: 'weekly and healthy, but GetDomain is denied', alerts: ['TargetRefreshFailed:warning'], getDomainDenied: true, scheduledAgo: 2 * DAY, runs: cadence(D, 0, 7 * DAY, times(4, 'ok'), [5000, 150, 100]) },
];

/** Alert names that are not per kind: their scenarios name them in full. */
const EXPORTER_WIDE: ReadonlySet<string> = new Set(['TargetDown', 'TargetRefreshFailed']);
const KIND_NAMES: Readonly<Record<SimKind, string>> = { identity_resolution: 'IdentityResolution', matching: 'Matching', id_mapping: 'IdMapping' };

/** An alert as the matrix expects it: full name and severity. */
export interface ExpectedAlert {
  readonly alertname: string;
  readonly severity: string;
}

/** The alerts a scenario must raise, with their full names. */
export function expectedAlerts(scenario: Scenario): ExpectedAlert[] {
  return scenario.alerts.map((entry) => {
    const [alert = '', severity = ''] = entry.split(':');
    return { alertname: `AWSResolution${EXPORTER_WIDE.has(alert) ? '' : KIND_NAMES[scenario.kind]}${alert}`, severity };
  });
}

/** The simulated world and the means to let time pass in it, one run at a time. */
export class AlertingWorld {
  private nextId = 1;

  private constructor(readonly simulator: Simulator) {}

  static async start(scenarios: readonly Scenario[] = SCENARIOS): Promise<AlertingWorld> {
    const ofKind = (kind: SimKind): string[] => scenarios.filter((scenario) => scenario.kind === kind).map((scenario) => scenario.name);
    const simulator = await startSimulator({
      seed: 'alerting',
      // One generated job each, due again in ten years: cleared below, so every job is a scenario's own.
      fleet: { domains: ofKind(D), matchingWorkflows: ofKind(M), idMappingWorkflows: ofKind(I), historyJobsPerTarget: 1, jobIntervalSeconds: 10 * 365 * DAY, runningFraction: 0 },
    });
    const world = new AlertingWorld(simulator);
    const now = simulator.now();
    for (const scenario of scenarios) {
      const target = world.target(scenario);
      target.clearGenerated(now);
      if (target.domain) target.domain.schedule = scenario.scheduledAgo === undefined ? undefined : weeklyAt(now - scenario.scheduledAgo);
      if (scenario.getDomainDenied === true) simulator.faults.add({ operation: 'GetDomain', target: scenario.name, effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: `User is not authorized to perform profile:GetDomain on ${scenario.name}` } });
      for (const run of [...scenario.runs].reverse()) world.put(scenario, run, world.scheduleAnchor(scenario, now));
    }
    return world;
  }

  /** Adds a run to a scenario's target, as AWS would list it from now on. */
  add(scenario: Scenario, run: Run): void {
    this.put(scenario, run, Math.floor(this.simulator.now()));
  }

  private target(scenario: Scenario): NonNullable<ReturnType<Simulator['fleet']['get']>> {
    const target = this.simulator.fleet.get({ accountId: DEFAULT_ACCOUNT_ID, region: DEFAULT_REGION, kind: scenario.kind, name: scenario.name });
    if (!target) throw new Error(`the simulator has no ${scenario.kind} ${scenario.name}`);
    return target;
  }

  /** A scheduled domain's runs are reckoned from its last due time (to the minute, as schedules are), the others' from now. */
  private scheduleAnchor(scenario: Scenario, now: number): number {
    return scenario.scheduledAgo === undefined ? Math.floor(now) : Math.floor((now - scenario.scheduledAgo) / MINUTE) * MINUTE;
  }

  private put(scenario: Scenario, run: Run, now: number): void {
    const id = (this.nextId++).toString(16).padStart(32, '0');
    const start = now - run.ago;
    const end = run.minutes === undefined ? undefined : start + run.minutes * MINUTE;
    this.target(scenario).putJob(scenario.kind === 'identity_resolution' ? profilesJob(id, run, start, end) : entityResolutionJob(scenario.kind, id, run, start, end));
  }
}

function weeklyAt(epochSeconds: number): { DayOfTheWeek: string; Time: string } {
  const at = new Date(epochSeconds * 1000);
  return { DayOfTheWeek: DAYS[at.getUTCDay()] ?? 'SATURDAY', Time: `${String(at.getUTCHours())}:${String(at.getUTCMinutes()).padStart(2, '0')}` };
}

function profilesJob(id: string, run: Run, start: number, end: number | undefined): WireObject {
  const [reviewed, matches, merges] = run.counts ?? [5000, 150, 100];
  return {
    JobId: id, Status: run.status, JobStartTime: start,
    ...(end === undefined ? {} : { JobEndTime: end, JobStats: { NumberOfProfilesReviewed: reviewed, NumberOfMatchesFound: matches, NumberOfMergesDone: merges } }),
    ...(run.message === undefined ? {} : { Message: run.message }),
  };
}

function entityResolutionJob(kind: SimKind, id: string, run: Run, start: number, end: number | undefined): WireObject {
  const [input, processed, output] = run.counts ?? [1000, 1000, 700];
  return {
    jobId: id, status: run.status, startTime: start,
    ...(end === undefined ? {} : { endTime: end }),
    ...(run.status === 'QUEUED' ? {} : { metrics: { inputRecords: input, totalRecordsProcessed: processed, recordsNotProcessed: input - processed, ...(kind === 'matching' ? { matchIDs: output } : { totalMappedRecords: output }) } }),
    ...(run.message === undefined ? {} : { errorDetails: { errorMessage: run.message } }),
  };
}
