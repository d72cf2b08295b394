import type { ExpositionPart } from '../exposition/encoding.js';
import type { LandingPageInput } from './landing.js';

/** How a reload went: `problems` holds one `FILE: path: problem` line each when it was rejected. */
export interface ReloadOutcome {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** What the HTTP side reads from the running exporter. */
export interface ExporterView {
  readonly version: string;
  readonly telemetryPath: string;
  /** False until the first collection has finished. */
  ready(): boolean;
  /** The whole exposition, as its parts encoded ahead of time in both formats (served from memory as they are). */
  exposition(): Promise<readonly ExpositionPart[]>;
  /** What the status page at `/` shows, read when it is asked for. */
  landing(): Promise<Omit<LandingPageInput, 'version' | 'telemetryPath'>>;
  /** Where the dashboards served under /grafana/ are; the bundled ones when undefined. */
  readonly grafanaDashboardsDir?: string;
  /** Re-reads the configuration (POST /-/reload). */
  reload(): Promise<ReloadOutcome>;
}
