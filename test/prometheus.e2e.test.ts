import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { allPanels, labelValuesOf, loadDashboards, queryOf, substituteVariables } from './support/dashboards.js';
import { recordedMetricNames } from './support/emittedMetrics.js';
import { startExporterProcess, type ExporterProcess } from './support/exporterProcess.js';
import { PROMETHEUS_BINARY, requireInstalled, startPrometheus, type RunningServer } from './support/monitoringServers.js';

/**
 * Panels that may rightly be empty in the demo, with why. Everything else must return data from a real
 * Prometheus scraping the demo exporter.
 */
// None at present: the demo's seed gives every panel data, partial-success messages included.
const MAY_BE_EMPTY: Readonly<Record<string, string>> = {
  // Exported only while a domain's newest job is PENDING, the first tenth of its run. The demo's three readable
  // domains each start a run every minute, so a scrape within the test's 90 s usually, not always, catches one
  // waiting (missed in 1 full run of 4 here).
  'identity-resolution.json / Newest job: queued and running time / A': 'only while a domain\'s newest job is PENDING',
};

/** Alerts the demo must raise: its `householding` workflow fails every run, its `partner-sandbox` domain is denied. */
const EXPECTED_ALERTS: readonly { readonly alertname: string; readonly labels: Readonly<Record<string, string>> }[] = [
  { alertname: 'AWSResolutionMatchingJobFailed', labels: { workflow: 'householding' } },
  { alertname: 'AWSResolutionTargetDown', labels: { kind: 'identity_resolution', target: 'partner-sandbox' } },
];

const SCRAPE_JOB = 'aws-resolution-exporter';
const DATA_DEADLINE_MS = 90_000;

interface QueryResult { readonly status: string; readonly data?: { readonly result?: readonly unknown[] }; readonly error?: string }
interface AlertsResult { readonly data: { readonly alerts: readonly { readonly labels: Record<string, string>; readonly state: string }[] } }

describe('dashboards, recording rules and alerts against a real Prometheus scraping the demo exporter', function () {
  this.timeout(180_000);
  let exporter: ExporterProcess | undefined;
  let prometheus: RunningServer | undefined;
  let prometheusUrl = '';
  const prometheusLog = (): string => prometheus?.log() ?? '';

  const query = async (promql: string): Promise<QueryResult> => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return await response.json() as QueryResult;
  };

  /** Runs every query until each has data or the deadline passes; returns the ones still empty, with their answers. */
  const queriesWithoutData = async (queries: ReadonlyMap<string, string>): Promise<Map<string, string>> => {
    const pending = new Map(queries);
    const answers = new Map<string, string>();
    const deadline = Date.now() + DATA_DEADLINE_MS;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const [name, promql] of pending) {
        const result = await query(promql);
        if (result.status !== 'success') throw new Error(`${name}: Prometheus rejected ${promql}: ${result.error ?? ''}`);
        if ((result.data?.result?.length ?? 0) > 0) pending.delete(name);
        else answers.set(name, promql);
      }
      if (pending.size > 0) await sleep(2000);
    }
    return new Map([...pending.keys()].map((name) => [name, answers.get(name) ?? '']));
  };

  before(async function () {
    requireInstalled([PROMETHEUS_BINARY]);
    exporter = await startExporterProcess(['--demo']);
    prometheus = await startPrometheus({
      targets: [exporter.address],
      jobName: SCRAPE_JOB,
      ruleFiles: [resolve('prometheus/alerts.yml'), resolve('prometheus/rules.yml')],
    });
    prometheusUrl = prometheus.url;
  });

  after(async () => {
    prometheus?.stop();
    await exporter?.stop();
  });

  it('scrapes the exporter, and the rule files load', async () => {
    const deadline = Date.now() + 30_000;
    let up: QueryResult = await query(`up{job="${SCRAPE_JOB}"} == 1`);
    while ((up.data?.result?.length ?? 0) === 0 && Date.now() < deadline) {
      await sleep(500);
      up = await query(`up{job="${SCRAPE_JOB}"} == 1`);
    }
    expect(up.data?.result, `the exporter is scraped; Prometheus said: ${prometheusLog()}`).to.have.length(1);
    const rules = await (await fetch(`${prometheusUrl}/api/v1/rules`)).json() as { data: { groups: { rules: { health: string; name: string; lastError?: string }[] }[] } };
    const unhealthy = rules.data.groups.flatMap((group) => group.rules).filter((rule) => rule.health === 'err');
    expect(unhealthy.map((rule) => `${rule.name}: ${rule.lastError ?? ''}`)).to.deep.equal([]);
    expect(rules.data.groups.flatMap((group) => group.rules).length).to.be.greaterThan(0);
  });

  it('answers every dashboard query with data (but the few listed, with why)', async () => {
    const queries = new Map<string, string>();
    for (const dashboard of loadDashboards()) {
      for (const panel of allPanels(dashboard)) {
        for (const target of panel.targets ?? []) queries.set(`${dashboard.file} / ${panel.title ?? '?'} / ${target.refId ?? '?'}`, substituteVariables(target.expr));
      }
    }
    expect(queries.size).to.be.greaterThan(20);
    const empty = await queriesWithoutData(new Map([...queries].filter(([name]) => !(name in MAY_BE_EMPTY))));
    expect(Object.fromEntries(empty)).to.deep.equal({});
  });

  it('offers values for every dashboard variable, through the label_values query Grafana would run', async () => {
    const empty: string[] = [];
    for (const dashboard of loadDashboards()) {
      for (const variable of dashboard.templating?.list ?? []) {
        if (variable.type !== 'query') continue;
        const labelValues = labelValuesOf(queryOf(variable));
        if (!labelValues) throw new Error(`${dashboard.file}: variable ${String(variable.name)} is not a label_values query`);
        const { selector, label } = labelValues;
        const response = await fetch(`${prometheusUrl}/api/v1/label/${label}/values?match[]=${encodeURIComponent(substituteVariables(selector))}`);
        const values = (await response.json() as { data?: string[] }).data ?? [];
        if (values.length === 0) empty.push(`${dashboard.file}: ${String(variable.name)}`);
      }
    }
    expect(empty).to.deep.equal([]);
  });

  it('answers every recording rule with data', async () => {
    const records = [...recordedMetricNames()];
    expect(records.length).to.be.greaterThan(0);
    const empty = await queriesWithoutData(new Map(records.map((name) => [name, name])));
    expect([...empty.keys()]).to.deep.equal([]);
  });

  it('raises the alerts the demo\'s failing workflow and denied domain should raise', async () => {
    expect(EXPECTED_ALERTS.length).to.be.greaterThan(0);
    const missing = (alerts: AlertsResult): string[] => EXPECTED_ALERTS
      .filter((want) => !alerts.data.alerts.some((alert) => alert.labels.alertname === want.alertname && Object.entries(want.labels).every(([key, value]) => alert.labels[key] === value)))
      .map((want) => `${want.alertname} ${JSON.stringify(want.labels)}`);
    const deadline = Date.now() + DATA_DEADLINE_MS;
    let alerts = await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json() as AlertsResult;
    while (missing(alerts).length > 0 && Date.now() < deadline) {
      await sleep(1000);
      alerts = await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json() as AlertsResult;
    }
    expect(missing(alerts), JSON.stringify(alerts.data.alerts.map((alert) => alert.labels))).to.deep.equal([]);
  });
});
