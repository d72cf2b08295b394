import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SelfMetrics } from '../src/metrics/selfMetrics.js';
import { SNAPSHOT_FAMILIES } from '../src/metrics/snapshotMetrics.js';

/**
 * Every metric family the exporter defines, as the README's metric reference and the tests of HELP texts and
 * labels read them: from the family definitions and the self-metrics, never from a hand-kept list.
 */
export interface FamilyReference {
  readonly name: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
}

/** The families of a collection snapshot, in exposition order; each with the labels its first kind declares. */
export function snapshotFamilies(): FamilyReference[] {
  return SNAPSHOT_FAMILIES.map((family) => ({
    name: family.name,
    type: family.type,
    help: family.help,
    labelNames: [...family.byKind.values()][0]?.labelNames ?? [],
  }));
}

/** Names of prom-client's default metrics (process_*, nodejs_*): not the exporter's to define or document. */
export function defaultMetricNames(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return new Set(registry.getMetricsAsArray().map((metric) => metric.name));
}

function metricType(metric: object): FamilyReference['type'] {
  if (metric instanceof Counter) return 'counter';
  if (metric instanceof Gauge) return 'gauge';
  if (metric instanceof Histogram) return 'histogram';
  throw new Error(`${metric.constructor.name}: a metric type the reference does not know`);
}

/** The exporter's own families (its collections, AWS calls, configuration), less prom-client's defaults. */
export function selfFamilies(): FamilyReference[] {
  const self = new SelfMetrics({ version: '', revision: '' });
  // This gauge is registered at the first state-file write; the reference lists it all the same.
  self.stateWritten(true);
  const defaults = defaultMetricNames();
  return self.registry.getMetricsAsArray().filter((metric) => !defaults.has(metric.name)).map((metric) => ({
    name: metric.name,
    type: metricType(metric),
    help: metric.help,
    // prom-client keeps the declared label names on the metric, though its typings do not say so.
    labelNames: 'labelNames' in metric && Array.isArray(metric.labelNames) ? metric.labelNames.map(String) : [],
  }));
}
