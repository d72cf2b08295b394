/** The resident memory a scenario's exporter took as it ran, MiB. */
export interface MeasuredFootprint {
  readonly rss_load_peak_mb: number;
  readonly rss_idle_peak_mb: number;
}

/** A pod's memory request and limit, in MiB (Kubernetes `Mi`). */
export interface PodMemory {
  readonly requestMi: number;
  readonly limitMi: number;
}

/** Headroom over the highest peak measured, for fleets that grow and collections that go wider than the bench's. */
export const LIMIT_HEADROOM = 1.25;

const roundUp = (value: number, step: number): number => Math.ceil(value / step) * step;

/**
 * What to ask for: the request is the peak of a pod's ordinary life (scrapes and scheduled collections), what
 * it holds most of the time; the limit is the highest peak seen, the cold collection and scrape load included,
 * with a quarter more on top, so that only a fleet well beyond the measured one reaches it.
 */
export function podMemory(measured: MeasuredFootprint): PodMemory {
  return {
    requestMi: roundUp(measured.rss_idle_peak_mb, 16),
    limitMi: roundUp(Math.max(measured.rss_load_peak_mb, measured.rss_idle_peak_mb) * LIMIT_HEADROOM, 32),
  };
}
