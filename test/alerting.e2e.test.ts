import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { AlertingWorld, expectedAlerts, SCENARIOS, type Run, type Scenario } from './support/alertingWorld.js';
import { startExporterProcess, waitForOk, type ExporterProcess } from './support/exporterProcess.js';
import { samples } from './support/harness.js';
import { ALERTMANAGER_BINARY, PROMETHEUS_BINARY, requireInstalled, startAlertmanager, startPrometheus, type RunningServer } from './support/monitoringServers.js';

/*
 * The alerts as a team meets them: simulator worlds (SCENARIOS) watched by two exporters, one with per-job
 * series and one in summary mode (max_jobs_per_target: 0), scraped by Debian's Prometheus with the shipped
 * rules (every `for:` shortened), alerting Debian's Alertmanager with the shipped example route, which
 * notifies a webhook in this test. Healthy targets of every cadence raise nothing; every problem raises its
 * alert once per target and is notified once.
 */

const SCRAPE_JOB = 'aws-resolution-exporter';
/** Every `for:` in the test copy of the rules but ExporterDown's. */
const SHORT_FOR = '5s';
/**
 * ExporterDown's `for:` in the test copy. Its `absent(up)` is true from Prometheus' start until the first scrape,
 * and Prometheus hands new targets to its scrape loops on a 5 s tick (DiscoveryReloadInterval): under load the first
 * scrape came more than 5 s after the first evaluation, and the alert paged (a CI run on record).
 */
const EXPORTER_DOWN_FOR = '60s';
const DEADLINE_MS = 120_000;
const SETTLE_MS = 10_000;
const MODES = { 'per-job': 10, summary: 0 } as const;
type Mode = keyof typeof MODES;

interface PromAlert { readonly labels: Record<string, string>; readonly state: string; readonly activeAt: string; readonly value: string }
interface Notification { readonly at: number; readonly status: string; readonly receiver: string; readonly alerts: readonly { readonly status: string; readonly labels: Record<string, string>; readonly startsAt: string }[] }

const targetOf = (labels: Record<string, string>): string => labels.domain ?? labels.workflow ?? labels.target ?? '';
const key = (alertname: string, instance: string, target: string): string => `${alertname} ${instance} ${target}`;

/** The shipped rules with every `for:` shortened, so a test takes seconds. */
function shortenedRules(dir: string): string {
  const doc = parse(readFileSync('prometheus/alerts.yml', 'utf8')) as { groups: { rules: { alert?: string; for?: string }[] }[] };
  for (const rule of doc.groups.flatMap((group) => group.rules)) if (rule.for !== undefined) rule.for = rule.alert === 'AWSResolutionExporterDown' ? EXPORTER_DOWN_FOR : SHORT_FOR;
  const file = join(dir, 'alerts.yml');
  writeFileSync(file, stringify(doc));
  return file;
}

