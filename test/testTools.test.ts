import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { planTestTools, TEST_TOOLS } from '../scripts/testTools.js';

const present = (...commands: string[]) => (command: string): boolean => commands.includes(command);
const ALL = TEST_TOOLS.map(({ command }) => command);

describe('npm test sets itself up (pretest: scripts/testTools.ts)', () => {
  it('runs before every npm test', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.pretest).to.equal('tsx scripts/testTools.ts');
  });

  it('goes on when promtool, prometheus, prometheus-alertmanager, amtool and chromium are on PATH', () => {
    expect(planTestTools(present(...ALL), false)).to.deep.equal({ action: 'ready' });
  });

  it('installs the Debian packages of what is missing when it is root with apt-get', () => {
    expect(planTestTools(present('apt-get', 'prometheus', 'prometheus-alertmanager', 'amtool', 'chromium'), true)).to.deep.equal({ action: 'install', packages: ['prometheus'] });
    expect(planTestTools(present('apt-get'), true)).to.deep.equal({ action: 'install', packages: ['prometheus', 'prometheus-alertmanager', 'chromium'] });
  });

  it('otherwise stops with the one command to run', () => {
    expect(planTestTools(present('apt-get', 'promtool', 'prometheus', 'chromium'), false)).to.deep.equal({
      action: 'stop', missing: ['prometheus-alertmanager', 'amtool'], command: 'sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus-alertmanager',
    });
    const elsewhere = planTestTools(present(), true);
    expect(elsewhere.action).to.equal('stop');
    expect(elsewhere.action === 'stop' && elsewhere.command).to.contain('promtool, prometheus, prometheus-alertmanager, amtool, chromium are on PATH');
  });

  it('stops at once, exit 1, with one line, on a machine that has none of them and no apt-get', () => {
    const bin = mkdtempSync(join(tmpdir(), 'are-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/testTools.ts'], { encoding: 'utf8', env: { ...process.env, PATH: bin } });
    expect(result.status).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.deep.equal([
      'npm test needs promtool, prometheus, prometheus-alertmanager, amtool, chromium: install Prometheus, Alertmanager and Chromium so that promtool, prometheus, prometheus-alertmanager, amtool, chromium are on PATH (Debian: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager chromium)',
    ]);
    expect(performance.now() - started).to.be.below(10_000);
  });
});
