import { Counter, Gauge, Registry } from 'prom-client';
import type { TargetKind } from '../config/types.js';
import type { AnyTargetSnapshot, CollectionSnapshot } from '../collect/snapshot.js';
import type { FamilySpec, Labels } from './family.js';
import { identityResolutionJobFamilies, idMappingJobFamilies, matchingJobFamilies, type JobInput } from './jobFamilies.js';
import { selfTargetFamilies, targetFamilies, targetLabels } from './targetFamilies.js';

type Metric = Gauge | Counter;

/** Every family the snapshot feeds, by the kind of target and the input it reads. */
const TARGET_FAMILIES: Readonly<Record<TargetKind, readonly FamilySpec<AnyTargetSnapshot>[]>> = {
  identity_resolution: [...selfTargetFamilies, ...targetFamilies('identity_resolution')],
  matching: [...selfTargetFamilies, ...targetFamilies('matching')],
  id_mapping: [...selfTargetFamilies, ...targetFamilies('id_mapping')],
};
const JOB_FAMILIES: Readonly<Record<TargetKind, readonly FamilySpec<JobInput<never>>[]>> = {
  identity_resolution: identityResolutionJobFamilies,
  matching: matchingJobFamilies,
  id_mapping: idMappingJobFamilies,
};

/**
 * The series of the latest collection snapshot, in a registry of their own. They are rebuilt once per
 * collection (so a job or target that disappeared loses its series) and rendered once per collection: scrapes
 * between two collections get the cached text, and cost no more than serving a file.
 */
export class SnapshotMetrics {
  readonly registry = new Registry();
  private readonly metrics = new Map<string, Metric>();
  private rendered: Promise<string> | undefined;

  constructor() {
    const families = [...Object.values(TARGET_FAMILIES).flat(), ...Object.values(JOB_FAMILIES).flat()];
    for (const family of families) {
      if (this.metrics.has(family.name)) continue;
      const options = { name: family.name, help: family.help, labelNames: family.labelNames, registers: [this.registry] };
      this.metrics.set(family.name, family.type === 'counter' ? new Counter(options) : new Gauge(options));
    }
  }

  /** Replaces every series with the snapshot's. */
  publish(snapshot: CollectionSnapshot): void {
    for (const metric of this.metrics.values()) metric.reset();
    for (const target of snapshot.targets) {
      for (const family of TARGET_FAMILIES[target.identity.kind]) this.apply(family, target);
      const labels = targetLabels(target);
      const families = JOB_FAMILIES[target.identity.kind] as readonly FamilySpec<JobInput<unknown>>[];
      for (const job of target.jobs) {
        const input: JobInput<unknown> = { labels: { ...labels, job_id: job.id }, detail: job.detail, dataTime: target.dataTime ?? snapshot.finishedAt };
        for (const family of families) this.apply(family, input);
      }
    }
    this.rendered = undefined;
  }

  /** The exposition text (Prometheus text format 0.0.4) of the latest snapshot. */
  text(): Promise<string> {
    this.rendered ??= this.registry.metrics();
    return this.rendered;
  }

  private apply<T>(family: FamilySpec<T>, input: T): void {
    const metric = this.metrics.get(family.name);
    if (metric instanceof Counter) family.collect(input, (labels: Labels, value) => { metric.inc(labels, value); });
    else if (metric) family.collect(input, (labels: Labels, value) => { metric.set(labels, value); });
  }
}