/** The example route as shipped (grouping, severities, inhibition), its waits shortened and its receivers this test's webhook. */
function testRoute(webhook: string): string {
  const doc = parse(readFileSync('docs/alertmanager.example.yml', 'utf8')) as {
    global?: Record<string, unknown>;
    route: { routes: Record<string, unknown>[] };
    receivers: { name: string }[];
  };
  delete doc.global?.slack_api_url;
  Object.assign(doc.route.routes[0] ?? {}, { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' });
  doc.receivers = doc.receivers.map(({ name }) => ({ name, webhook_configs: [{ url: webhook, send_resolved: true }] }));
  return stringify(doc);
}

/** A webhook receiver: every notification Alertmanager sends, with when it arrived. */
async function startWebhook(): Promise<{ url: string; notifications: Notification[]; server: Server }> {
  const notifications: Notification[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      notifications.push({ ...(JSON.parse(body) as Omit<Notification, 'at'>), at: Date.now() });
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`, notifications, server };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('alerting end to end: simulator worlds, per-job and summary exporters, Prometheus, Alertmanager, a webhook', function () {
  this.timeout(420_000);
  let world: AlertingWorld | undefined;
  const exporters = new Map<Mode, ExporterProcess>();
  let prometheus: RunningServer | undefined;
  let alertmanager: RunningServer | undefined;
  let webhook: Awaited<ReturnType<typeof startWebhook>> | undefined;

  const instances = (): [Mode, string][] => [...exporters].map(([mode, exporter]) => [mode, exporter.address]);
  const alerts = async (): Promise<PromAlert[]> => {
    const answer = await (await fetch(`${prometheus?.url ?? ''}/api/v1/alerts`)).json() as { data: { alerts: PromAlert[] } };
    return answer.data.alerts;
  };
  const scenario = (name: string): Scenario => {
    const found = SCENARIOS.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no scenario ${name}`);
    return found;
  };
  /** Adds a run and waits until both exporters serve `series` of the target at `expected`. */
  const addRun = async (of: Scenario, run: Run, series: string, expected: number): Promise<void> => {
    world?.add(of, run);
    const label = of.kind === 'identity_resolution' ? 'domain' : 'workflow';
    await until(`${series}{${label}="${of.name}"} = ${String(expected)} on both exporters`, async () => {
      const seen = await Promise.all([...exporters.values()].map(async (exporter) => {
        const text = await (await fetch(`http://${exporter.address}/metrics`)).text();
        return samples(text, series, { [label]: of.name }).some((line) => line.endsWith(` ${String(expected)}`));
      }));
      return seen.every(Boolean) ? true : undefined;
    });
  };

  before(async function () {
    requireInstalled([PROMETHEUS_BINARY, ALERTMANAGER_BINARY]);
    world = await AlertingWorld.start();
    webhook = await startWebhook();
    const dir = mkdtempSync(join(tmpdir(), 'are-alerting-'));
    const ofKind = (kind: Scenario['kind']): { name: string }[] => SCENARIOS.filter((s) => s.kind === kind).map(({ name }) => ({ name }));
    for (const [mode, maxJobs] of Object.entries(MODES) as [Mode, number][]) {
      const file = join(dir, `${mode}.yaml`);
      writeFileSync(file, stringify({
        schedule: '* * * * * *', region: 'us-east-1', endpoint_url: world.simulator.url, lookback: '60d', max_jobs_per_target: maxJobs,
        rate_limit: 100, concurrency: 8, refresh_every_collections: 1,
        customer_profiles: { domains: ofKind('identity_resolution') },
        entity_resolution: { matching_workflows: ofKind('matching'), id_mapping_workflows: ofKind('id_mapping') },
      }));
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAALERTINGTEST0001', AWS_SECRET_ACCESS_KEY: 'alerting-secret', AWS_MAX_ATTEMPTS: '1' };
      const exporter = await startExporterProcess([`--config.file=${file}`], env);
      exporters.set(mode, exporter);
      expect(await waitForOk(`http://${exporter.address}/-/ready`, 30_000), `${mode} exporter ready`).to.equal(true);
    }
    alertmanager = await startAlertmanager(testRoute(webhook.url));
    prometheus = await startPrometheus({
      targets: [...exporters.values()].map((exporter) => exporter.address),
      jobName: SCRAPE_JOB,
      ruleFiles: [shortenedRules(dir), resolve('prometheus/rules.yml')],
      alertmanager: alertmanager.url,
    });
    // Time passes: runs appear one at a time, as a summary-mode exporter must see them to learn their medians.
    for (const staged of SCENARIOS.filter((s) => s.later !== undefined)) {
      for (const run of staged.later ?? []) await addRun(staged, run, 'aws_entity_resolution_matching_last_success_input_records', run.counts?.[0] ?? 0);
    }
  });

  after(async () => {
    prometheus?.stop();
    alertmanager?.stop();
    await Promise.all([...exporters.values()].map((exporter) => exporter.stop()));
    webhook?.server.close();
    await world?.simulator.close();
  });

  it('raises every problem\'s alert, and nothing for a healthy target of any cadence, in per-job and in summary mode', async () => {
    const expected = new Set(instances().flatMap(([, instance]) => SCENARIOS.flatMap((s) => expectedAlerts(s).map((alert) => key(alert, instance, s.name)))));
    expect(expected.size).to.be.greaterThan(20);
    const raised = async (): Promise<Set<string>> => new Set((await alerts()).map((alert) => key(alert.labels.alertname ?? '', alert.labels.instance ?? '', targetOf(alert.labels))));
    await until('every expected alert', async () => {
      const now = await raised();
      return [...expected].every((want) => now.has(want)) ? true : undefined;
    });
    await sleep(SETTLE_MS);
    const settled = await alerts();
    const table = SCENARIOS.map((s) => `${s.kind.padEnd(19)} ${s.name.padEnd(22)} ${instances().map(([mode, instance]) => `${mode}: ${settled.filter((a) => a.labels.instance === instance && targetOf(a.labels) === s.name).map((a) => a.labels.alertname?.replace('AWSResolution', '')).join(', ') || '-'}`).join(' | ')}`);
    console.log(`\n      scenario matrix (alerts raised per exporter mode):\n      ${table.join('\n      ')}\n`);
    const unexpected = settled.filter((alert) => !expected.has(key(alert.labels.alertname ?? '', alert.labels.instance ?? '', targetOf(alert.labels))));
    expect(unexpected.map((alert) => `${alert.state} ${JSON.stringify(alert.labels)}`), 'alerts no scenario asks for').to.deep.equal([]);
    expect(settled.filter((alert) => alert.state !== 'firing').map((alert) => alert.labels.alertname), 'every alert firing, none pending').to.deep.equal([]);
  });

  it('keys no alert by a job id, and raises each alert at most once per target', async () => {
    const firing = await alerts();
    expect(firing.filter((alert) => 'job_id' in alert.labels).map((alert) => alert.labels.alertname)).to.deep.equal([]);
    const keys = firing.map((alert) => key(alert.labels.alertname ?? '', alert.labels.instance ?? '', targetOf(alert.labels)));
    expect(keys.length).to.equal(new Set(keys).size);
    for (const alert of firing) {
      expect(alert.labels, JSON.stringify(alert.labels)).to.include.keys('job', 'instance', 'aws_account_id', 'aws_region', 'kind', 'severity');
      expect(targetOf(alert.labels), JSON.stringify(alert.labels)).to.not.equal('');
    }
  });

  it('keeps one alert, with the same activeAt, through a further failed run, and resolves it after a success', async () => {
    const failing = scenario('hourly-failing');
    const jobFailed = async (): Promise<PromAlert[]> => (await alerts()).filter((alert) => alert.labels.alertname === 'AWSResolutionMatchingJobFailed' && alert.labels.workflow === failing.name);
    const before = await jobFailed();
    expect(before.map((alert) => alert.value)).to.deep.equal(['3e+00', '3e+00']);
    await addRun(failing, { ago: 300, minutes: 5, status: 'FAILED' }, 'aws_entity_resolution_matching_consecutive_failed_jobs', 4);
    const after = await until('the alert to show the fourth failure', async () => {
      const now = await jobFailed();
      return now.length === 2 && now.every((alert) => alert.value === '4e+00') ? now : undefined;
    });
    const activeAt = (list: readonly PromAlert[]): Record<string, string> => Object.fromEntries(list.map((alert) => [alert.labels.instance ?? '', alert.activeAt]));
    expect(activeAt(after)).to.deep.equal(activeAt(before));
    const byInstance = (list: readonly PromAlert[]): Record<string, string>[] => list.map((alert) => alert.labels).sort((a, b) => (a.instance ?? '').localeCompare(b.instance ?? ''));
    expect(byInstance(after)).to.deep.equal(byInstance(before));

    await addRun(failing, { ago: 120, minutes: 1, status: 'SUCCEEDED' }, 'aws_entity_resolution_matching_consecutive_failed_jobs', 0);
    await until('the alert to resolve', async () => ((await jobFailed()).length === 0 ? true : undefined));
    await until('the webhook to hear it resolved', () => Promise.resolve(webhook?.notifications.some((n) => n.alerts.some((a) => a.status === 'resolved' && a.labels.alertname === 'AWSResolutionMatchingJobFailed' && a.labels.workflow === failing.name)) === true ? true : undefined));
  });

  it('notifies each problem once, grouped by target, to the pager when critical', () => {
    const incarnations = new Map<string, Set<string>>();
    const receivers = new Map<string, string>();
    for (const notification of webhook?.notifications ?? []) {
      for (const alert of notification.alerts.filter((a) => a.status === 'firing')) {
        const id = key(alert.labels.alertname ?? '', alert.labels.instance ?? '', targetOf(alert.labels));
        incarnations.set(id, (incarnations.get(id) ?? new Set()).add(alert.startsAt));
        receivers.set(id, notification.receiver);
      }
    }
    const counts = [...incarnations].map(([id, startsAt]) => `${id}: ${String(startsAt.size)}`);
    console.log(`\n      notifications: ${String(webhook?.notifications.length)}; alerts notified (times each started): ${String(incarnations.size)}\n`);
    expect(counts.filter((line) => !line.endsWith(': 1')), 'problems notified more than once').to.deep.equal([]);
    for (const [mode, instance] of instances()) {
      for (const s of SCENARIOS) {
        for (const alert of expectedAlerts(s)) expect(incarnations.has(key(alert, instance, s.name)), `${mode}: ${alert} for ${s.name} (${s.story}) notified`).to.equal(true);
      }
    }
    for (const notification of webhook?.notifications ?? []) {
      const targets = new Set(notification.alerts.map((alert) => `${alert.labels.instance ?? ''} ${targetOf(alert.labels)}`));
      expect(targets.size, 'one target per notification').to.equal(1);
    }
    for (const [id, receiver] of receivers) expect(receiver, id).to.equal(id.includes('JobFailed') || id.includes('NoRecentSuccess') || id.includes('OverMerging') ? 'data-platform-pager' : 'data-platform-chat');
  });

  it('holds back a target\'s other alerts while it cannot be collected (TargetDown inhibits them)', async () => {
    const denied = scenario('never-succeeded');
    world?.simulator.faults.add({ target: denied.name, effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: `User is not authorized to access ${denied.name}` } });
    interface AmAlert { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }
    const amAlerts = async (): Promise<AmAlert[]> => await (await fetch(`${alertmanager?.url ?? ''}/api/v2/alerts?filter=workflow%3D%22${denied.name}%22`)).json() as AmAlert[];
    const settled = await until('TargetDown active and JobFailed suppressed on both exporters', async () => {
      const list = await amAlerts();
      const down = list.filter((alert) => alert.labels.alertname === 'AWSResolutionTargetDown' && alert.status.state === 'active');
      const held = list.filter((alert) => alert.labels.alertname === 'AWSResolutionMatchingJobFailed' && alert.status.state === 'suppressed' && alert.status.inhibitedBy.length > 0);
      return down.length === 2 && held.length === 2 ? list : undefined;
    });
    expect(settled.filter((alert) => alert.status.state === 'active').map((alert) => alert.labels.alertname)).to.deep.equal(['AWSResolutionTargetDown', 'AWSResolutionTargetDown']);
  });

  it('reaches the webhook seconds after a job fails in AWS', async () => {
    const healthy = scenario('hourly-ok');
    const failedAt = Date.now();
    world?.add(healthy, { ago: 60, minutes: 1, status: 'FAILED' });
    const heard = await until('the failure at the webhook, from both exporters', () => {
      const arrivals = instances().map(([, instance]) => webhook?.notifications.find((n) => n.alerts.some((a) => a.status === 'firing' && a.labels.alertname === 'AWSResolutionMatchingJobFailed' && a.labels.workflow === healthy.name && a.labels.instance === instance))?.at);
      const all = arrivals.filter((at) => at !== undefined);
      return Promise.resolve(all.length === arrivals.length ? all : undefined);
    });
    const seconds = heard.map((at) => (at - failedAt) / 1000);
    console.log(`\n      failure in the simulator → webhook: ${instances().map(([mode], i) => `${mode} ${String(seconds[i]?.toFixed(1))} s`).join(', ')} (exporter schedule 1 s, scrape and evaluation 1 s, group_wait 1 s)\n`);
    for (const s of seconds) expect(s).to.be.below(30);
  });
});
