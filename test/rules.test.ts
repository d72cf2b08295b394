import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse } from 'yaml';
import { DEFAULT_SELECTOR, defaultOptions, runbookUrlFromPackage, selectorProblem } from '../monitoring/options.js';
import { ALERTS_FILE as ALERTS, main as renderMain, optionsFromArgs, PROMETHEUS_RULE_FILE, RECORDING_RULES_FILE as RECORDING, renderMonitoring, staleFiles } from '../monitoring/render.js';
import { emittedMetricNames, recordedMetricNames } from './support/emittedMetrics.js';
import { selectorsOf, type Matcher } from './support/promql.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALERTS_FILE = join(ROOT, 'prometheus', 'alerts.yml');
const RULES_FILE = join(ROOT, 'prometheus', 'rules.yml');
const TESTS_DIR = join(ROOT, 'prometheus', 'tests');
/** Rule unit tests of the rules rendered with {@link TAG_KEYS}, not of the shipped ones. */
const TAGGED_TESTS = 'tag-labels';
const TAG_KEYS = ['team', 'cost-center'];
const RUNBOOK_FILE = join(ROOT, 'docs', 'runbook.md');
/** Where package.json says the repository lives (docs/alerts.md tells users to point it at their copy). */
const RUNBOOK_URL = 'https://github.com/aws-resolution-exporter/aws-resolution-exporter/blob/main/docs/runbook.md';
const ALERT_NAME = /^AWSResolution(?:[A-Z][a-z0-9]*)+$/;
const RECORD_NAME = /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/;
const SEVERITIES = ['critical', 'warning', 'info'];

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}
interface ExpectedAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
}
interface RuleTestFile {
  rule_files?: string[];
  tests?: {
    name?: string;
    alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: ExpectedAlert[] | null }[];
    promql_expr_test?: { eval_time: string; expr: string; exp_samples?: unknown[] | null }[];
  }[];
}

function ruleFile(text: string): RuleFile {
  const doc = parse(text) as RuleFile | null;
  if (!doc || !Array.isArray(doc.groups)) throw new Error('a rule file needs a groups list');
  return doc;
}
const rulesOf = (doc: RuleFile): Rule[] => doc.groups.flatMap((group) => group.rules);
const alertRules = (): Rule[] => rulesOf(ruleFile(readFileSync(ALERTS_FILE, 'utf8')));
const recordingRules = (): Rule[] => rulesOf(ruleFile(readFileSync(RULES_FILE, 'utf8')));
const allRules = (): Rule[] => [...alertRules(), ...recordingRules()];
const ruleName = (rule: Rule): string => rule.alert ?? rule.record ?? '(unnamed)';
/** An alert as Alertmanager routes it: its name and severity (one alert may warn first and page later). */
const alertKey = (alertname: string, severity: string | undefined): string => `${alertname} (${severity ?? 'no severity'})`;
/** The alerts about the exporter process itself, keyed by instance; every other alert is about a target. */
const PROCESS_ALERTS = new Set(['AWSResolutionExporterDown', 'AWSResolutionCollectionsStale', 'AWSResolutionStateFileWriteFailed', 'AWSResolutionRequestsThrottled', 'AWSResolutionRequestErrors', 'AWSResolutionConfigReloadFailed']);

function ruleTestFiles(): string[] {
  return readdirSync(TESTS_DIR).filter((name) => name.endsWith('.yml')).sort().map((name) => join(TESTS_DIR, name));
}
const ruleTests = (): RuleTestFile[] => ruleTestFiles().map((file) => parse(readFileSync(file, 'utf8')) as RuleTestFile);

/** Runs promtool; without it the tests fail, saying how to get it, rather than pass silently. */
function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`promtool is needed for these tests (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The PromQL queries of an alert's annotation templates (backquoted printf formats), with each %q filled in. */
function templateQueries(rule: Rule): string[] {
  return Object.values(rule.annotations ?? {}).flatMap((text) => [...text.matchAll(/`([^`]*)`/g)].map((m) => (m[1] ?? '').replaceAll('%q', '"x"')));
}

/** A rule's expression and its annotation queries, as rules whose selectors can be checked alike. */
const withTemplateQueries = (rule: Rule): Rule[] => [rule, ...templateQueries(rule).map((expr) => ({ ...rule, expr }))];

