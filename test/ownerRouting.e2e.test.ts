import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { defaultOptions } from '../monitoring/options.js';
import { ALERTS_FILE, renderMonitoring } from '../monitoring/render.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { eventually, exampleRouteTo, NotificationSink, SCRAPE_JOB, shortenedRules, type PromAlert } from './support/alertingStack.js';
import { startExporterProcess, waitForOk, type ExporterProcess } from './support/exporterProcess.js';
import { samples } from './support/harness.js';
import { ALERTMANAGER_BINARY, PROMETHEUS_BINARY, requireInstalled, startAlertmanager, startPrometheus, type PrometheusServer, type RunningServer } from './support/monitoringServers.js';

/*
 * Alerts routed to the team that owns the target, as a team-per-domain account sets it up: the exporter discovers
 * only what carries a `team` tag and labels each target's info series with it (tag_labels), the rules are rendered
 * with --tag-labels=team, and the example Alertmanager route sends each team's alerts to that team's receivers.
 * Debian's Prometheus and Alertmanager, the real exporter process, the simulator behind the AWS SDK.
 */

const DEADLINE_MS = 120_000;
const DAY = 86_400;
/** Each target's owner; the untagged ones must not even be watched. */
const OWNERS: Readonly<Record<string, string | undefined>> = {
  'payments-domain': 'data-platform',
  'ads-domain': 'marketing-analytics',
  'pay-dedupe': 'data-platform',
  'ads-dedupe': 'marketing-analytics',
  'orphan-domain': undefined,
  'orphan-dedupe': undefined,
};
const tagsOf = (name: string): { tags?: Record<string, string> } => {
  const team = OWNERS[name];
  return team === undefined ? {} : { tags: { team } };
};

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => eventually(what, probe, DEADLINE_MS);

