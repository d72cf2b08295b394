import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bundled dashboards, as the dashboard tests and the end-to-end test read them. */
export const DASHBOARDS_DIR = 'grafana/dashboards';

export interface Datasource { readonly type?: string; readonly uid?: string }
export interface Target {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: Datasource;
  readonly instant?: boolean;
  readonly format?: string;
}
export interface Override { readonly matcher?: { readonly id?: string; readonly options?: unknown }; readonly properties?: readonly { readonly id?: string; readonly value?: unknown }[] }
export interface Transformation {
  readonly id?: string;
  readonly options?: { readonly excludeByName?: Readonly<Record<string, boolean>>; readonly renameByName?: Readonly<Record<string, string>> };
}
export interface GridPos { readonly x?: number; readonly y?: number; readonly w?: number; readonly h?: number }
export interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: Datasource;
  readonly gridPos?: GridPos;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string }; readonly overrides?: readonly Override[] };
  readonly transformations?: readonly Transformation[];
  readonly options?: { readonly sortBy?: readonly { readonly displayName?: string }[] };
}
export interface Variable {
  readonly name?: string;
  readonly label?: string;
  readonly type?: string;
  readonly query?: unknown;
  readonly definition?: string;
  readonly datasource?: Datasource;
  readonly current?: { readonly value?: unknown };
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
}
/** An annotation query: Grafana's built-in one, or a Prometheus query (its expression at the top level or in `target`). */
export interface Annotation {
  readonly name?: string;
  readonly builtIn?: number;
  readonly enable?: boolean;
  readonly datasource?: Datasource;
  readonly expr?: string;
  readonly target?: { readonly expr?: string };
  readonly useValueForTime?: boolean;
  readonly filter?: { readonly exclude?: boolean; readonly ids?: readonly number[] };
}
export interface Link { readonly type?: string; readonly tags?: readonly string[]; readonly includeVars?: boolean; readonly keepTime?: boolean }
export interface Dashboard {
  readonly file: string;
  readonly uid?: string;
  readonly title?: string;
  readonly tags?: readonly string[];
  readonly timezone?: string;
  readonly refresh?: string;
  readonly schemaVersion?: number;
  readonly __inputs?: unknown;
  readonly links?: readonly Link[];
  readonly panels?: readonly Panel[];
  readonly templating?: { readonly list?: readonly Variable[] };
  readonly annotations?: { readonly list?: readonly Annotation[] };
}

/** Every bundled dashboard file's text, by file name, in file-name order. */
export function readDashboardFiles(dir = DASHBOARDS_DIR): Map<string, string> {
  return new Map(readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

/** Every bundled dashboard, parsed. */
export function loadDashboards(dir = DASHBOARDS_DIR): Dashboard[] {
  return [...readDashboardFiles(dir)].map(([file, text]) => ({ ...(JSON.parse(text) as Omit<Dashboard, 'file'>), file }));
}

/** Every panel of a dashboard, those nested in collapsed rows included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** `$var`, `${var}` and `${var:format}`: the name is the first or the second group. */
export const VARIABLE_REFERENCE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g;

/** A query as Grafana would send it: interval macros become `durations`, every other variable `valueOf` it. */
export function interpolateVariables(expr: string, durations: Readonly<Record<string, string>>, valueOf: (variable: string) => string): string {
  return expr.replace(VARIABLE_REFERENCE, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return durations[name] ?? valueOf(name);
  });
}

/** Grafana's interval macros, set to what Grafana would pick for a short range at a 1 s scrape. */
const SHORT_RANGE_INTERVALS: Readonly<Record<string, string>> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };

/** A query as Grafana sends it with every variable at "All" (`.*`), for running against a real Prometheus. */
export function substituteVariables(expr: string | undefined, value = '.*'): string {
  return interpolateVariables(expr ?? '', SHORT_RANGE_INTERVALS, () => value);
}

/** The selector of a `label_values(selector, label)` variable query, or undefined for another form. */
export function labelValuesOf(query: string): { selector: string; label: string } | undefined {
  const match = /^label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)$/s.exec(query.trim());
  return match?.[2] ? { selector: match[1] ?? '', label: match[2] } : undefined;
}

export const queryOf = (variable: Variable): string => {
  if (typeof variable.query === 'string') return variable.query;
  if (typeof variable.query === 'object' && variable.query !== null && 'query' in variable.query && typeof variable.query.query === 'string') return variable.query.query;
  return '';
};
