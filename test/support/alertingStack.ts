/**
 * One exporter, as a team runs it, with the shipped rules on Debian's Prometheus and the shipped example route
 * on Debian's Alertmanager: the alerting end-to-end test runs one such stack per exporter mode (per-job and
 * summary), so that each mode's alerts are its own, grouped and inhibited as in production. Its receivers keep
 * their shipped Slack and PagerDuty integrations, pointed at a local sink, and gain a webhook to the same sink.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import type { AlertingWorld, Scenario } from './alertingWorld.js';
import { startExporterProcess, waitForOk, type ExporterProcess } from './exporterProcess.js';
import { freePort, startAlertmanager, startPrometheus, type PrometheusServer, type RunningServer } from './monitoringServers.js';

export const SCRAPE_JOB = 'aws-resolution-exporter';
/** Every `for:` in the test copy of the rules but ExporterDown's. */
const SHORT_FOR = '5s';
/**
 * ExporterDown's `for:` in the test copy. Its `absent(up)` is true from Prometheus' start until the first scrape,
 * and Prometheus hands new targets to its scrape loops on a 5 s tick (DiscoveryReloadInterval): under load the first
 * scrape came more than 5 s after the first evaluation, and the alert paged (a CI run on record).
 */
export const EXPORTER_DOWN_FOR_MS = 60_000;
/**
 * `keep_firing_for` in the test copy (10m as shipped): longer than this test's exporter restart, which stops the
 * process, waits EXPORTER_GAP_MS and starts another; short enough that a resolved alert clears within a test.
 */
export const KEEP_FIRING_FOR_MS = 40_000;
/** How long the replaced exporter's series are gone before its successor is scraped. */
export const EXPORTER_GAP_MS = 10_000;

export interface PromAlert { readonly labels: Record<string, string>; readonly state: string; readonly activeAt: string; readonly value: string }
export interface AmAlert { readonly labels: Record<string, string>; readonly fingerprint: string; readonly status: { readonly state: string; readonly inhibitedBy: readonly string[] } }
export interface Notification { readonly at: number; readonly status: string; readonly receiver: string; readonly alerts: readonly { readonly status: string; readonly labels: Record<string, string>; readonly startsAt: string }[] }
/** What the shipped Slack and PagerDuty integrations sent: the texts a person reads. */
export interface Rendered { readonly integration: 'slack' | 'pagerduty'; readonly title: string; readonly text: string }

interface SinkRequest { readonly path: string; readonly body: unknown; readonly at: number }

/** Every request the stacks' Alertmanagers send, by stack and integration. */
export class NotificationSink {
  private constructor(private readonly server: Server, readonly url: string, private readonly requests: readonly SinkRequest[]) {}

