import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { configKeyPaths, meaningMismatches } from '../scripts/configReference.js';
import { selfFamilies, snapshotFamilies } from '../scripts/metricReference.js';
import { FLAG_DEFINITIONS } from '../src/cli/flags.js';
import {
  alertNames, alertRow, alertsWithoutRunbookSection, severityProblems, configCheckFailures, configRow, flagRow, lineCount, metricRow, readDoc, readDocs, rowProblems, shownConfigs,
  type ShownConfig,
} from './support/docsChecks.js';
import { brokenLinks } from './support/markdownLinks.js';

/** README.md stays an overview a reader takes in at once; what it leads to lives in docs/. */
const README_LINE_BUDGET = 250;

/** The files in `dir` ending in `extension`, by name; none when there is no such folder. */
const filesIn = (dir: string, extension: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(extension)).sort().map((file) => join(dir, file)) : [];

/** Where the reference tables may live: the README and the topic pages. */
const referenceFiles = (): string[] => ['README.md', ...filesIn('docs', '.md')];
const RUNBOOK = 'docs/runbook.md';

const topLevelKeys = (): Set<string> => new Set(configKeyPaths().filter((path) => !path.includes('.')));

/** Every config --config.check must accept: the docs' configuration blocks, docs/examples/, config.example.yaml. */
function shownAndExampleConfigs(): ShownConfig[] {
  const files = [...filesIn('docs/examples', '.yaml'), 'config.example.yaml'];
  return [
    ...readDocs(referenceFiles()).flatMap((doc) => shownConfigs(doc, topLevelKeys())),
    ...readDocs(files).map(({ file, text }) => ({ where: file, text })),
  ];
}

/** A child process's start, tsx's compilation included, on a loaded machine. */
const CONFIG_CHECK_MS = 20_000;

const FIXTURES = 'test/fixtures/docs';

