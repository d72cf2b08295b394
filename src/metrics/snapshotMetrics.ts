import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AnyTargetSnapshot, CollectionSnapshot } from '../collect/snapshot.js';
import { ChunkWriter } from '../exposition/chunkWriter.js';
import { encodePart, StreamEncoder, type ExpositionPart } from '../exposition/encoding.js';
import type { FamilySpec } from './family.js';
import { FamilySeries } from './familySeries.js';
import { escapeString, writeSample } from './sampleText.js';
import { identityResolutionJobFamilies, idMappingJobFamilies, matchingJobFamilies, type JobInput } from './jobFamilies.js';
import { domainFamilies, workflowFamilies } from './factFamilies.js';
import { selfTargetFamilies, targetFamilies, targetLabels } from './targetFamilies.js';
import type { TargetKind } from '../model/kinds.js';

/** Every family the snapshot feeds, by the kind of target and the input it reads. */
const TARGET_FAMILIES: Readonly<Record<TargetKind, readonly FamilySpec<AnyTargetSnapshot>[]>> = {
  identity_resolution: [...selfTargetFamilies, ...targetFamilies('identity_resolution'), ...domainFamilies],
  matching: [...selfTargetFamilies, ...targetFamilies('matching'), ...workflowFamilies],
  id_mapping: [...selfTargetFamilies, ...targetFamilies('id_mapping'), ...workflowFamilies],
};
const JOB_FAMILIES: Readonly<Record<TargetKind, readonly FamilySpec<JobInput<never>>[]>> = {
  identity_resolution: identityResolutionJobFamilies,
  matching: matchingJobFamilies,
  id_mapping: idMappingJobFamilies,
};

/** One exposed family: what it reads (a target or each of its jobs), by kind of target. */
export interface FamilyPlan {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly level: 'target' | 'job';
  readonly byKind: ReadonlyMap<TargetKind, FamilySpec<never>>;
}

/**
 * The families in exposition order: target families first, then job families, each name once. Exported for
 * the golden tests and the metric reference (docs/metrics.md), which must cover every family.
 */
export const SNAPSHOT_FAMILIES: readonly FamilyPlan[] = (() => {
  const plans = new Map<string, { name: string; help: string; type: 'gauge' | 'counter'; level: 'target' | 'job'; byKind: Map<TargetKind, FamilySpec<never>> }>();
  const add = (level: 'target' | 'job', families: Readonly<Record<TargetKind, readonly FamilySpec<never>[]>>): void => {
    for (const [kind, specs] of Object.entries(families) as [TargetKind, readonly FamilySpec<never>[]][]) {
      for (const spec of specs) {
        let plan = plans.get(spec.name);
        if (!plan) {
          plan = { name: spec.name, help: spec.help, type: spec.type, level, byKind: new Map() };
          plans.set(spec.name, plan);
        }
        plan.byKind.set(kind, spec);
      }
    }
  };
  add('target', TARGET_FAMILIES);
  add('job', JOB_FAMILIES);
  return [...plans.values()];
})();

/** Work done between two yields to the event loop while rendering, in milliseconds. */
const SLICE_MS = 4;

/**
 * The series of the latest collection snapshot, rendered once per collection into both exposition formats,
 * pre-compressed, so that a scrape costs no more than serving a file. Rendering runs in short slices that yield
 * to the event loop (deflating runs on the thread pool), and until it is done scrapes keep getting the previous
 * rendering: a large exposition never stalls a scrape. The series are written as prom-client wrote them (same
 * text, same order), without holding them in a registry between collections.
 */
export class SnapshotMetrics {
  private current: ExpositionPart;
  private latest: Promise<ExpositionPart>;
  /**
   * Kept from one rendering to the next (a rendering still running when the next starts keeps its own): its
   * arrays grow to the largest family once, not at every collection.
   */
  private idleSeries: FamilySeries | undefined = new FamilySeries();

  constructor() {
    this.current = encodePart(SNAPSHOT_FAMILIES.map((plan, i) => familyHeaders(plan, i === 0).text).join(''));
    this.latest = Promise.resolve(this.current);
  }

