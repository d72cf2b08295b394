import type { AnyTargetSnapshot, CollectionSnapshot } from '../collect/snapshot.js';
import { judgeTarget, worstFirst, type HealthState, type TargetHealth, type VolumeReading } from '../collect/targetHealth.js';
import { formatDuration } from '../config/duration.js';
import type { AwsRequestCounts } from '../metrics/selfMetrics.js';
import { JOB_STATUSES } from '../model/kinds.js';
import { escapeHtml } from './html.js';

export interface LandingPageInput {
  readonly version: string;
  readonly telemetryPath: string;
  /** The newest finished collection; undefined before the first. */
  readonly collection: CollectionSnapshot | undefined;
  readonly awsRequests: AwsRequestCounts;
  /** Epoch seconds the page is drawn at: every age on it is reckoned to this. */
  readonly now: number;
}

/** What the State column says for each state. */
const STATE_WORDS: Readonly<Record<HealthState, string>> = {
  down: 'Down: AWS calls fail',
  failing: 'Failing',
  late: 'Late',
  volume: 'Volume out of range',
  failed: 'Newest run failed',
  ok: 'OK',
};

const number = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });
const ratioFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** A duration to the nearest minute past an hour, and to the nearest hour past a day: precise enough to read. */
function roughly(seconds: number): string {
  const unit = seconds >= 86_400 ? 3600 : seconds >= 3600 ? 60 : 1;
  return formatDuration(Math.round(seconds / unit) * unit);
}

const ago = (at: number, now: number): string => (at <= now ? `${roughly(now - at)} ago` : `in ${roughly(at - now)}`);

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The page at `/`: per target, worst first, how its jobs fare; and how the exporter itself fares. */
export function landingPage(input: LandingPageInput): string {
  const targets = input.collection?.targets ?? [];
  const rows = worstFirst(targets.map((target) => ({ target, health: judgeTarget(target, input.now) })));
  const troubled = rows.filter((row) => row.health.inTrouble);
  const summary = input.collection === undefined
    ? 'The first collection has not finished yet.'
    : `${troubled.length} of ${targets.length} targets in trouble${troubled.length > 0 ? `: ${troubled.map((row) => escapeHtml(row.target.identity.target)).join(', ')}` : ''}.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AWS Resolution Exporter</title>
<style>${STYLE}</style></head>
<body><h1>AWS Resolution Exporter</h1>
<p class="summary">${summary}</p>
<table class="targets"><thead><tr><th>State</th><th>Kind</th><th>Target</th><th>Account</th><th>Region</th><th>Newest job</th><th>Since success / budget</th><th>Failed in a row / pages at</th><th>Volume / median</th><th>Last error</th></tr></thead>
<tbody>${rows.map((row) => targetRow(row.target, row.health, input.now)).join('\n') || '<tr><td colspan="10">No targets yet.</td></tr>'}</tbody></table>
<h2>The exporter</h2>
${exporterState(input)}
<p class="links"><a href="${escapeHtml(input.telemetryPath)}">Metrics</a> · <a href="grafana/">Grafana dashboards</a> · <a href="-/healthy">Health</a> · <a href="-/ready">Readiness</a></p>
</body></html>
`;
}

function targetRow(target: AnyTargetSnapshot, health: TargetHealth, now: number): string {
  const { kind, target: name, accountId, region } = target.identity;
  const cells = [
    `<td class="state">${escapeHtml(STATE_WORDS[health.state])}</td>`,
    `<td>${escapeHtml(kind)}</td>`,
    `<td class="name">${escapeHtml(name)}</td>`,
    `<td>${escapeHtml(accountId)}</td>`,
    `<td>${escapeHtml(region)}</td>`,
    `<td>${escapeHtml(newestJob(target, now))}</td>`,
    measured(sinceSuccess(health), health.state === 'late'),
    measured(failures(health), health.state === 'failing'),
    measured(volume(health.volume), health.volume?.outOfRange === true),
    `<td class="error">${escapeHtml(lastError(target))}</td>`,
  ];
  return `<tr class="${health.inTrouble ? 'trouble' : health.state === 'ok' ? 'ok' : 'watch'}" data-state="${health.state}">${cells.join('')}</tr>`;
}