  static async start(): Promise<NotificationSink> {
    const requests: SinkRequest[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(body) as unknown, at: Date.now() });
        res.end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return new NotificationSink(server, `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, requests);
  }

  /** The webhook notifications of one stack. */
  notifications(stack: string): Notification[] {
    return this.requests.filter((r) => r.path === `/${stack}/webhook`).map((r) => ({ ...(r.body as Omit<Notification, 'at'>), at: r.at }));
  }

  /** What one stack's Slack and PagerDuty integrations sent. */
  rendered(stack: string): Rendered[] {
    return this.requests.flatMap((r): Rendered[] => {
      if (r.path === `/${stack}/slack`) {
        const { attachments = [] } = r.body as { attachments?: { title?: string; text?: string }[] };
        return attachments.map((a) => ({ integration: 'slack', title: a.title ?? '', text: a.text ?? '' }));
      }
      if (r.path === `/${stack}/pagerduty`) {
        const { payload } = r.body as { payload?: { summary?: string; custom_details?: { alerts?: string } } };
        return [{ integration: 'pagerduty', title: payload?.summary ?? '', text: payload?.custom_details?.alerts ?? '' }];
      }
      return [];
    });
  }

  close(): void {
    this.server.close();
  }
}

/** Polls `probe` every 250 ms until it answers, for at most `timeoutMs`: Prometheus and Alertmanager act on their own clocks. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The shipped rules (or another rendering of them) with every `for:` and `keep_firing_for:` shortened, so a test takes seconds. */
export function shortenedRules(dir: string, rules = readFileSync('prometheus/alerts.yml', 'utf8')): string {
  const doc = parse(rules) as { groups: { rules: { alert?: string; for?: string; keep_firing_for?: string }[] }[] };
  for (const rule of doc.groups.flatMap((group) => group.rules)) {
    if (rule.for !== undefined) rule.for = rule.alert === 'AWSResolutionExporterDown' ? `${String(EXPORTER_DOWN_FOR_MS / 1000)}s` : SHORT_FOR;
    if (rule.keep_firing_for !== undefined) rule.keep_firing_for = `${String(KEEP_FIRING_FOR_MS / 1000)}s`;
  }
  const file = join(dir, 'alerts.yml');
  writeFileSync(file, stringify(doc));
  return file;
}

/**
 * The example route as shipped (grouping, severities, inhibitions, receivers' templates), its Slack and PagerDuty
 * integrations sending to `sink`, and a webhook beside each for the alerts' labels; its waits shortened unless
 * they are to stay as shipped.
 */
export function exampleRouteTo(sink: string, waits: 'short' | 'shipped' = 'short'): string {
  const doc = parse(readFileSync('docs/alertmanager.example.yml', 'utf8')) as {
    global?: Record<string, unknown>;
    route: { routes: Record<string, unknown>[] };
    receivers: { name: string; slack_configs?: Record<string, unknown>[]; pagerduty_configs?: Record<string, unknown>[] }[];
  };
  delete doc.global?.slack_api_url;
  if (waits === 'short') Object.assign(doc.route.routes[0] ?? {}, { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' });
  doc.receivers = doc.receivers.map((receiver) => ({
    ...receiver,
    ...(receiver.slack_configs ? { slack_configs: receiver.slack_configs.map((config) => ({ ...config, api_url: `${sink}/slack` })) } : {}),
    ...(receiver.pagerduty_configs ? { pagerduty_configs: receiver.pagerduty_configs.map((config) => ({ ...config, url: `${sink}/pagerduty` })) } : {}),
    webhook_configs: [{ url: `${sink}/webhook`, send_resolved: true }],
  }));
  return stringify(doc);
}

export interface StackOptions {
  /** The stack's name, also its paths at the sink. */
  readonly name: string;
  readonly maxJobsPerTarget: number;
  readonly world: AlertingWorld;
  readonly scenarios: readonly Scenario[];
  readonly sink: NotificationSink;
}

/** An exporter (replaceable), a second instance of the scrape job that is dead, Prometheus and Alertmanager. */
export class AlertingStack {
  private constructor(
    readonly name: string,
    private exporterProcess: ExporterProcess,
    /** HOST:PORT of an instance of the scrape job that never answers: a shard that cannot start. */
    readonly deadInstance: string,
    private readonly start: () => Promise<ExporterProcess>,
    readonly prometheus: PrometheusServer,
    readonly alertmanager: RunningServer,
  ) {}

  static async start(options: StackOptions): Promise<AlertingStack> {
    const dir = mkdtempSync(join(tmpdir(), `are-alerting-${options.name}-`));
    const config = join(dir, 'exporter.yaml');
    const ofKind = (kind: Scenario['kind']): { name: string }[] => options.scenarios.filter((s) => s.kind === kind).map(({ name }) => ({ name }));
    writeFileSync(config, stringify({
      schedule: '* * * * * *', region: 'us-east-1', endpoint_url: options.world.simulator.url, lookback: '60d', max_jobs_per_target: options.maxJobsPerTarget,
      rate_limit: 100, concurrency: 8, refresh_every_collections: 1,
      customer_profiles: { domains: ofKind('identity_resolution') },
      entity_resolution: { matching_workflows: ofKind('matching'), id_mapping_workflows: ofKind('id_mapping') },
    }));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAALERTINGTEST0001', AWS_SECRET_ACCESS_KEY: 'alerting-secret', AWS_MAX_ATTEMPTS: '1' };
    const start = async (): Promise<ExporterProcess> => {
      const exporter = await startExporterProcess([`--config.file=${config}`], env);
      if (!await waitForOk(`http://${exporter.address}/-/ready`, 30_000)) throw new Error(`${options.name} exporter not ready: ${exporter.output()}`);
      return exporter;
    };
    const exporter = await start();
    const deadInstance = `127.0.0.1:${String(await freePort())}`;
    const sink = `${options.sink.url}/${options.name}`;
    const alertmanager = await startAlertmanager(exampleRouteTo(sink));
    const prometheus = await startPrometheus({
      targets: [exporter.address, deadInstance],
      jobName: SCRAPE_JOB,
      ruleFiles: [shortenedRules(dir), resolve('prometheus/rules.yml')],
      alertmanager: alertmanager.url,
    });
    return new AlertingStack(options.name, exporter, deadInstance, start, prometheus, alertmanager);
  }

  get exporter(): ExporterProcess {
    return this.exporterProcess;
  }

  /** Prometheus' alerts, pending and firing. */
  async alerts(): Promise<PromAlert[]> {
    const answer = await (await fetch(`${this.prometheus.url}/api/v1/alerts`)).json() as { data: { alerts: PromAlert[] } };
    return answer.data.alerts;
  }

  /** Alertmanager's alerts, active, suppressed (with what inhibits them) or not. */
  async amAlerts(): Promise<AmAlert[]> {
    return await (await fetch(`${this.alertmanager.url}/api/v2/alerts`)).json() as AmAlert[];
  }

  /**
   * Replaces the exporter as Kubernetes replaces a pod: the process stops, its series go stale, and after a gap
   * another process on another address (without a state file) is scraped in its place.
   */
  async replaceExporter(): Promise<void> {
    await this.exporterProcess.stop();
    await sleep(EXPORTER_GAP_MS);
    this.exporterProcess = await this.start();
    await this.prometheus.scrape([this.exporterProcess.address, this.deadInstance]);
  }

  async stop(): Promise<void> {
    this.prometheus.stop();
    this.alertmanager.stop();
    await this.exporterProcess.stop();
  }
}
