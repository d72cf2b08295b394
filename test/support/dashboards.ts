import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARDS_DIR = 'grafana/dashboards';

export interface DashboardTarget {
  readonly expr: string;
  readonly refId?: string;
}

export interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: unknown;
  readonly targets?: readonly DashboardTarget[];
  readonly panels?: readonly Panel[];
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string } };
  readonly gridPos?: unknown;
}

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly tags?: readonly string[];
  readonly panels: readonly Panel[];
  readonly templating?: { readonly list?: readonly Record<string, unknown>[] };
  readonly links?: readonly Record<string, unknown>[];
}

/** Every bundled dashboard, parsed. */
export function loadDashboards(dir = DASHBOARDS_DIR): Dashboard[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<Dashboard, 'file'>), file }));
}

/** Every panel of a dashboard, those nested in collapsed rows included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Grafana's built-in interval variables, set to what Grafana would pick for a short range at a 1 s scrape. */
const INTERVALS: Readonly<Record<string, string>> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/**
 * A target's PromQL as Grafana would send it: interval variables become durations, every other variable
 * (`$var`, `${var}`, `${var:format}`) becomes `value`, which is `.*` for an "All" selection.
 */
export function substituteVariables(expr: string, value = '.*'): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return INTERVALS[name] ?? value;
  });
}