/** A number against its expectation, in bold when it is what puts the target in trouble. */
const measured = (text: string, bad: boolean): string => `<td${bad ? ' class="bad"' : ''}>${escapeHtml(text)}</td>`;

function newestJob(target: AnyTargetSnapshot, now: number): string {
  const status = target.runs?.latestStatus ?? target.latestStatus;
  if (status === undefined) return 'none seen';
  const latest = target.runs?.latest;
  if (latest?.end !== undefined) return `${status}, ended ${ago(latest.end, now)}`;
  if (latest?.start !== undefined) return `${status}, ${latest.start <= now ? 'started' : 'due'} ${ago(latest.start, now)}`;
  return status;
}

function sinceSuccess(health: TargetHealth): string {
  const budget = health.freshnessBudgetSeconds === undefined ? '' : ` / ${roughly(health.freshnessBudgetSeconds)}`;
  if (health.sinceSuccessSeconds === undefined) return 'no job seen';
  const since = roughly(health.sinceSuccessSeconds);
  return health.neverSucceeded ? `none in ${since}${budget}` : `${since}${budget}`;
}

function failures(health: TargetHealth): string {
  if (health.consecutiveFailures === undefined) return '–';
  return `${health.consecutiveFailures}${health.failedJobsToPage === undefined ? '' : ` / ${health.failedJobsToPage}`}`;
}

function volume(reading: VolumeReading | undefined): string {
  if (reading === undefined) return '–';
  const ratio = reading.last / reading.median;
  return `${reading.name.replaceAll('_', ' ')} ${number.format(reading.last)} / ${number.format(reading.median)}: ×${ratioFormat.format(ratio)} (band ×${ratioFormat.format(reading.minRatio)}–${ratioFormat.format(reading.maxRatio)})`;
}

/** Why the exporter cannot read the target; else what AWS said of its newest finished job, when that did not succeed. */
function lastError(target: AnyTargetSnapshot): string {
  if (!target.up && target.lastError) return target.lastError.description;
  if (target.refreshOk === false && target.refreshError) return `refresh: ${target.refreshError.description}`;
  const finished = target.runs?.latestFinished;
  if (finished === undefined || JOB_STATUSES[target.identity.kind].success.has(finished.status)) return '';
  return finished.message === undefined ? finished.status : `${finished.status}: ${finished.message}`;
}

function exporterState(input: LandingPageInput): string {
  const { collection, awsRequests, now } = input;
  const up = collection?.targets.filter((target) => target.up).length ?? 0;
  const rows: [string, string][] = [
    ['Version', input.version],
    ['Last collection', collection === undefined ? 'none finished yet' : `${iso(collection.finishedAt)} (${ago(collection.finishedAt, now)}), took ${collection.durationSeconds.toFixed(1)}s`],
    ['Targets read', collection === undefined ? '–' : `${up} of ${collection.targets.length}`],
    ['AWS requests', `${awsRequests.requests} since start, ${awsRequests.errors} failed, ${awsRequests.throttled} of them throttled`],
  ];
  return `<table class="exporter"><tbody>${rows.map(([name, value]) => `<tr><th>${name}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</tbody></table>`;
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}',
  'h1{font-size:1.5em;margin:0 0 .4em}h2{font-size:1.15em;margin:1.5em 0 .4em}',
  '.summary{font-size:1.05em}',
  'table{border-collapse:collapse;font-size:.85em}',
  // Names, accounts and regions stay whole; the numbers and AWS's messages wrap.
  'table.targets td:nth-child(-n+5){white-space:nowrap}',
  'td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}',
  'thead th{background:#eee}',
  'tr.trouble td{background:#fde2e2}tr.trouble td.state{color:#a00;font-weight:bold}',
  'tr.watch td{background:#fff4d6}tr.watch td.state{color:#8a5a00;font-weight:bold}',
  'tr.ok td.state{color:#17692b}',
  'td.bad{font-weight:bold}td.error{max-width:28em}',
  'table.exporter th{background:#eee;font-weight:normal}',
].join('');
