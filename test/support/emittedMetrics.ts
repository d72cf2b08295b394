import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACCOUNT, Harness, REGION } from './harness.js';

/**
 * The metric names the exporter really emits, read from a scrape of a fleet that exercises every kind of
 * series: all three target kinds, running and finished jobs, failing targets (error and message series)
 * and a denied one, a newest job queued and one running. Histogram series appear with their _bucket, _sum and
 * _count names.
 */
export async function emittedMetricNames(): Promise<Set<string>> {
  const harness = await Harness.start({
    fleet: {
      // retail-us: rule-based matching stuck IN_PROGRESS, its data store still getting ready (message and readiness series).
      domains: [{ name: 'retail-us', ruleBasedMatching: { stuck: true }, dataStore: { enabledSecondsAgo: 60, readySeconds: 30 * 86_400 } }, 'broken-domain', 'denied-domain'],
      matchingWorkflows: ['dedupe', 'broken-matching'],
      idMappingWorkflows: ['crm-to-ads', 'broken-id-mapping'],
      failingWorkflows: ['broken-domain', 'broken-matching', 'broken-id-mapping'],
      historyJobsPerTarget: 12,
      runningFraction: 0.5,
    },
    simulator: { deniedTargets: ['denied-domain'] },
    // The state file's write result is a series only when there is a state file.
    config: { stateFile: join(mkdtempSync(join(tmpdir(), 'are-emitted-')), 'state.json') },
  });
  try {
    await harness.collect();
    harness.clock.advance(86_400);
    // A newest job that waits and one that runs, whatever the seed made of the fleet's own timing.
    const now = harness.clock.now() / 1000;
    const target = (kind: 'identity_resolution' | 'matching' | 'id_mapping', name: string) => harness.simulator.fleet.get({ accountId: ACCOUNT, region: REGION, kind, name });
    target('matching', 'dedupe')?.putJob({ jobId: 'a'.repeat(32), status: 'QUEUED', startTime: now - 60 });
    target('matching', 'broken-matching')?.putJob({ jobId: 'e'.repeat(32), status: 'RUNNING', startTime: now - 60 });
    target('id_mapping', 'crm-to-ads')?.putJob({ jobId: 'b'.repeat(32), status: 'RUNNING', startTime: now - 60 });
    target('id_mapping', 'broken-id-mapping')?.putJob({ jobId: 'f'.repeat(32), status: 'QUEUED', startTime: now - 60 });
    // With every auto-merging setting, whatever the seed gave the domain.
    target('identity_resolution', 'retail-us')?.putJob({
      JobId: 'c'.repeat(32), Status: 'PENDING', JobStartTime: now - 60,
      AutoMerging: { Enabled: true, MinAllowedConfidenceScoreForMerging: 0.8, ConflictResolution: { ConflictResolvingModel: 'SOURCE', SourceName: 'crm' } },
    });
    target('identity_resolution', 'broken-domain')?.putJob({ JobId: 'd'.repeat(32), Status: 'MERGING', JobStartTime: now - 60 });
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
