import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { sendPlainText } from './plainText.js';
import { serveMethods } from './routing.js';
import { escapeHtml } from './html.js';

/** The bundled dashboards, beside src/ and dist/ alike (both sit one level below the package root). */
export const BUNDLED_DASHBOARDS_DIR = fileURLToPath(new URL('../../grafana/dashboards/', import.meta.url));

interface Dashboard {
  readonly file: string;
  readonly title: string;
  readonly uid: string;
  readonly body: string;
}

/** Reads every dashboard once: they ship with the exporter and never change while it runs. */
function loadDashboards(dir: string): Dashboard[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((file) => {
    const body = readFileSync(join(dir, file), 'utf8');
    const parsed = JSON.parse(body) as { title?: unknown; uid?: unknown };
    return { file, body, title: typeof parsed.title === 'string' ? parsed.title : file, uid: typeof parsed.uid === 'string' ? parsed.uid : '' };
  });
}

/** The page listing `dashboards`, each linked to its JSON. */
function indexPage(dashboards: readonly Dashboard[]): string {
  const rows = dashboards.map((d) => `<li><a href="${encodeURIComponent(d.file)}">${escapeHtml(d.title)}</a> (uid <code>${escapeHtml(d.uid)}</code>)</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Grafana dashboards</title></head>
<body><h1>Grafana dashboards</h1>
<p>Import one in Grafana (Dashboards → New → Import) by pasting its JSON, or download it: <code>curl -O http://HOST:PORT/grafana/FILE.json</code>.</p>
<ul>${rows.join('\n') || '<li>No dashboards are bundled with this build.</li>'}</ul>
</body></html>
`;
}

/**
 * `GET /grafana/` lists the bundled dashboards, `GET /grafana/<file>.json` returns one, so a user can import
 * them into Grafana straight from a running exporter. Only the files listed are served: no path reaches the disk.
 */
export function createGrafanaRouter(dir = BUNDLED_DASHBOARDS_DIR): Router {
  const dashboards = new Map(loadDashboards(dir).map((dashboard) => [dashboard.file, dashboard]));
  const router = Router({ strict: true });

  serveMethods(router, '/grafana', {
    GET: (_req, res) => {
      res.setHeader('Location', 'grafana/');
      sendPlainText(res, 301, 'Moved Permanently: grafana/\n');
    },
  });

  serveMethods(router, '/grafana/', {
    GET: (_req, res) => { res.type('html').send(indexPage([...dashboards.values()])); },
  });

  serveMethods(router, '/grafana/:file', {
    GET: (req, res) => {
      // A string for this path; express types parameters as lists too, for wildcards.
      const file = String(req.params.file);
      const dashboard = dashboards.get(file);
      if (!dashboard) {
        sendPlainText(res, 404, `No dashboard ${file}; see /grafana/\n`);
        return;
      }
      res.type('application/json').send(dashboard.body);
    },
  });

  return router;
}
