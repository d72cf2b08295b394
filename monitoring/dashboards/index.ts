/**
 * The bundled Grafana dashboards, generated: grafana/dashboards/<file> is renderDashboards(DEFAULT_DASHBOARD_OPTIONS)
 * byte for byte, which a test holds it to. To change a dashboard, change its module here and write the files anew.
 */
import { entityResolutionDashboard } from './entityResolution.js';
import { exporterHealthDashboard } from './exporterHealth.js';
import { identityResolutionDashboard } from './identityResolution.js';
import { renderDashboard, type DashboardBuilder } from './shared.js';

/** What a rendering may vary. */
export interface DashboardOptions {
  /** How often Grafana reloads the dashboard, as Grafana writes it ("30s", "1m"). */
  readonly refresh: string;
}

export const DEFAULT_DASHBOARD_OPTIONS: DashboardOptions = { refresh: '30s' };

/** Each dashboard's file name and a fresh builder of it (builders are mutable, so one per rendering). */
const DASHBOARDS: Readonly<Record<string, () => DashboardBuilder>> = {
  'identity-resolution.json': identityResolutionDashboard,
  'entity-resolution.json': entityResolutionDashboard,
  'exporter-health.json': exporterHealthDashboard,
};

/** File name → the file's exact text. */
export function renderDashboards(options: DashboardOptions): ReadonlyMap<string, string> {
  return new Map(Object.entries(DASHBOARDS).map(([file, build]) => [file, renderDashboard(build().refresh(options.refresh))]));
}
