import type { TargetConfig } from '../../src/config/types.js';
import { KIND_NAMING } from '../../src/metrics/targetFamilies.js';
import type { WindowJob } from '../simulatorProcess.js';
import type { PoolTarget } from './churn.js';
import { parseSamples, type Sample } from './exposition.js';

/** What a watched target should look like at the end, by the simulator. */
export interface TargetTruth {
  readonly target: TargetConfig;
  /** Its window (lookback, max_jobs_per_target) as the simulator shows it now, newest first. */
  readonly window: readonly WindowJob[];
  /** Finished jobs the exporter must have counted, by final status (see FinishLedger). */
  readonly finished: ReadonlyMap<string, number>;
}

export interface Scrapes {
  /** The soaked exporter's /metrics. */
  readonly soaked: string;
  /** /metrics of a fresh exporter of the same configuration after its first collection, at the same moment. */
  readonly control: string;
}

/**
 * Every difference between the soaked exporter and the truth, one line each: a watched target not up; a job of
 * its window missing, extra or in another status than the simulator's; a per-job series other than a fresh
 * exporter's; a finished-jobs counter other than the simulator's count; a series of a removed target.
 */
export function compareWithTruth(truths: readonly TargetTruth[], removed: readonly PoolTarget[], scrapes: Scrapes): string[] {
  const soaked = parseSamples(scrapes.soaked);
  const control = parseSamples(scrapes.control);
  const mismatches = truths.flatMap((truth) => [
    ...upMismatches(truth.target, soaked),
    ...statusMismatches(truth, soaked),
    ...counterMismatches(truth, soaked),
    ...seriesMismatches(truth.target, soaked, control),
  ]);
  for (const { kind, name } of removed) {
    const left = soaked.filter((sample) => sample.labels.target === name || sample.labels[KIND_NAMING[kind].targetLabel] === name);
    if (left.length > 0) mismatches.push(`${describe({ kind, name })}: removed, yet ${left.length} series remain, e.g. ${left[0]?.line ?? ''}`);
  }
  return mismatches;
}

function describe(target: PoolTarget): string {
  return `${target.kind} ${target.name}`;
}

/** The target's samples of the families `matches` accepts. */
function ofTarget(samples: readonly Sample[], target: TargetConfig, matches: (name: string) => boolean): Sample[] {
  const { targetLabel } = KIND_NAMING[target.kind];
  return samples.filter((sample) => matches(sample.name) && sample.labels[targetLabel] === target.name && sample.labels.aws_region === target.region);
}

function upMismatches(target: TargetConfig, soaked: readonly Sample[]): string[] {
  const up = soaked.find((sample) => sample.name === 'aws_resolution_exporter_target_up' && sample.labels.kind === target.kind
    && sample.labels.target === target.name && sample.labels.aws_region === target.region);
  return up?.value === 1 ? [] : [`${describe(target)}: target_up ${up === undefined ? 'missing' : String(up.value)} after the faults stopped`];
}

function statusMismatches(truth: TargetTruth, soaked: readonly Sample[]): string[] {
  const { prefix } = KIND_NAMING[truth.target.kind];
  const exported = new Map(ofTarget(soaked, truth.target, (name) => name === `${prefix}job_status`)
    .filter((sample) => sample.value === 1)
    .map((sample) => [sample.labels.job_id ?? '', sample.labels.status ?? '']));
  const mismatches: string[] = [];
  for (const job of truth.window) {
    const status = exported.get(job.id);
    if (status !== job.status) mismatches.push(`${describe(truth.target)}: job ${job.id} ${status === undefined ? 'not exported' : `exported ${status}`}, simulator ${job.status}`);
    exported.delete(job.id);
  }
  for (const [id, status] of exported) mismatches.push(`${describe(truth.target)}: job ${id} exported ${status}, not in the simulator's window`);
  return mismatches;
}

function counterMismatches(truth: TargetTruth, soaked: readonly Sample[]): string[] {
  const { prefix } = KIND_NAMING[truth.target.kind];
  const exported = new Map(ofTarget(soaked, truth.target, (name) => name === `${prefix}jobs_finished_total`).map((sample) => [sample.labels.status ?? '', sample.value]));
  const statuses = new Set([...exported.keys(), ...truth.finished.keys()]);
  return [...statuses].flatMap((status) => {
    const count = exported.get(status);
    const expected = truth.finished.get(status) ?? 0;
    return count === expected ? [] : [`${describe(truth.target)}: jobs_finished_total{status="${status}"} ${count === undefined ? 'missing' : String(count)}, simulator ${expected}`];
  });
}

/** Per-job series, to the letter, against a fresh exporter's: what it reads of the simulator now. */
function seriesMismatches(target: TargetConfig, soaked: readonly Sample[], control: readonly Sample[]): string[] {
  const perJob = (name: string): boolean => name.startsWith(`${KIND_NAMING[target.kind].prefix}job_`);
  const soakedLines = new Set(ofTarget(soaked, target, perJob).map((sample) => sample.line));
  const controlLines = new Set(ofTarget(control, target, perJob).map((sample) => sample.line));
  return [
    ...[...soakedLines].filter((line) => !controlLines.has(line)).map((line) => `${describe(target)}: exported ${line}, a fresh exporter does not`),
    ...[...controlLines].filter((line) => !soakedLines.has(line)).map((line) => `${describe(target)}: a fresh exporter exports ${line}, the soaked one does not`),
  ];
}
