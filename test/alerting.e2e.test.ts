import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { AlertingStack, eventually, EXPORTER_DOWN_FOR_MS, KEEP_FIRING_FOR_MS, NotificationSink, type AmAlert, type PromAlert } from './support/alertingStack.js';
import { AlertingWorld, expectedAlerts, SCENARIOS, type Run, type Scenario } from './support/alertingWorld.js';
import { samples } from './support/harness.js';
import { ALERTMANAGER_BINARY, PROMETHEUS_BINARY, requireInstalled } from './support/monitoringServers.js';

/*
 * The alerts as a team meets them: simulator worlds (SCENARIOS) watched by two exporters, one with per-job
 * series and one in summary mode (max_jobs_per_target: 0), each in a stack of its own as in production: the
 * shipped rules (every `for:` and `keep_firing_for:` shortened) on Debian's Prometheus, which also scrapes a
 * dead second instance of the scrape job, alerting Debian's Alertmanager with the shipped example route,
 * inhibitions and receivers. Healthy targets of every cadence raise nothing; every problem raises its alert at
 * its severity once per target and is notified once; no inhibition hides a page; a replaced exporter keeps
 * every open alert.
 */

const DEADLINE_MS = 150_000;
const SETTLE_MS = 10_000;
const MODES = { 'per-job': 10, summary: 0 } as const;
type Mode = keyof typeof MODES;

const targetOf = (labels: Record<string, string>): string => labels.domain ?? labels.workflow ?? labels.target ?? '';
/** An alert's identity as Alertmanager sees it: name, severity and target (or instance, for the exporter's own). */
const key = (labels: Record<string, string>): string => `${labels.alertname ?? ''}:${labels.severity ?? ''} ${targetOf(labels) || (labels.instance ?? '')}`;

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = DEADLINE_MS): Promise<T> => eventually(what, probe, timeoutMs);