describe('the docs\' structure', () => {
  describe('its checks, on fixtures', () => {
    it('every kind of relative link that resolves passes; links in code and external ones are not read', () => {
      expect(brokenLinks([`${FIXTURES}/links/README.md`, `${FIXTURES}/links/docs/page.md`])).to.deep.equal([]);
    });

    it('a missing file or image, a missing anchor, a heading in a fence, a root-relative and an empty link each fail', () => {
      const file = `${FIXTURES}/broken/README.md`;
      expect(brokenLinks([file])).to.deep.equal([
        `${file}:3: nowhere.md → no such file ${FIXTURES}/broken/nowhere.md`,
        `${file}:3: missing.png → no such file ${FIXTURES}/broken/missing.png`,
        `${file}:5: images/missing.png → no such file ${FIXTURES}/broken/images/missing.png`,
        `${file}:7: ../links/docs/page.md#examples-3 → no heading or anchor #examples-3 in ${FIXTURES}/links/docs/page.md`,
        `${file}:7: #no-such-heading → no heading or anchor #no-such-heading in ${file}`,
        `${file}:8: #a-heading-in-a-fence → no heading or anchor #a-heading-in-a-fence in ${file}`,
        `${file}:8: /README.md → a root-relative link, which resolves on GitHub only: link relative to the file`,
        `${file}:8: () → an empty link`,
      ]);
    });

    it('counts lines as wc -l does', () => {
      expect([lineCount('one\ntwo\n'), lineCount('one\ntwo'), lineCount(readDoc(`${FIXTURES}/tables/runbook.md`).text)]).to.deep.equal([2, 2, 9]);
    });

    it('passes reference rows of each key once across files, and reads no row of another table or of a code block', () => {
      const docs = readDocs([`${FIXTURES}/tables/README.md`, `${FIXTURES}/tables/docs/reference.md`]);
      expect([
        ...rowProblems(docs, flagRow, ['--alpha.file', '--alpha.check', '--beta'], 'flag'),
        ...rowProblems(docs, metricRow, ['fixture_jobs_total', 'fixture_up'], 'metric'),
        ...rowProblems(docs, configRow, ['schedule', '<target>.name', 'expect.interval'], 'config key'),
        ...rowProblems(docs, alertRow, ['AWSResolutionFixtureDown', 'AWSResolutionFixtureFailed', 'AWSResolutionFixtureStale', 'AWSResolutionFixtureLate'], 'alert'),
      ]).to.deep.equal([]);
    });

    it('names a key without a row, one with two (plain and linked alike), and a row of no key, with their places', () => {
      const docs = readDocs([`${FIXTURES}/tables/broken.md`]);
      const at = (line: number): string => `${FIXTURES}/tables/broken.md:${line}`;
      expect(rowProblems(docs, flagRow, ['--alpha.file', '--beta'], 'flag')).to.deep.equal([
        'flag --beta: no row',
        `flag --alpha.file: 2 rows, ${at(5)}, ${at(6)}`,
        `${at(7)}: a row for flag --gone, which does not exist`,
      ]);
      expect(rowProblems(docs, metricRow, ['fixture_jobs_total', 'fixture_up'], 'metric')).to.deep.equal([
        'metric fixture_jobs_total: no row',
        `${at(12)}: a row for metric fixture_removed, which does not exist`,
      ]);
      expect(rowProblems(docs, configRow, ['schedule', 'expect.interval'], 'config key')).to.deep.equal([
        'config key expect.interval: no row',
        `config key schedule: 2 rows, ${at(16)}, ${at(20)}`,
        `${at(21)}: a row for config key shedule, which does not exist`,
      ]);
      expect(rowProblems(docs, alertRow, ['AWSResolutionFixtureDown', 'AWSResolutionFixtureFailed'], 'alert')).to.deep.equal([
        'alert AWSResolutionFixtureFailed: no row',
        `alert AWSResolutionFixtureDown: 2 rows, ${at(25)}, ${at(26)}`,
      ]);
    });

    it('names an alert the table says pages or warns against the severities of its rules', () => {
      const rules = 'groups:\n  - rules:\n'
        + '      - { alert: AWSResolutionFixtureDown, labels: { severity: warning } }\n'
        + '      - { alert: AWSResolutionFixtureDown, labels: { severity: critical } }\n'
        + '      - { alert: AWSResolutionFixtureFailed, labels: { severity: warning } }\n'
        + '      - { alert: AWSResolutionFixtureLate, labels: { severity: info } }\n';
      const table = '| Alert | Pages (critical) when | Warns when |\n|---|---|---|\n'
        + '| `AWSResolutionFixtureDown` | down long | down |\n'
        + '| `AWSResolutionFixtureFailed`, `AWSResolutionFixtureLate` | failed | — |\n';
      expect(severityProblems([{ file: 'page.md', text: table }], rules)).to.deep.equal([
        'page.md:4: AWSResolutionFixtureFailed pages here, but has no critical rule',
        'page.md:4: AWSResolutionFixtureFailed has a warning or info rule, but warns nowhere here',
        'page.md:4: AWSResolutionFixtureLate pages here, but has no critical rule',
        'page.md:4: AWSResolutionFixtureLate has a warning or info rule, but warns nowhere here',
      ]);
    });

    it('names an alert whose runbook section is missing, as a heading in a code block is none', () => {
      const runbook = readDoc(`${FIXTURES}/tables/runbook.md`);
      expect(alertsWithoutRunbookSection(['AWSResolutionFixtureDown', 'AWSResolutionFixtureFailed'], runbook)).to.deep.equal([
        `AWSResolutionFixtureFailed: ${FIXTURES}/tables/runbook.md has no section #awsresolutionfixturefailed`,
      ]);
    });

    it('takes marked yaml blocks and those of top-level keys alone for configs, and names each --config.check refuses', function () {
      this.timeout(4 * CONFIG_CHECK_MS);
      const file = `${FIXTURES}/configs/README.md`;
      const configs = readDocs([file]).flatMap((doc) => shownConfigs(doc, topLevelKeys()));
      expect(configs.map((config) => config.where)).to.deep.equal([5, 15, 24, 31].map((line) => `${file}:${line}`));
      const failures = configCheckFailures(configs);
      expect(failures).to.have.length(2);
      expect(failures[0]).to.match(new RegExp(`^${file}:24: --config.check exits 2: ${file}:24: shedule: `));
      expect(failures[1]).to.match(new RegExp(`^${file}:31: --config.check exits 2: ${file}:31: concurrency: expected an integer >= 1`));
    });
  });

  describe('the docs themselves', () => {
    it('resolve every relative link and anchor', () => {
      const files = [...referenceFiles(), 'grafana/README.md', 'prometheus/README.md', 'bench/README.md'];
      expect(brokenLinks(files), 'broken links').to.deep.equal([]);
    });

    it(`keep README.md within ${README_LINE_BUDGET} lines`, () => {
      const lines = lineCount(readDoc('README.md').text);
      expect(lines, `README.md has ${lines} lines, over its budget of ${README_LINE_BUDGET}: move detail to docs/`).to.be.at.most(README_LINE_BUDGET);
    });

    it('have one flags-table row per flag, and none of a flag that does not exist', () => {
      const flags = FLAG_DEFINITIONS.map((flag) => `--${flag.name}`);
      expect(rowProblems(readDocs(referenceFiles()), flagRow, flags, 'flag')).to.deep.equal([]);
    });

    it('have one reference row per metric family, and none of a family that does not exist', () => {
      const families = [...snapshotFamilies(), ...selfFamilies()].map((family) => family.name);
      expect(rowProblems(readDocs(referenceFiles()), metricRow, families, 'metric')).to.deep.equal([]);
    });

    it('describe every config key of the schema, each in one reference row', () => {
      expect(meaningMismatches(), 'scripts/configReference.ts against the schema').to.deep.equal([]);
      expect(rowProblems(readDocs(referenceFiles()), configRow, configKeyPaths(), 'config key')).to.deep.equal([]);
    });

    it('have one row per alert, and a runbook section for each', () => {
      const alerts = alertNames(readDoc('prometheus/alerts.yml').text);
      expect(rowProblems(readDocs(referenceFiles()), alertRow, alerts, 'alert')).to.deep.equal([]);
      expect(severityProblems(readDocs(referenceFiles()), readDoc('prometheus/alerts.yml').text), 'pages and warns as the rules\' severities say').to.deep.equal([]);
      expect(alertsWithoutRunbookSection(alerts, readDoc(RUNBOOK))).to.deep.equal([]);
    });

    it('show only configurations that pass --config.check, as do docs/examples/ and config.example.yaml', function () {
      const configs = shownAndExampleConfigs();
      this.timeout(configs.length * CONFIG_CHECK_MS);
      expect(configCheckFailures(configs)).to.deep.equal([]);
    });
  });
});
