import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { isEntryPoint } from './entryPoint.js';

/**
 * `npm test`'s set-up (the `pretest` step): the suite proves the rules, the routes and every scrape on the real
 * Prometheus tools, and the status page in a real browser, so it needs them on PATH. When one is missing and this is a Debian machine where we are root,
 * Debian's packages are installed here and now; otherwise it stops at once with the one command to run.
 */

/** Each command the tests run, and the Debian package that ships it. */
export const TEST_TOOLS = [
  { command: 'promtool', debianPackage: 'prometheus' },
  { command: 'prometheus', debianPackage: 'prometheus' },
  { command: 'prometheus-alertmanager', debianPackage: 'prometheus-alertmanager' },
  { command: 'amtool', debianPackage: 'prometheus-alertmanager' },
  { command: 'chromium', debianPackage: 'chromium' },
] as const;

export type TestToolsPlan =
  | { readonly action: 'ready' }
  | { readonly action: 'install'; readonly packages: readonly string[] }
  | { readonly action: 'stop'; readonly missing: readonly string[]; readonly command: string };

/** What the machine lets us do about the tools `isOnPath` cannot find. */
export function planTestTools(isOnPath: (command: string) => boolean, isRoot: boolean): TestToolsPlan {
  const missing = TEST_TOOLS.filter(({ command }) => !isOnPath(command));
  if (missing.length === 0) return { action: 'ready' };
  const packages = [...new Set(missing.map(({ debianPackage }) => debianPackage))];
  if (isRoot && isOnPath('apt-get')) return { action: 'install', packages };
  const install = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const command = isOnPath('apt-get') ? `sudo apt-get update && sudo ${install}` : `install Prometheus, Alertmanager and Chromium so that ${missing.map(({ command: c }) => c).join(', ')} are on PATH (Debian: ${install})`;
  return { action: 'stop', missing: missing.map(({ command: c }) => c), command };
}

/** True when an executable `command` is in one of PATH's folders. */
export function isOnPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((folder) => {
    try {
      accessSync(join(folder || '.', command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function apt(args: readonly string[]): void {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with ${String(result.status ?? result.signal)}`);
}

/** Exit code: 0 when every tool is there (after installing it if need be), 1 with the one line to act on. */
export function ensureTestTools(): number {
  const plan = planTestTools(isOnPath, process.getuid?.() === 0);
  if (plan.action === 'ready') return 0;
  if (plan.action === 'stop') {
    process.stderr.write(`npm test needs ${plan.missing.join(', ')}: ${plan.command}\n`);
    return 1;
  }
  process.stdout.write(`pretest: installing Debian's ${plan.packages.join(' ')} for the tests\n`);
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', ...plan.packages]);
  const after = planTestTools(isOnPath, false);
  if (after.action === 'ready') return 0;
  process.stderr.write(`npm test needs ${after.action === 'stop' ? after.missing.join(', ') : ''}, still missing after apt-get install\n`);
  return 1;
}

if (isEntryPoint(import.meta.url)) process.exitCode = ensureTestTools();
