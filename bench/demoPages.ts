/**
 * What the shipped alerts would page a team for, watching the demo: the demo exporter (an hour of simulated
 * time per real minute) scraped by Debian's Prometheus with the shipped rules as they are (no `for:` shortened),
 * alerting Debian's Alertmanager with the shipped example route. Prints every alert episode per target and
 * severity, and which critical ones reached the pager.
 *
 *   npm run demo-pages -- --minutes 16
 */
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { exampleRouteTo, NotificationSink } from '../test/support/alertingStack.js';
import { startExporterProcess, waitForOk } from '../test/support/exporterProcess.js';
import { requireInstalled, startAlertmanager, startPrometheus, ALERTMANAGER_BINARY, PROMETHEUS_BINARY } from '../test/support/monitoringServers.js';

interface Alert { readonly labels: Record<string, string>; readonly state: string }
interface Episode { readonly alert: string; readonly severity: string; readonly target: string; from: number; to: number }

const POLL_MS = 5_000;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '16' } } });
const minutes = Number(values.minutes);
requireInstalled([PROMETHEUS_BINARY, ALERTMANAGER_BINARY]);

// The stack's sink and route as the alerting end-to-end test has them, with the waits as shipped.
const sink = await NotificationSink.start();
const SINK_PATH = 'demo';

const exporter = await startExporterProcess(['--demo']);
if (!await waitForOk(`http://${exporter.address}/-/ready`, 120_000)) throw new Error('the demo did not become ready');
const alertmanager = await startAlertmanager(exampleRouteTo(`${sink.url}/${SINK_PATH}`, 'shipped'));
const prometheus = await startPrometheus({ targets: [exporter.address], jobName: 'aws-resolution-exporter', ruleFiles: [resolve('prometheus/alerts.yml'), resolve('prometheus/rules.yml')], alertmanager: alertmanager.url });
const started = Date.now();
const minute = (at: number): string => ((at - started) / 60_000).toFixed(1);

const open = new Map<string, Episode>();
const episodes: Episode[] = [];
while (Date.now() - started < minutes * 60_000) {
  const answer = await (await fetch(`${prometheus.url}/api/v1/alerts`)).json() as { data: { alerts: Alert[] } };
  const now = Date.now();
  const firing = new Set<string>();
  for (const { labels, state } of answer.data.alerts) {
    if (state !== 'firing') continue;
    const episode = { alert: (labels.alertname ?? '').replace('AWSResolution', ''), severity: labels.severity ?? '', target: labels.domain ?? labels.workflow ?? labels.instance ?? '', from: now, to: now };
    const id = `${episode.alert} ${episode.severity} ${episode.target}`;
    firing.add(id);
    const current = open.get(id);
    if (current) current.to = now;
    else {
      open.set(id, episode);
      episodes.push(episode);
    }
  }
  for (const id of [...open.keys()]) if (!firing.has(id)) open.delete(id);
  await sleep(POLL_MS);
}

const table = episodes.map((e) => `${e.severity.padEnd(8)} ${e.alert.padEnd(40)} ${e.target.padEnd(16)} firing from minute ${minute(e.from)} to ${open.has(`${e.alert} ${e.severity} ${e.target}`) && e.to >= Date.now() - 2 * POLL_MS ? 'the end' : minute(e.to)}`);
process.stdout.write(`demo-pages: ${String(minutes)} min of the demo (${String(minutes)} simulated hours) on node ${process.version}, shipped rules and example route\n`);
process.stdout.write(`alert episodes (firing in Prometheus):\n  ${table.join('\n  ') || 'none'}\n`);
const pages = sink.notifications(SINK_PATH).filter((notification) => notification.receiver === 'data-platform-pager');
const paged = (alert: { status: string; labels: Record<string, string> }): string => `${alert.status} ${alert.labels.alertname ?? ''} ${alert.labels.domain ?? alert.labels.workflow ?? alert.labels.instance ?? ''}`;
process.stdout.write(`pager notifications: ${String(pages.length)}\n${pages.map((p) => `  minute ${minute(p.at)}: ${p.alerts.map(paged).join('; ')}`).join('\n')}\n`);
prometheus.stop();
alertmanager.stop();
await exporter.stop();
sink.close();
