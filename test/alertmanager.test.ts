import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';

const EXAMPLE = 'docs/alertmanager.example.yml';

function amtool(...args: string[]): string {
  const result = spawnSync('amtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`amtool is needed for this test (apt-get install prometheus-alertmanager): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`amtool ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  return result.stdout.trim();
}

interface AlertRule { readonly alert?: string; readonly labels?: { readonly severity?: string } }

describe('the example Alertmanager route', () => {
  it('is a configuration amtool accepts', () => {
    expect(amtool('check-config', EXAMPLE)).to.contain('SUCCESS');
  });

  it('routes every shipped alert to the team: critical ones to the pager, the rest to chat', () => {
    const doc = parse(readFileSync('prometheus/alerts.yml', 'utf8')) as { groups: { rules: AlertRule[] }[] };
    const alerts = doc.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
    expect(alerts.length).to.be.greaterThan(10);
    for (const { alert = '', labels } of alerts) {
      const severity = labels?.severity ?? '';
      const receiver = amtool('config', 'routes', 'test', `--config.file=${EXAMPLE}`, `alertname=${alert}`, `severity=${severity}`);
      expect(receiver, `${alert} (${severity})`).to.equal(severity === 'critical' ? 'data-platform-pager' : 'data-platform-chat');
    }
  });
});
