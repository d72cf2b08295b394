import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AnyTargetSnapshot, CollectionSnapshot } from '../collect/snapshot.js';
import { encodePart, StreamEncoder, type ExpositionPart } from '../exposition/encoding.js';
import type { FamilySpec, Labels } from './family.js';
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
 * the golden tests and the README's metric reference, which must cover every family.
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
/** Text handed to the encoders at a time. */
const CHUNK_CHARS = 64 * 1024;

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

  constructor() {
    this.current = encodePart(renderSync({ targets: [], finishedAt: 0, durationSeconds: 0 }));
    this.latest = Promise.resolve(this.current);
  }

  /** Replaces every series with the snapshot's; the new rendering starts now and replaces the old when done. */
  publish(snapshot: CollectionSnapshot): void {
    const rendering = render(snapshot);
    this.latest = rendering;
    rendering.then((part) => {
      if (this.latest === rendering) this.current = part;
    }, () => undefined);
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

/** The series of one family as prom-client would hold them: one per label set, in first-emitted order. */
class FamilySeries {
  private readonly index = new Map<string, number>();
  readonly labels: string[] = [];
  readonly values: number[] = [];

  constructor(private readonly counter: boolean) {}

  /** A gauge's later value for the same labels replaces the earlier; a counter's adds to it. */
  readonly emit = (labels: Labels, value: number): void => {
    // prom-client refuses to decrease a counter; such a sample is dropped rather than failing the whole exposition.
    if (this.counter && !(value >= 0 && Number.isFinite(value))) return;
    const key = formatLabels(labels);
    const at = this.index.get(key);
    if (at === undefined) {
      this.index.set(key, this.labels.length);
      this.labels.push(key);
      this.values.push(value);
    } else {
      this.values[at] = this.counter ? (this.values[at] ?? 0) + value : value;
    }
  };
}

/**
 * Walks the snapshot family by family and yields the exposition in pieces (`undefined` marks a point where the
 * caller may pause). Text and OpenMetrics differ only in their HELP and TYPE lines (a counter family is named
 * without `_total` in OpenMetrics) and in the blank line text puts between families.
 */
function* renderPieces(snapshot: CollectionSnapshot): Generator<{ text: string; openMetrics: string } | undefined> {
  const jobInputs = snapshot.targets.map((target): JobInput<unknown>[] => {
    const labels = targetLabels(target);
    const dataTime = target.dataTime ?? snapshot.finishedAt;
    return target.jobs.map((job) => ({ labels: { ...labels, job_id: job.id }, detail: job.detail, dataTime }));
  });
  let first = true;
  for (const plan of SNAPSHOT_FAMILIES) {
    const series = new FamilySeries(plan.type === 'counter');
    for (const [i, target] of snapshot.targets.entries()) {
      const spec = plan.byKind.get(target.identity.kind) as FamilySpec<unknown> | undefined;
      if (!spec) continue;
      if (plan.level === 'target') spec.collect(target, series.emit);
      else for (const job of jobInputs[i] ?? []) spec.collect(job, series.emit);
      yield undefined;
    }
    const name = escapeString(plan.name);
    const help = escapeString(plan.help);
    const openMetricsName = plan.type === 'counter' && name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
    let text = `${first ? '' : '\n'}# HELP ${name} ${help}\n# TYPE ${name} ${plan.type}\n`;
    let openMetrics = `# HELP ${openMetricsName} ${help}\n# TYPE ${openMetricsName} ${plan.type}\n`;
    let samples = '';
    for (const [i, labels] of series.labels.entries()) {
      samples += `${name}${labels === '' ? '' : `{${labels}}`} ${valueString(series.values[i] ?? 0)}\n`;
      if (samples.length >= CHUNK_CHARS) {
        yield { text: text + samples, openMetrics: openMetrics + samples };
        text = openMetrics = samples = '';
      }
    }
    yield { text: text + samples, openMetrics: openMetrics + samples };
    first = false;
  }
}

/** Renders the snapshot in time slices, feeding both encoders as it goes. */
async function render(snapshot: CollectionSnapshot): Promise<ExpositionPart> {
  const text = new StreamEncoder();
  const openMetrics = new StreamEncoder();
  let sliceStart = performance.now();
  let pendingText = '';
  let pendingOpenMetrics = '';
  const flush = async (): Promise<void> => {
    await Promise.all([text.write(pendingText), openMetrics.write(pendingOpenMetrics)]);
    pendingText = pendingOpenMetrics = '';
  };
  for (const piece of renderPieces(snapshot)) {
    if (piece) {
      pendingText += piece.text;
      pendingOpenMetrics += piece.openMetrics;
      if (pendingText.length >= CHUNK_CHARS) await flush();
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  await flush();
  const [textEncoded, openMetricsEncoded] = await Promise.all([text.finish(), openMetrics.finish()]);
  return { text: textEncoded, openMetrics: openMetricsEncoded };
}

/** The whole Prometheus text at once, for a snapshot known to be tiny (the empty one). */
function renderSync(snapshot: CollectionSnapshot): string {
  let text = '';
  for (const piece of renderPieces(snapshot)) if (piece) text += piece.text;
  return text;
}

/** `name="value"` pairs in the labels' own order, escaped as prom-client escapes them. */
function formatLabels(labels: Labels): string {
  let formatted = '';
  for (const [name, value] of Object.entries(labels)) {
    formatted += `${formatted === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return formatted;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabelValue(value: string): string {
  return NEEDS_ESCAPE.test(value) ? escapeString(value).replace(/"/g, '\\"') : value;
}

function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** As prom-client writes a value (NaN as `Nan`, which Prometheus parses case-insensitively). */
function valueString(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