describe('alerts routed by owner: discovery by tag, tag_team on every alert, each team\'s receiver', function () {
  this.timeout(300_000);
  let simulator: Simulator | undefined;
  let exporter: ExporterProcess | undefined;
  let prometheus: PrometheusServer | undefined;
  let alertmanager: RunningServer | undefined;
  let sink: NotificationSink | undefined;

  before(async function () {
    requireInstalled([PROMETHEUS_BINARY, ALERTMANAGER_BINARY]);
    // Every domain's rule-based matching stuck IN_PROGRESS for 3 days and every workflow failing: each target
    // raises alerts of both severities' routes, whoever owns it.
    const domain = (name: string) => ({ name, ...tagsOf(name), ruleBasedMatching: { configuredSecondsAgo: 3 * DAY, stuck: true } });
    simulator = await startSimulator({
      seed: 'owners',
      fleet: {
        domains: ['payments-domain', 'ads-domain', 'orphan-domain'].map(domain),
        matchingWorkflows: ['pay-dedupe', 'ads-dedupe', 'orphan-dedupe'].map((name) => ({ name, ...tagsOf(name) })),
        failingWorkflows: ['pay-dedupe', 'ads-dedupe', 'orphan-dedupe'],
        historyJobsPerTarget: 3,
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'are-owners-'));
    const config = join(dir, 'exporter.yaml');
    const byTag = { require_tags: { team: null } };
    writeFileSync(config, stringify({
      schedule: '* * * * * *', region: 'us-east-1', endpoint_url: simulator.url, rate_limit: 100, concurrency: 8, refresh_every_collections: 1,
      tag_labels: ['team'],
      customer_profiles: { discover: { ...byTag, all_domains: true } },
      entity_resolution: { discover: byTag },
    }));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAOWNERSTEST000001', AWS_SECRET_ACCESS_KEY: 'owners-secret', AWS_MAX_ATTEMPTS: '1' };
    exporter = await startExporterProcess([`--config.file=${config}`], env);
    if (!await waitForOk(`http://${exporter.address}/-/ready`, 30_000)) throw new Error(`exporter not ready: ${exporter.output()}`);
    sink = await NotificationSink.start();
    alertmanager = await startAlertmanager(exampleRouteTo(`${sink.url}/owners`));
    const tagged = renderMonitoring({ ...defaultOptions(), tagKeys: ['team'] }).get(ALERTS_FILE);
    prometheus = await startPrometheus({
      targets: [exporter.address],
      jobName: SCRAPE_JOB,
      ruleFiles: [shortenedRules(dir, tagged), resolve('prometheus/rules.yml')],
      alertmanager: alertmanager.url,
    });
  });

  after(async () => {
    prometheus?.stop();
    alertmanager?.stop();
    await exporter?.stop();
    sink?.close();
    await simulator?.close();
  });

  it('watches exactly the tagged targets; every alert about one carries its team and reaches that team\'s receiver', async () => {
    const owned = Object.entries(OWNERS).flatMap(([name, team]) => (team === undefined ? [] : [name]));
    const text = await until('every tagged target collected', async () => {
      const scraped = await (await fetch(`http://${exporter?.address ?? ''}/metrics`)).text();
      return samples(scraped, 'aws_resolution_exporter_target_up').length >= owned.length ? scraped : undefined;
    });
    const watched = samples(text, 'aws_resolution_exporter_target_up').map((line) => /target="([^"]+)"/.exec(line)?.[1] ?? '').sort();
    expect(watched, 'discovery by tag keeps the tagged targets and only them').to.deep.equal([...owned].sort());

    const targetOf = (labels: Record<string, string>): string => labels.domain ?? labels.workflow ?? '';
    const expected = new Set(['AWSResolutionRuleBasedMatchingNotActive payments-domain', 'AWSResolutionRuleBasedMatchingNotActive ads-domain', 'AWSResolutionMatchingJobFailed pay-dedupe', 'AWSResolutionMatchingJobFailed ads-dedupe']);
    const alerts = await until('each owner\'s alerts firing', async () => {
      const answer = await (await fetch(`${prometheus?.url ?? ''}/api/v1/alerts`)).json() as { data: { alerts: PromAlert[] } };
      const firing = answer.data.alerts.filter((alert) => alert.state === 'firing');
      const keys = new Set(firing.map((alert) => `${alert.labels.alertname ?? ''} ${targetOf(alert.labels)}`));
      return [...expected].every((want) => keys.has(want)) ? firing : undefined;
    });
    const perTarget = alerts.filter((alert) => targetOf(alert.labels) !== '');
    expect(perTarget.map((alert) => `${alert.labels.alertname ?? ''} ${targetOf(alert.labels)}: ${alert.labels.tag_team ?? '(none)'}`).sort())
      .to.deep.equal(perTarget.map((alert) => `${alert.labels.alertname ?? ''} ${targetOf(alert.labels)}: ${OWNERS[targetOf(alert.labels)] ?? '(none)'}`).sort());

    // Each notification goes to the receivers of the team its alerts carry (the pager for critical, the chat otherwise).
    const delivered = await until('a notification for every alert', () => {
      const notifications = sink?.notifications('owners') ?? [];
      const seen = new Set(notifications.flatMap((n) => n.alerts.map((a) => `${a.labels.alertname ?? ''} ${targetOf(a.labels)}`)));
      return Promise.resolve([...expected].every((want) => seen.has(want)) ? notifications : undefined);
    });
    const routes = delivered.flatMap((n) => n.alerts.filter((a) => targetOf(a.labels) !== '').map((a) => ({ receiver: n.receiver, team: a.labels.tag_team, severity: a.labels.severity, what: `${a.labels.alertname ?? ''} ${targetOf(a.labels)}` })));
    console.log(`\n      ${routes.map((r) => `${r.what} (${r.severity ?? ''}, tag_team=${r.team ?? ''}) -> ${r.receiver}`).join('\n      ')}\n`);
    for (const route of routes) {
      expect(route.receiver, route.what).to.equal(`${route.team ?? ''}-${route.severity === 'critical' ? 'pager' : 'chat'}`);
    }
    expect(new Set(routes.map((r) => r.receiver))).to.include.members(['data-platform-pager', 'marketing-analytics-pager', 'data-platform-chat', 'marketing-analytics-chat']);
  });
});