/** The problems of an expression's selectors: each names its metric and carries exactly the job matcher given. */
function selectorProblems(rule: Rule, job: Matcher): string[] {
  const problems: string[] = [];
  for (const selector of selectorsOf(rule.expr)) {
    if (selector.metric === undefined || selector.matchers.some((m) => m.name === '__name__')) problems.push(`${ruleName(rule)}: ${selector.text} does not name its metric plainly`);
    const jobs = selector.matchers.filter((m) => m.name === 'job');
    if (jobs.length !== 1 || jobs[0]?.op !== job.op || jobs[0].value !== job.value) {
      problems.push(`${ruleName(rule)}: ${selector.text} does not carry exactly job${job.op}"${job.value}"`);
    }
  }
  return problems;
}

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces as hyphens. */
function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The runbook's ## and ### headings, and the text of each ## section. */
function runbook(): { anchors: Set<string>; sections: Map<string, string> } {
  const text = readFileSync(RUNBOOK_FILE, 'utf8');
  const anchors = new Set<string>();
  const sections = new Map<string, string>();
  let current: string | undefined;
  let inFence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (inFence) {
      if (current !== undefined) sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
      continue;
    }
    const heading = /^(#{2,3}) (.+?)\s*$/.exec(line);
    if (heading?.[1] && heading[2]) {
      anchors.add(githubSlug(heading[2]));
      if (heading[1] === '##') {
        current = heading[2];
        sections.set(current, '');
        continue;
      }
    }
    if (current !== undefined) sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
  }
  return { anchors, sections };
}

