import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Harness } from './harness.js';

/**
 * The metric names the exporter really emits, read from a scrape of a fleet that exercises every kind of
 * series: all three target kinds, running and finished jobs, failing targets (error and message series)
 * and a denied one. Histogram series appear with their _bucket, _sum and _count names.
 */
export async function emittedMetricNames(): Promise<Set<string>> {
  const harness = await Harness.start({
    fleet: {
      domains: ['retail-us', 'broken-domain', 'denied-domain'],
      matchingWorkflows: ['dedupe', 'broken-matching'],
      idMappingWorkflows: ['crm-to-ads', 'broken-id-mapping'],
      failingWorkflows: ['broken-domain', 'broken-matching', 'broken-id-mapping'],
      historyJobsPerTarget: 12,
      runningFraction: 0.5,
    },
    simulator: { deniedTargets: ['denied-domain'] },
  });
  try {
    await harness.collect();
    harness.clock.advance(86_400);
    await harness.collect();
    const text = await harness.scrape();
    const names = new Set<string>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (name) names.add(name);
    }
    return names;
  } finally {
    await harness.close();
  }
}

/** Names of the recording rules in prometheus/rules.yml: dashboards and alerts may use them like metrics. */
export function recordedMetricNames(path = 'prometheus/rules.yml'): Set<string> {
  const doc = parse(readFileSync(path, 'utf8')) as { groups?: { rules?: { record?: string }[] }[] };
  const names = new Set<string>();
  for (const group of doc.groups ?? []) for (const rule of group.rules ?? []) if (rule.record) names.add(rule.record);
  return names;
}
