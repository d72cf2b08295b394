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

  /** The receiver the example routes an alert with these labels to. */
  const receiverOf = (labels: Readonly<Record<string, string>>): string => amtool('config', 'routes', 'test', `--config.file=${EXAMPLE}`, ...Object.entries(labels).map(([name, value]) => `${name}=${value}`));
  const teamReceiver = (team: string, severity: string): string => `${team}-${severity === 'critical' ? 'pager' : 'chat'}`;

  it('routes every shipped alert (untagged) to the data platform team: critical ones to the pager, the rest to chat', () => {
    const doc = parse(readFileSync('prometheus/alerts.yml', 'utf8')) as { groups: { rules: AlertRule[] }[] };
    const alerts = doc.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
    expect(alerts.length).to.be.greaterThan(10);
    for (const { alert = '', labels } of alerts) {
      const severity = labels?.severity ?? '';
      expect(receiverOf({ alertname: alert, severity }), `${alert} (${severity})`).to.equal(teamReceiver('data-platform', severity));
    }
  });

  it('routes an alert with tag_team to that team, critical ones to its pager, and one of a team it does not name to the data platform team', () => {
    const owners: Readonly<Record<string, string>> = { 'marketing-analytics': 'marketing-analytics', 'data-platform': 'data-platform', 'someone-else': 'data-platform' };
    for (const severity of ['critical', 'warning', 'info']) {
      for (const [team, owner] of Object.entries(owners)) {
        expect(receiverOf({ alertname: 'AWSResolutionMatchingJobFailed', severity, tag_team: team }), `tag_team=${team} (${severity})`).to.equal(teamReceiver(owner, severity));
      }
    }
  });

  describe('inhibitions', () => {
    interface InhibitRule { readonly source_matchers: readonly string[]; readonly target_matchers: readonly string[]; readonly equal: readonly string[] }
    const RANK: Readonly<Record<string, number>> = { info: 0, warning: 1, critical: 2 };
    const inhibitRules = (file: string): InhibitRule[] => (parse(readFileSync(file, 'utf8')) as { inhibit_rules: InhibitRule[] }).inhibit_rules;
    /** The severities a rule's matchers let through (every one, when it names none). */
    const severities = (matchers: readonly string[]): string[] => {
      const matcher = matchers.find((m) => m.startsWith('severity'));
      if (matcher === undefined) return Object.keys(RANK);
      const match = /^severity\s*(=~|=)\s*"([^"]*)"$/.exec(matcher);
      if (!match) throw new Error(`cannot read ${matcher}`);
      return Object.keys(RANK).filter((severity) => (match[1] === '=' ? severity === match[2] : new RegExp(`^(?:${match[2] ?? ''})$`).test(severity)));
    };

    it('never let an alert mute one of higher severity: each rule\'s targets are at most as severe as its least severe source', () => {
      const rules = inhibitRules(EXAMPLE);
      expect(rules).to.not.be.empty;
      for (const rule of rules) {
        const source = Math.min(...severities(rule.source_matchers).map((s) => RANK[s] ?? 0));
        const targets = severities(rule.target_matchers);
        expect(targets.filter((s) => (RANK[s] ?? 0) > source), JSON.stringify(rule)).to.deep.equal([]);
      }
    });

    it('mute the alerts of an exporter process only from that process (equal on instance), never the alerts about targets', () => {
      for (const rule of inhibitRules(EXAMPLE).filter((r) => r.source_matchers.some((m) => m.includes('ExporterDown')))) {
        expect(rule.equal, JSON.stringify(rule)).to.include('instance');
        expect(rule.target_matchers, JSON.stringify(rule)).to.include('instance=~".+"');
      }
    });

    it('are the same in the docker compose demo\'s Alertmanager', () => {
      expect(inhibitRules('deploy/alertmanager/alertmanager.yml')).to.deep.equal(inhibitRules(EXAMPLE));
    });
  });
});

