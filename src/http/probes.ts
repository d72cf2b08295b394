/**
 * The liveness and readiness paths. They answer without credentials (see server.ts) and tell nothing but
 * "Healthy", "Ready" or "Not ready", so that kubelets and Docker's HEALTHCHECK, which send none, can ask.
 */
export const HEALTHY_PATH = '/-/healthy';
export const READY_PATH = '/-/ready';
export const PROBE_PATHS: ReadonlySet<string> = new Set([HEALTHY_PATH, READY_PATH]);