describe('Prometheus rules (prometheus/)', () => {
  describe('promtool', () => {
    it('checks alerts.yml and rules.yml clean', () => {
      const { status, output } = promtool('check', 'rules', ALERTS_FILE, RULES_FILE);
      expect(status, output).to.equal(0);
      expect(output).to.contain(`SUCCESS: ${String(alertRules().length)} rules found`).and.to.contain(`SUCCESS: ${String(recordingRules().length)} rules found`);
    });

    it('passes every rule unit test in prometheus/tests', function () {
      this.timeout(60_000);
      const files = ruleTestFiles();
      expect(files).to.not.be.empty;
      const { status, output } = promtool('test', 'rules', ...files);
      expect(status, output).to.equal(0);
      expect(output.match(/SUCCESS/g) ?? []).to.have.length(files.length);
    });
  });

  describe('alerts', () => {
    it('are named AWSResolution… in CamelCase, once per severity', () => {
      const rules = alertRules();
      expect(rules).to.not.be.empty;
      for (const rule of rules) expect(ruleName(rule)).to.match(ALERT_NAME);
      const keys = rules.map((rule) => alertKey(ruleName(rule), rule.labels?.severity));
      expect(new Set(keys).size, keys.join(', ')).to.equal(keys.length);
    });

    it('about a target: drop the process\'s labels (instance, pod) and keep firing through a restart; about the exporter: keep instance', () => {
      for (const rule of alertRules()) {
        const name = ruleName(rule);
        if (PROCESS_ALERTS.has(name)) {
          expect(rule.expr, name).to.not.match(/without \(instance, pod\)/);
          expect(rule.keep_firing_for, name).to.equal(undefined);
        } else {
          expect(rule.expr, name).to.match(/^max without \(instance, pod\) \(\n/);
          expect(rule.keep_firing_for, name).to.equal('10m');
        }
      }
    });

    it('have a severity, a summary that names what it is about, a templated description and a runbook link to their own runbook section', () => {
      const { anchors } = runbook();
      for (const rule of alertRules()) {
        const name = ruleName(rule);
        expect(SEVERITIES, name).to.include(rule.labels?.severity);
        const { summary, description, runbook_url: url } = rule.annotations ?? {};
        const about = PROCESS_ALERTS.has(name) ? /\$labels\.instance/ : /\{\{ \$labels\.(domain|workflow|target) \}\}.*\{\{ \$labels\.aws_account_id \}\}.*\{\{ \$labels\.aws_region \}\}/;
        expect(summary, `${name} summary`).to.be.a('string').and.match(about);
        expect(summary).to.match(/^[A-Z].*\.$/);
        expect(description, `${name} description`).to.be.a('string').and.match(/\{\{ \$labels\.\w+ \}\}/);
        expect(url, `${name} runbook_url`).to.equal(`${RUNBOOK_URL}#${name.toLowerCase()}`);
        expect(anchors, `docs/runbook.md has no ## or ### heading for #${name.toLowerCase()}`).to.include(name.toLowerCase());
      }
    });

    it('each have a runbook section with what it means, how to check and how to fix, and every section is an alert', () => {
      const names = new Set(alertRules().map(ruleName));
      const { sections } = runbook();
      for (const name of names) {
        const section = sections.get(name);
        expect(section, `docs/runbook.md has no "## ${name}" section`).to.be.a('string');
        for (const part of ['What it means', 'How to check', 'How to fix']) expect(section, `${name}: ${part}`).to.contain(`### ${part}`);
      }
      const alertSections = [...sections.keys()].filter((heading) => heading.startsWith('AWSResolution'));
      expect(alertSections.filter((heading) => !names.has(heading)), 'runbook sections of no alert').to.deep.equal([]);
      expect(alertSections).to.have.length(names.size);
    });

    it('each fire in a rule unit test at every severity, with exact labels and annotations, and stay silent in another', () => {
      const firing = new Set<string>();
      const silent = new Set<string>();
      for (const file of ruleTests()) {
        for (const group of file.tests ?? []) {
          for (const test of group.alert_rule_test ?? []) {
            const expected = test.exp_alerts ?? [];
            if (expected.length === 0) silent.add(test.alertname);
            for (const alert of expected) {
              expect(alert.exp_labels?.severity, `${test.alertname} at ${test.eval_time}: severity`).to.be.oneOf(SEVERITIES);
              expect(Object.keys(alert.exp_annotations ?? {}).sort(), `${test.alertname} at ${test.eval_time}`).to.deep.equal(['description', 'runbook_url', 'summary']);
              firing.add(alertKey(test.alertname, alert.exp_labels?.severity));
            }
          }
        }
      }
      for (const rule of alertRules()) {
        expect(firing, `no test makes ${ruleName(rule)} fire as ${String(rule.labels?.severity)}`).to.include(alertKey(ruleName(rule), rule.labels?.severity));
        expect(silent, `no test shows ${ruleName(rule)} silent`).to.include(ruleName(rule));
      }
      const names = new Set(alertRules().map(ruleName));
      const keys = new Set(alertRules().map((rule) => alertKey(ruleName(rule), rule.labels?.severity)));
      expect([...firing].filter((alert) => !keys.has(alert)), 'tests of alerts at a severity no rule has').to.deep.equal([]);
      expect([...silent].filter((name) => !names.has(name)), 'tests of unknown alerts').to.deep.equal([]);
    });
  });

  describe('recording rules', () => {
    it('are named level:metric:operations and keep job and instance', () => {
      const rules = recordingRules();
      expect(rules.map(ruleName)).to.include.members([
        'instance_operation_code:aws_resolution_exporter_aws_requests:rate5m',
        'instance_operation:aws_resolution_exporter_aws_requests_throttled:ratio_rate5m',
        'instance_operation:aws_resolution_exporter_aws_request_duration_seconds:p99_rate5m',
        'instance_kind:aws_resolution_exporter_target_up:ratio',
        'job_id:aws_customer_profiles_identity_resolution_job_merges_done_per_matches_found:ratio',
        'job_id:aws_entity_resolution_matching_job_records_not_processed_per_input_records:ratio',
        'job_id:aws_entity_resolution_id_mapping_job_records_not_processed_per_input_records:ratio',
      ]);
      for (const rule of rules) {
        expect(rule.record).to.match(RECORD_NAME);
        expect(rule.alert).to.equal(undefined);
        // An aggregation that names what it keeps must keep job and instance.
        for (const by of rule.expr.matchAll(/\bby \(([^)]*)\)/g)) expect(by[1]?.split(/\s*,\s*/), ruleName(rule)).to.include.members(['job', 'instance']);
      }
    });

    it('are each evaluated by a promql_expr_test', () => {
      const tested = new Set<string>();
      for (const file of ruleTests()) {
        for (const group of file.tests ?? []) {
          for (const test of group.promql_expr_test ?? []) if ((test.exp_samples ?? []).length > 0) tested.add(test.expr.trim());
        }
      }
      for (const rule of recordingRules()) expect(tested, `no promql_expr_test of ${ruleName(rule)}`).to.include(rule.record);
    });
  });

  describe('expressions', () => {
    it('parse with lezer-promql, and the parse finds the selectors (and fails on a broken expression)', () => {
      const selectors = selectorsOf('sum by (job) (rate(foo_total{job="x", code=~"a|b"}[5m])) / on (job) bar{job="x"} and absent(up{job="x"})');
      expect(selectors.map((s) => s.metric)).to.deep.equal(['foo_total', 'bar', 'up']);
      expect(selectors[0]?.matchers).to.deep.equal([{ name: 'job', op: '=', value: 'x' }, { name: 'code', op: '=~', value: 'a|b' }]);
      expect(() => selectorsOf('sum(rate(foo[5m])')).to.throw(/syntax error/);
      expect(selectorProblems({ expr: 'foo{job="x"} / bar', record: 't' }, { name: 'job', op: '=', value: 'x' })).to.have.length(1);
    });

    it(`select exporter series only with ${DEFAULT_SELECTOR}, on every selector, in the annotations' queries too`, () => {
      const rules = allRules().flatMap(withTemplateQueries);
      expect(rules.length).to.be.greaterThan(allRules().length);
      const problems = rules.flatMap((rule) => selectorProblems(rule, { name: 'job', op: '=', value: 'aws-resolution-exporter' }));
      expect(problems).to.deep.equal([]);
    });

    it('use only metrics the exporter emits, recording rules of rules.yml, and up', async function () {
      this.timeout(60_000);
      const emitted = await emittedMetricNames();
      const recorded = recordedMetricNames(RULES_FILE);
      expect(emitted).to.include('aws_resolution_exporter_target_up');
      const unknown: string[] = [];
      let used = 0;
      for (const rule of allRules().flatMap(withTemplateQueries)) {
        for (const { metric } of selectorsOf(rule.expr)) {
          used++;
          if (metric === undefined || !(metric === 'up' || emitted.has(metric) || recorded.has(metric))) unknown.push(`${ruleName(rule)}: ${metric ?? '(no name)'}`);
        }
      }
      expect(used).to.be.greaterThan(50);
      expect(unknown).to.deep.equal([]);
    });
  });

  describe('npm run render-monitoring (monitoring/render.ts)', () => {
    const selector = 'job="my-exporter", env="prod"';
    const runbookUrl = 'https://wiki.example.com/aws-resolution/runbook';
    const custom = (): Map<string, string> => renderMonitoring({ ...defaultOptions(runbookUrl), selector, severities: new Map([['AWSResolutionTargetDown', 'critical']]) });

    it('rendered the committed rule files, PrometheusRule and dashboards (the default rendering), byte for byte', () => {
      expect(staleFiles(renderMonitoring(defaultOptions()), ROOT), 'out of date: run npm run render-monitoring').to.deep.equal([]);
    });

    it('takes the runbook address from package.json\'s repository by default', () => {
      expect(defaultOptions().runbookUrl).to.equal(RUNBOOK_URL);
      expect(runbookUrlFromPackage('{"repository": "git+https://github.com/acme/are.git"}')).to.equal('https://github.com/acme/are/blob/main/docs/runbook.md');
      expect(runbookUrlFromPackage('{"repository": {"url": "git@github.com:acme/are.git"}}')).to.equal('https://github.com/acme/are/blob/main/docs/runbook.md');
      expect(() => runbookUrlFromPackage('{}')).to.throw(/no repository/);
    });

    it('renders another selector into every expression and template query, another runbook address and severity, and rule files promtool accepts', () => {
      const files = custom();
      const dir = mkdtempSync(join(tmpdir(), 'are-render-'));
      try {
        for (const name of [ALERTS, RECORDING]) {
          const text = files.get(name) ?? '';
          expect(text).to.not.contain(DEFAULT_SELECTOR);
          const rules = rulesOf(ruleFile(text));
          expect(rules.map(ruleName), name).to.deep.equal(rulesOf(ruleFile(readFileSync(join(ROOT, name), 'utf8'))).map(ruleName));
          for (const rule of rules.flatMap(withTemplateQueries)) {
            expect(selectorProblems(rule, { name: 'job', op: '=', value: 'my-exporter' })).to.deep.equal([]);
            for (const s of selectorsOf(rule.expr)) expect(s.matchers, `${ruleName(rule)}: ${s.text}`).to.deep.include({ name: 'env', op: '=', value: 'prod' });
          }
          writeFileSync(join(dir, name.replace('/', '-')), text);
        }
        const alerts = rulesOf(ruleFile(files.get(ALERTS) ?? ''));
        for (const rule of alerts) expect(rule.annotations?.runbook_url, ruleName(rule)).to.equal(`${runbookUrl}#${ruleName(rule).toLowerCase()}`);
        expect(alerts.find((rule) => rule.alert === 'AWSResolutionTargetDown')?.labels?.severity).to.equal('critical');
        const { status, output } = promtool('check', 'rules', ...[ALERTS, RECORDING].map((name) => join(dir, name.replace('/', '-'))));
        expect(status, output).to.equal(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('renders the same dashboards whatever the selector and runbook, so every dashboard test holds for them', () => {
      const files = custom();
      const dashboards = [...files.keys()].filter((name) => name.startsWith('grafana/dashboards/'));
      expect(dashboards).to.have.length(3);
      for (const name of dashboards) expect(files.get(name) === readFileSync(join(ROOT, name), 'utf8'), name).to.equal(true);
    });

    it('puts in the PrometheusRule exactly the groups of rules.yml, then alerts.yml', () => {
      const files = custom();
      const rule = parse(files.get(PROMETHEUS_RULE_FILE) ?? '') as { kind?: string; spec?: { groups?: unknown[] } };
      expect(rule.kind).to.equal('PrometheusRule');
      const groups = [RECORDING, ALERTS].flatMap((name) => (parse(files.get(name) ?? '') as RuleFile).groups);
      expect(rule.spec?.groups).to.deep.equal(groups);
    });

    it('refuses what is not a list of label matchers, a bad runbook address, refresh or severity', () => {
      for (const bad of ['', 'my-exporter', '{job="x"}', 'job="x"}', 'job="x"\nfoo="y"', "job='x'", 'job="`x`"', 'job="50%"']) {
        expect(selectorProblem(bad), JSON.stringify(bad)).to.be.a('string');
      }
      expect(selectorProblem('job=~"a$&b$1", env!="dev"')).to.equal(undefined);
      expect(optionsFromArgs({ selector: 'oops' })).to.match(/^--selector "oops": expected label matchers/);
      expect(optionsFromArgs({ 'runbook-url': 'wiki/runbook' })).to.match(/^--runbook-url/);
      expect(optionsFromArgs({ refresh: 'often' })).to.match(/^--refresh/);
      expect(optionsFromArgs({ severity: ['AWSResolutionTargetDown=page'] })).to.match(/^--severity/);
    });

    it('runs as a command: --check passes on the repository, fails on a stale copy, and usage errors exit 2', () => {
      const out: string[] = [];
      const err: string[] = [];
      expect(renderMain(['--check'], (t) => out.push(t), (t) => err.push(t)), err.join('')).to.equal(0);
      const dir = mkdtempSync(join(tmpdir(), 'are-render-'));
      try {
        expect(renderMain([`--out=${dir}`, `--selector=${selector}`], (t) => out.push(t), (t) => err.push(t))).to.equal(0);
        expect(renderMain(['--check', `--out=${dir}`, `--selector=${selector}`], (t) => out.push(t), (t) => err.push(t))).to.equal(0);
        writeFileSync(join(dir, ALERTS), '# edited by hand\n');
        expect(renderMain(['--check', `--out=${dir}`, `--selector=${selector}`], (t) => out.push(t), (t) => err.push(t))).to.equal(1);
        expect(err.join('')).to.contain(`out of date (run npm run render-monitoring): ${ALERTS}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(renderMain(['--selector=oops'], (t) => out.push(t), (t) => err.push(t))).to.equal(2);
      expect(renderMain(['--severity=AWSResolutionNoSuchAlert=critical', '--check'], (t) => out.push(t), (t) => err.push(t))).to.equal(2);
      expect(renderMain(['--bogus'], (t) => out.push(t), (t) => err.push(t))).to.equal(2);
      expect(err.join('')).to.contain('names no shipped alert: AWSResolutionNoSuchAlert').and.to.contain('Usage: render-monitoring');
    });

    describe('--tag-labels', () => {
      /** Each kind's info series, as a join names it. */
      const INFO: Readonly<Record<string, string>> = {
        identity_resolution: 'aws_customer_profiles_domain_info{job="aws-resolution-exporter"}',
        matching: 'aws_entity_resolution_workflow_info{job="aws-resolution-exporter", kind="matching"}',
        id_mapping: 'aws_entity_resolution_workflow_info{job="aws-resolution-exporter", kind="id_mapping"}',
      };
      const tagged = (): Map<string, string> => renderMonitoring({ ...defaultOptions(), tagKeys: TAG_KEYS });

      it('carries the tag labels onto every alert about a target, joining its kind\'s info series per process, and changes nothing else', () => {
        const files = tagged();
        const rules = rulesOf(ruleFile(files.get(ALERTS) ?? ''));
        const shipped = alertRules();
        expect(rules.map(ruleName)).to.deep.equal(shipped.map(ruleName));
        for (const [i, rule] of rules.entries()) {
          const name = ruleName(rule);
          const { expr: _expr, ...rest } = rule;
          const { expr: shippedExpr, ...shippedRest } = shipped[i] ?? { expr: '' };
          expect(rest, name).to.deep.equal(shippedRest);
          if (PROCESS_ALERTS.has(name)) {
            expect(rule.expr, name).to.equal(shippedExpr);
            continue;
          }
          const joins = [...rule.expr.matchAll(/\* on \(job, instance, aws_account_id, aws_region, (?:domain|workflow)\) group_left \(tag_team, tag_cost_center\)\n\s*(.+)\n/g)].map((m) => m[1]);
          const kind = rule.labels?.kind;
          expect(joins, name).to.deep.equal(kind === undefined ? Object.values(INFO) : [INFO[kind]]);
          expect(rule.expr, name).to.match(/^max without \(instance, pod\) \(\n/);
        }
        expect(readFileSync(ALERTS_FILE, 'utf8')).to.not.contain('group_left (tag_');
        expect(files.get(ALERTS)).to.contain('Selector job="aws-resolution-exporter"; runbook').and.to.contain('; tag labels tag_team, tag_cost_center.');
        const shippedFiles = renderMonitoring(defaultOptions());
        expect(parse(files.get(RECORDING) ?? '')).to.deep.equal(parse(shippedFiles.get(RECORDING) ?? ''));
        for (const [name, text] of files) {
          if (![ALERTS, RECORDING, PROMETHEUS_RULE_FILE].includes(name)) expect(text === shippedFiles.get(name), name).to.equal(true);
        }
      });

      it(`passes prometheus/tests/${TAGGED_TESTS} (tags carried; a target without an info series still alerted) and, without info series, every other rule unit test`, function () {
        this.timeout(60_000);
        const dir = mkdtempSync(join(tmpdir(), 'are-render-'));
        try {
          const err: string[] = [];
          expect(renderMain([`--out=${dir}`, `--tag-labels=${TAG_KEYS.join(',')}`], () => undefined, (t) => err.push(t)), err.join('')).to.equal(0);
          cpSync(TESTS_DIR, join(dir, 'prometheus', 'tests'), { recursive: true });
          const taggedTests = readdirSync(join(TESTS_DIR, TAGGED_TESTS)).filter((name) => name.endsWith('.yml')).map((name) => join(dir, 'prometheus', 'tests', TAGGED_TESTS, name));
          expect(taggedTests).to.not.be.empty;
          const files = [...taggedTests, ...ruleTestFiles().map((file) => join(dir, 'prometheus', 'tests', file.slice(TESTS_DIR.length + 1)))];
          const { status, output } = promtool('test', 'rules', ...files);
          expect(status, output).to.equal(0);
          expect(output.match(/SUCCESS/g) ?? []).to.have.length(files.length);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('refuses a tag key that makes no label and two keys that make the same, in one line, exiting 2', () => {
        expect(optionsFromArgs({ 'tag-labels': 'team, cost-center' })).to.deep.include({ tagKeys: ['team', 'cost-center'] });
        expect(optionsFromArgs({ 'tag-labels': 'team,,owner' })).to.equal('--tag-labels "team,,owner": a tag key cannot be empty');
        expect(optionsFromArgs({ 'tag-labels': '--' })).to.equal('--tag-labels "--": "--" becomes the label tag___, which names nothing: a tag key needs a letter or digit (a-z, A-Z, 0-9)');
        expect(optionsFromArgs({ 'tag-labels': 'team,team' })).to.equal('--tag-labels "team,team": "team" and "team" both become the label tag_team');
        const err: string[] = [];
        expect(renderMain(['--check', '--tag-labels=cost-center,cost_center'], () => undefined, (t) => err.push(t))).to.equal(2);
        expect(err).to.deep.equal(['render-monitoring: --tag-labels "cost-center,cost_center": "cost-center" and "cost_center" both become the label tag_cost_center\n']);
      });
    });

    it('works through npm from the command line', function () {
      this.timeout(60_000);
      const dir = mkdtempSync(join(tmpdir(), 'are-render-'));
      try {
        const result = spawnSync('npm', ['run', '--silent', 'render-monitoring', '--', `--out=${dir}`, '--selector=job="my-exporter"'], { cwd: ROOT, encoding: 'utf8' });
        expect(result.status, result.stderr).to.equal(0);
        expect(readFileSync(join(dir, ALERTS), 'utf8')).to.equal(renderMonitoring({ ...defaultOptions(), selector: 'job="my-exporter"' }).get(ALERTS));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