describe('alerting end to end: simulator worlds, per-job and summary exporters, each with its Prometheus and Alertmanager', function () {
  this.timeout(600_000);
  let world: AlertingWorld | undefined;
  let sink: NotificationSink | undefined;
  const stacks = new Map<Mode, AlertingStack>();

  const scenario = (name: string): Scenario => {
    const found = SCENARIOS.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no scenario ${name}`);
    return found;
  };
  /** What every stack must raise: the scenarios' alerts, and ExporterDown for its dead instance. */
  const expectedKeys = (stack: AlertingStack): Set<string> => new Set([
    ...SCENARIOS.flatMap((s) => expectedAlerts(s).map(({ alertname, severity }) => key({ alertname, severity, [s.kind === 'identity_resolution' ? 'domain' : 'workflow']: s.name }))),
    key({ alertname: 'AWSResolutionExporterDown', severity: 'critical', instance: stack.deadInstance }),
  ]);
  /** Adds a run and waits until every exporter serves `series` of the target at `expected`. */
  const addRun = async (of: Scenario, run: Run, series: string, expected: number): Promise<void> => {
    world?.add(of, run);
    const label = of.kind === 'identity_resolution' ? 'domain' : 'workflow';
    await until(`${series}{${label}="${of.name}"} = ${String(expected)} on every exporter`, async () => {
      const seen = await Promise.all([...stacks.values()].map(async ({ exporter }) => {
        const text = await (await fetch(`http://${exporter.address}/metrics`)).text();
        return samples(text, series, { [label]: of.name }).some((line) => line.endsWith(` ${String(expected)}`));
      }));
      return seen.every(Boolean) ? true : undefined;
    });
  };
  const eachStack = async (check: (mode: Mode, stack: AlertingStack) => Promise<void>): Promise<void> => {
    await Promise.all([...stacks].map(([mode, stack]) => check(mode, stack)));
  };
  /** The firing alerts of a stack once nothing is pending, by key. */
  const settled = async (stack: AlertingStack): Promise<Map<string, PromAlert>> => {
    const alerts = await until(`${stack.name}: no alert pending`, async () => {
      const now = await stack.alerts();
      return now.every((alert) => alert.state === 'firing') ? now : undefined;
    });
    return new Map(alerts.map((alert) => [key(alert.labels), alert]));
  };

  before(async function () {
    requireInstalled([PROMETHEUS_BINARY, ALERTMANAGER_BINARY]);
    world = await AlertingWorld.start();
    sink = await NotificationSink.start();
    for (const [mode, maxJobsPerTarget] of Object.entries(MODES) as [Mode, number][]) {
      stacks.set(mode, await AlertingStack.start({ name: mode, maxJobsPerTarget, world, scenarios: SCENARIOS, sink }));
    }
    // Time passes: runs appear one at a time, as a summary-mode exporter sees them after its first collection.
    for (const staged of SCENARIOS.filter((s) => s.later !== undefined)) {
      for (const run of staged.later ?? []) await addRun(staged, run, 'aws_entity_resolution_matching_last_success_input_records', run.counts?.[0] ?? 0);
    }
  });

  after(async () => {
    await Promise.all([...stacks.values()].map((stack) => stack.stop()));
    sink?.close();
    await world?.simulator.close();
  });

  it('raises every problem\'s alert at its severity, and nothing for a healthy target of any cadence, in per-job and in summary mode', async () => {
    const raised = new Map<Mode, Map<string, PromAlert>>();
    await eachStack(async (mode, stack) => {
      const expected = expectedKeys(stack);
      expect(expected.size).to.be.greaterThan(15);
      await until(`${mode}: every expected alert`, async () => {
        const now = new Set((await stack.alerts()).map((alert) => key(alert.labels)));
        return [...expected].every((want) => now.has(want)) ? true : undefined;
      });
      await sleep(SETTLE_MS);
      raised.set(mode, await settled(stack));
    });
    const column = (mode: Mode, s: Scenario): string => [...raised.get(mode)?.values() ?? []].filter((a) => targetOf(a.labels) === s.name).map((a) => `${a.labels.alertname?.replace('AWSResolution', '') ?? ''} (${a.labels.severity ?? ''})`).join(', ') || '-';
    const table = SCENARIOS.map((s) => `${s.kind.padEnd(19)} ${s.name.padEnd(22)} ${[...stacks.keys()].map((mode) => `${mode}: ${column(mode, s)}`).join(' | ')}`);
    console.log(`\n      scenario matrix (alerts raised per exporter mode, with severity):\n      ${table.join('\n      ')}\n`);
    for (const [mode, stack] of stacks) {
      const unexpected = [...raised.get(mode)?.values() ?? []].filter((alert) => !expectedKeys(stack).has(key(alert.labels)));
      expect(unexpected.map((alert) => `${alert.state} ${JSON.stringify(alert.labels)}`), `${mode}: alerts no scenario asks for`).to.deep.equal([]);
    }
  });

  it('keys every alert about a target by the target (account, region, kind, domain or workflow), never by a job id or the exporter process', async () => {
    await eachStack(async (mode, stack) => {
      const firing = await stack.alerts();
      expect(firing.filter((alert) => 'job_id' in alert.labels).map((alert) => alert.labels.alertname), mode).to.deep.equal([]);
      const keys = firing.map((alert) => key(alert.labels));
      expect(keys.length, mode).to.equal(new Set(keys).size);
      for (const alert of firing.filter((a) => a.labels.alertname !== 'AWSResolutionExporterDown')) {
        expect(alert.labels, JSON.stringify(alert.labels)).to.include.keys('job', 'aws_account_id', 'aws_region', 'kind', 'severity');
        expect(alert.labels, JSON.stringify(alert.labels)).to.not.have.any.keys('instance', 'pod');
        expect(targetOf(alert.labels), JSON.stringify(alert.labels)).to.not.equal('');
      }
    });
  });

  it('notifies each problem once, grouped by target, to the pager when critical, in words that name the target', async () => {
    await eachStack(async (mode, stack) => {
      // The last group of the first test may still be on its way.
      await until(`${mode}: every expected alert notified`, () => {
        const notified = new Set((sink?.notifications(mode) ?? []).flatMap((n) => n.alerts.map((a) => key(a.labels))));
        return Promise.resolve([...expectedKeys(stack)].every((want) => notified.has(want)) ? true : undefined);
      });
      const incarnations = new Map<string, Set<string>>();
      const receivers = new Map<string, string>();
      for (const notification of sink?.notifications(mode) ?? []) {
        for (const alert of notification.alerts.filter((a) => a.status === 'firing')) {
          const id = key(alert.labels);
          incarnations.set(id, (incarnations.get(id) ?? new Set()).add(alert.startsAt));
          receivers.set(id, notification.receiver);
        }
        const targets = new Set(notification.alerts.map((alert) => targetOf(alert.labels) || alert.labels.instance));
        expect(targets.size, `${mode}: one target per notification`).to.equal(1);
      }
      console.log(`\n      ${mode}: notifications ${String(sink?.notifications(mode).length)}; alerts notified (times each started): ${String(incarnations.size)}\n`);
      expect([...incarnations].filter(([, startsAt]) => startsAt.size !== 1).map(([id]) => id), `${mode}: problems notified more than once`).to.deep.equal([]);
      for (const [id, receiver] of receivers) expect(receiver, `${mode}: ${id}`).to.equal(id.includes(':critical ') ? 'data-platform-pager' : 'data-platform-chat');
      // The shipped Slack and PagerDuty templates: each message's title is a summary, which names the target.
      const rendered = sink?.rendered(mode) ?? [];
      for (const integration of ['slack', 'pagerduty'] as const) expect(rendered.filter((r) => r.integration === integration), `${mode}: ${integration} messages`).to.not.be.empty;
      const named = (s: Scenario): boolean => rendered.some((r) => r.title.includes(`${s.name} (123456789012, us-east-1)`) && r.text.includes(s.name));
      for (const s of SCENARIOS.filter((candidate) => candidate.alerts.length > 0)) expect(named(s), `${mode}: a message whose title names ${s.name}`).to.equal(true);
    });
  });

  it('keeps one alert, with the same activeAt, through a further failed run, and resolves it after a success', async () => {
    const failing = scenario('hourly-failing');
    const jobFailed = async (stack: AlertingStack): Promise<PromAlert[]> => (await stack.alerts()).filter((alert) => alert.labels.alertname === 'AWSResolutionMatchingJobFailed' && alert.labels.workflow === failing.name);
    const before = new Map<Mode, PromAlert[]>();
    for (const [mode, stack] of stacks) before.set(mode, await jobFailed(stack));
    for (const alerts of before.values()) expect(alerts.map((alert) => [alert.labels.severity, alert.value])).to.deep.equal([['critical', '3e+00']]);
    await addRun(failing, { ago: 300, minutes: 5, status: 'FAILED' }, 'aws_entity_resolution_matching_consecutive_failed_jobs', 4);
    await eachStack(async (mode, stack) => {
      const after = await until(`${mode}: the alert to show the fourth failure`, async () => {
        const now = await jobFailed(stack);
        return now.length === 1 && now[0]?.value === '4e+00' ? now : undefined;
      });
      expect(after.map((alert) => [alert.labels, alert.activeAt]), mode).to.deep.equal(before.get(mode)?.map((alert) => [alert.labels, alert.activeAt]));
    });

    await addRun(failing, { ago: 120, minutes: 1, status: 'SUCCEEDED' }, 'aws_entity_resolution_matching_consecutive_failed_jobs', 0);
    await eachStack(async (mode, stack) => {
      await until(`${mode}: the alert to resolve`, async () => ((await jobFailed(stack)).length === 0 ? true : undefined), KEEP_FIRING_FOR_MS + DEADLINE_MS);
      await until(`${mode}: the webhook to hear it resolved`, () => Promise.resolve(sink?.notifications(mode).some((n) => n.alerts.some((a) => a.status === 'resolved' && a.labels.alertname === 'AWSResolutionMatchingJobFailed' && a.labels.workflow === failing.name)) === true ? true : undefined));
    });
  });

  it('keeps every open alert, with its activeAt, when the exporter process is replaced by one on another address after a gap', async () => {
    await eachStack(async (mode, stack) => {
      const before = await settled(stack);
      const oldAddress = stack.exporter.address;
      const notifiedBefore = sink?.notifications(mode).length ?? 0;
      await stack.replaceExporter();
      expect(stack.exporter.address, mode).to.not.equal(oldAddress);
      // The new process's series are scraped, and the rules evaluated over them.
      await until(`${mode}: the new exporter scraped`, async () => {
        const answer = await (await fetch(`${stack.prometheus.url}/api/v1/query?query=${encodeURIComponent(`up{instance="${stack.exporter.address}"} == 1`)}`)).json() as { data: { result: unknown[] } };
        return answer.data.result.length === 1 ? true : undefined;
      });
      await sleep(SETTLE_MS);
      const after = await settled(stack);
      const kept = [...before].filter(([id, alert]) => after.get(id)?.activeAt === alert.activeAt).map(([id]) => id);
      console.log(`\n      ${mode}: exporter ${oldAddress} replaced by ${stack.exporter.address}: ${String(kept.length)} of ${String(before.size)} open alerts kept with their activeAt\n`);
      expect([...before.keys()].filter((id) => !kept.includes(id)), `${mode}: alerts lost or restarted`).to.deep.equal([]);
      expect([...after.keys()].filter((id) => !before.has(id)), `${mode}: alerts new after the restart`).to.deep.equal([]);
      const resolvedSince = (sink?.notifications(mode) ?? []).slice(notifiedBefore).flatMap((n) => n.alerts.filter((a) => a.status === 'resolved').map((a) => key(a.labels)));
      expect(resolvedSince, `${mode}: resolved notifications during the restart`).to.deep.equal([]);
    });
  });

  it('lets a dead second instance of the scrape job mute nothing of the live one', async () => {
    await eachStack(async (mode, stack) => {
      const am = await until(`${mode}: the dead instance's ExporterDown active in Alertmanager`, async () => {
        const list = await stack.amAlerts();
        return list.some((alert) => alert.labels.alertname === 'AWSResolutionExporterDown' && alert.labels.instance === stack.deadInstance && alert.status.state === 'active') ? list : undefined;
      }, EXPORTER_DOWN_FOR_MS + DEADLINE_MS);
      const down = am.filter((alert) => alert.labels.alertname === 'AWSResolutionExporterDown').map((alert) => alert.fingerprint);
      expect(am.filter((alert) => alert.status.inhibitedBy.some((by) => down.includes(by))).map((alert) => key(alert.labels)), `${mode}: muted by the dead instance`).to.deep.equal([]);
      expect(am.filter((alert) => alert.labels.severity === 'critical' && alert.status.state !== 'active').map((alert) => key(alert.labels)), `${mode}: pages held back`).to.deep.equal([]);
    });
  });

  it('still pages for a target that cannot be read while its newest run failed, and holds back only its warnings', async () => {
    const failedCritical = scenario('never-succeeded');
    const failedWarning = scenario('hourly-failed-once');
    for (const s of [failedCritical, failedWarning]) {
      world?.simulator.faults.add({ target: s.name, effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: `User is not authorized to access ${s.name}` } });
    }
    const of = (list: readonly AmAlert[], s: Scenario, alertname: string): AmAlert | undefined => list.find((alert) => alert.labels.workflow === s.name && alert.labels.alertname === alertname);
    await eachStack(async (mode, stack) => {
      const list = await until(`${mode}: TargetDown active for both, and the warning held back`, async () => {
        const now = await stack.amAlerts();
        const down = [failedCritical, failedWarning].every((s) => of(now, s, 'AWSResolutionTargetDown')?.status.state === 'active');
        return down && of(now, failedWarning, 'AWSResolutionMatchingJobFailed')?.status.state === 'suppressed' ? now : undefined;
      });
      const page = of(list, failedCritical, 'AWSResolutionMatchingJobFailed');
      expect([page?.labels.severity, page?.status.state], `${mode}: the failed run of the unreadable target still pages`).to.deep.equal(['critical', 'active']);
      const down = of(list, failedCritical, 'AWSResolutionTargetDown');
      expect(down?.labels.severity, mode).to.equal('warning');
      // What AWS answered, in the alert itself.
      const prometheusDown = (await stack.alerts()).find((alert) => alert.labels.alertname === 'AWSResolutionTargetDown' && alert.labels.workflow === failedCritical.name);
      expect(prometheusDown, mode).to.not.equal(undefined);
    });
    const descriptions = await Promise.all([...stacks.values()].map(async (stack) => {
      const answer = await (await fetch(`${stack.prometheus.url}/api/v1/rules?type=alert`)).json() as { data: { groups: { rules: { name: string; alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] }[] }[] } };
      return answer.data.groups.flatMap((g) => g.rules).filter((r) => r.name === 'AWSResolutionTargetDown').flatMap((r) => r.alerts).filter((a) => a.labels.workflow === failedCritical.name).map((a) => a.annotations.description ?? '');
    }));
    for (const description of descriptions.flat()) expect(description).to.contain(`AWS answered: AccessDeniedException: User is not authorized to access ${failedCritical.name}`);
  });

  it('reaches the webhook seconds after a job fails in AWS', async () => {
    const healthy = scenario('hourly-ok');
    const failedAt = Date.now();
    world?.add(healthy, { ago: 60, minutes: 1, status: 'FAILED' });
    const heard = await until('the failure at the webhook, in both stacks', () => {
      const arrivals = [...stacks.keys()].map((mode) => sink?.notifications(mode).find((n) => n.alerts.some((a) => a.status === 'firing' && a.labels.alertname === 'AWSResolutionMatchingJobFailed' && a.labels.workflow === healthy.name))?.at);
      const all = arrivals.filter((at) => at !== undefined);
      return Promise.resolve(all.length === arrivals.length ? all : undefined);
    });
    const seconds = heard.map((at) => (at - failedAt) / 1000);
    console.log(`\n      failure in the simulator → webhook: ${[...stacks.keys()].map((mode, i) => `${mode} ${String(seconds[i]?.toFixed(1))} s`).join(', ')} (exporter schedule 1 s, scrape and evaluation 1 s, group_wait 1 s)\n`);
    for (const s of seconds) expect(s).to.be.below(30);
  });
});
