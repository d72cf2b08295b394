/**
 * What the shipped alerts would page a team for, watching the demo: the demo exporter (an hour of simulated
 * time per real minute) scraped by Debian's Prometheus with the shipped rules as they are (no `for:` shortened),
 * alerting Debian's Alertmanager with the shipped example route. Prints every alert episode per target and
 * severity, and which critical ones reached the pager.
 *
 *   npm run demo-pages -- --minutes 16
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { startExporterProcess, waitForOk } from '../test/support/exporterProcess.js';
import { requireInstalled, startAlertmanager, startPrometheus, ALERTMANAGER_BINARY, PROMETHEUS_BINARY } from '../test/support/monitoringServers.js';

interface Alert { readonly labels: Record<string, string>; readonly state: string }
interface Episode { readonly alert: string; readonly severity: string; readonly target: string; from: number; to: number }

const POLL_MS = 5_000;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '16' } } });
const minutes = Number(values.minutes);
requireInstalled([PROMETHEUS_BINARY, ALERTMANAGER_BINARY]);

const pages: { at: number; alerts: string[] }[] = [];
const sink = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
  req.on('end', () => {
    const notification = JSON.parse(body) as { receiver: string; alerts: { status: string; labels: Record<string, string> }[] };
    if (notification.receiver === 'data-platform-pager') pages.push({ at: Date.now(), alerts: notification.alerts.map((a) => `${a.status} ${a.labels.alertname ?? ''} ${a.labels.domain ?? a.labels.workflow ?? a.labels.instance ?? ''}`) });
    res.end();
  });
});
await new Promise<void>((done) => sink.listen(0, '127.0.0.1', done));
const sinkUrl = `http://127.0.0.1:${String((sink.address() as AddressInfo).port)}/`;

const route = parse(readFileSync('docs/alertmanager.example.yml', 'utf8')) as { global?: Record<string, unknown>; receivers: { name: string }[] };
delete route.global?.slack_api_url;
route.receivers = route.receivers.map(({ name }) => ({ name, webhook_configs: [{ url: sinkUrl, send_resolved: true }] }));

const exporter = await startExporterProcess(['--demo']);
if (!await waitForOk(`http://${exporter.address}/-/ready`, 120_000)) throw new Error('the demo did not become ready');
const alertmanager = await startAlertmanager(stringify(route));
const dir = mkdtempSync(join(tmpdir(), 'are-demo-pages-'));
writeFileSync(join(dir, 'alerts.yml'), readFileSync('prometheus/alerts.yml'));
const prometheus = await startPrometheus({ targets: [exporter.address], jobName: 'aws-resolution-exporter', ruleFiles: [join(dir, 'alerts.yml'), resolve('prometheus/rules.yml')], alertmanager: alertmanager.url });
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
process.stdout.write(`pager notifications: ${String(pages.length)}\n${pages.map((p) => `  minute ${minute(p.at)}: ${p.alerts.join('; ')}`).join('\n')}\n`);
prometheus.stop();
alertmanager.stop();
await exporter.stop();
sink.close();
