/** A configuration that polls nothing: no targets, a schedule that fires once a year, AWS at the discard port. */
export const IDLE_CONFIG = 'schedule: "0 0 1 1 *"\nregion: us-east-1\nendpoint_url: http://127.0.0.1:9\n';