  /** Replaces every series with the snapshot's; the new rendering starts now and replaces the old when done. */
  publish(snapshot: CollectionSnapshot): void {
    const series = this.idleSeries ?? new FamilySeries();
    this.idleSeries = undefined;
    const rendering = render(snapshot, series);
    this.latest = rendering;
    const done = (): void => {
      series.clear();
      this.idleSeries = series;
    };
    rendering.then((part) => {
      if (this.latest === rendering) this.current = part;
      done();
    }, done);
  }

  /** Resolves once the last published snapshot is rendered (it rejects if rendering failed). */
  async rendered(): Promise<void> {
    await this.latest;
  }

  /** What a scrape serves now: the newest finished rendering (the one before, while the latest still renders). */
  part(): ExpositionPart {
    return this.current;
  }

  /** The exposition text (Prometheus text format 0.0.4) of the latest published snapshot. */
  async text(): Promise<string> {
    const part = await this.latest;
    return (await part.text.plain()).toString('utf8');
  }
}

/**
 * A family's HELP and TYPE lines, the only lines in which text and OpenMetrics differ, with the blank line text
 * puts before every family but the first. OpenMetrics names a counter family without its `_total`.
 */
function familyHeaders(plan: FamilyPlan, first: boolean): { text: string; openMetrics: string } {
  const name = escapeString(plan.name);
  const help = escapeString(plan.help);
  const openMetricsName = plan.type === 'counter' && name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  return {
    text: `${first ? '' : '\n'}# HELP ${name} ${help}\n# TYPE ${name} ${plan.type}\n`,
    openMetrics: `# HELP ${openMetricsName} ${help}\n# TYPE ${openMetricsName} ${plan.type}\n`,
  };
}

/**
 * Renders the snapshot family by family, in time slices. The sample lines are the same in both formats: they
 * are written once, as bytes, and each chunk of them goes to both encoders; only the headers go to each alone.
 */
async function render(snapshot: CollectionSnapshot, series: FamilySeries): Promise<ExpositionPart> {
  const text = new StreamEncoder();
  const openMetrics = new StreamEncoder();
  const samples = new ChunkWriter((bytes, consumed) => {
    let readers = 2;
    const read = (): void => {
      if (--readers === 0) consumed();
    };
    text.write(bytes, read);
    openMetrics.write(bytes, read);
  });
  let sliceStart = performance.now();
  // Checked after every target and every sample line, so not itself async: a promise per line would be garbage.
  const mustPause = (): boolean => samples.behind || performance.now() - sliceStart >= SLICE_MS;
  const pause = async (): Promise<void> => {
    await samples.caughtUp();
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  };
  const jobInputs = snapshot.targets.map((target): JobInput<unknown>[] => {
    const labels = targetLabels(target);
    const dataTime = target.dataTime ?? snapshot.finishedAt;
    return target.jobs.map((job) => ({ labels: { ...labels, job_id: job.id }, detail: job.detail, dataTime }));
  });
  for (const [p, plan] of SNAPSHOT_FAMILIES.entries()) {
    series.reset(plan.type === 'counter');
    for (let i = 0; i < snapshot.targets.length; i++) {
      const target = snapshot.targets[i];
      const spec = target && (plan.byKind.get(target.identity.kind) as FamilySpec<unknown> | undefined);
      if (!spec) continue;
      if (plan.level === 'target') spec.collect(target, series.emit);
      else {
        const jobs = jobInputs[i] ?? [];
        // Indexed: a for-of here allocated an iterator result per job and family, 4 MiB per wide-fleet rendering.
        // eslint-disable-next-line @typescript-eslint/prefer-for-of
        for (let j = 0; j < jobs.length; j++) spec.collect(jobs[j], series.emit);
      }
      if (mustPause()) await pause();
    }
    samples.flush();
    const headers = familyHeaders(plan, p === 0);
    text.write(Buffer.from(headers.text));
    openMetrics.write(Buffer.from(headers.openMetrics));
    const name = escapeString(plan.name);
    for (let i = 0; i < series.size; i++) {
      writeSample(samples, name, series.labelsAt(i), series.lastLabelAt(i), series.lastLabelValueAt(i), series.valueAt(i));
      if (mustPause()) await pause();
    }
  }
  samples.flush();
  const [textEncoded, openMetricsEncoded] = await Promise.all([text.finish(), openMetrics.finish()]);
  return { text: textEncoded, openMetrics: openMetricsEncoded };
}
