import type { AnyTargetSnapshot } from '../collect/snapshot.js';

export interface LandingPageInput {
  readonly version: string;
  readonly telemetryPath: string;
  readonly targets: readonly AnyTargetSnapshot[];
  /** Epoch seconds of the last finished collection, if any. */
  readonly lastCollection: number | undefined;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const iso = (seconds: number | undefined): string => (seconds === undefined ? 'never' : new Date(seconds * 1000).toISOString());

/** The page at `/`: what this is, where the metrics are, and how every target fared. */
export function landingPage(input: LandingPageInput): string {
  const rows = input.targets.map((t) => `<tr class="${t.up ? 'up' : 'down'}"><td>${escapeHtml(t.identity.kind)}</td><td>${escapeHtml(t.identity.target)}</td><td>${escapeHtml(t.identity.accountId)}</td><td>${escapeHtml(t.identity.region)}</td><td>${t.up ? 'up' : 'down'}</td><td>${iso(t.lastSuccessTime)}</td><td>${escapeHtml(t.lastError?.description ?? '')}</td><td>${t.jobs.length}</td></tr>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AWS Resolution Exporter</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}tr.down td{background:#fdd}</style></head>
<body><h1>AWS Resolution Exporter</h1>
<p>Version ${escapeHtml(input.version)}. Last collection: ${iso(input.lastCollection)}.</p>
<ul><li><a href="${escapeHtml(input.telemetryPath)}">Metrics</a></li><li><a href="grafana/">Grafana dashboards</a></li><li><a href="-/healthy">Health</a></li><li><a href="-/ready">Readiness</a></li></ul>
<h2>Targets</h2>
<table><thead><tr><th>Kind</th><th>Target</th><th>Account</th><th>Region</th><th>State</th><th>Last success</th><th>Last error</th><th>Exported jobs</th></tr></thead>
<tbody>${rows.join('\n') || '<tr><td colspan="8">No targets yet.</td></tr>'}</tbody></table>
</body></html>
`;
}
