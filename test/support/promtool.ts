import { spawnSync } from 'node:child_process';

/**
 * Runs `promtool check metrics` on an exposition and returns its complaints ('' when clean).
 * CI installs Debian's prometheus package; without promtool this throws rather than pass silently.
 */
export function promtoolCheckMetrics(exposition: string): string {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool is needed for this test (apt-get install prometheus): ${result.error.message}`);
  return `${result.stdout}${result.stderr}`.trim();
}
