import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AS_OF_COLLECTION } from '../src/metrics/family.js';
import { SNAPSHOT_FAMILIES, SnapshotMetrics } from '../src/metrics/snapshotMetrics.js';
import { SelfMetrics } from '../src/metrics/selfMetrics.js';
import { defaultMetricNames, selfFamilies, snapshotFamilies } from '../scripts/metricReference.js';
import { INPUTS } from './golden/inputs.js';
import { expectGolden, familyBlocks, sampleLines, undeclaredLabels, type FamilyBlock } from './support/golden.js';

/**
 * What every HELP must be, as the reason it breaks each rule: capitalised sentences ending with a period, on one
 * line, and one moment the value is taken at. A second "as of" clause would name two moments (or contradict the
 * first), and a family that says it is as of the last collection cannot also speak of the scrape.
 */
function helpProblems(help: string): string[] {
  const problems: string[] = [];
  if (!/^[A-Z]/.test(help)) problems.push('does not start with a capital letter');
  if (!help.endsWith('.')) problems.push('does not end with a period');
  if (/[.!?]\s+[^A-Z\s]/.test(help)) problems.push('has a sentence that does not start with a capital letter');
  if (help.includes('\n')) problems.push('spans lines');
  if ((help.match(/\bas of\b/gi) ?? []).length > 1) problems.push('says "as of" more than once');
  if (help.includes(AS_OF_COLLECTION) && /scrape/i.test(help.replace(AS_OF_COLLECTION, ''))) problems.push('is as of the last collection and speaks of the scrape');
  return problems;
}

describe('HELP texts', () => {
  it('the rules catch what they are meant to', () => {
    expect(helpProblems('Jobs seen to finish.')).to.deep.equal([]);
    expect(helpProblems(`Status of the job: 1 or 0. ${AS_OF_COLLECTION}`)).to.deep.equal([]);
    expect(helpProblems('1 when it ran, else 0.')).to.deep.equal(['does not start with a capital letter']);
    expect(helpProblems('Jobs seen to finish')).to.deep.equal(['does not end with a period']);
    expect(helpProblems('Jobs seen. counted once.')).to.deep.equal(['has a sentence that does not start with a capital letter']);
    expect(helpProblems('Jobs.\nSeen.')).to.deep.equal(['spans lines']);
    expect(helpProblems('As of the last refresh. As of the last collection.')).to.deep.equal(['says "as of" more than once']);
    expect(helpProblems(`Seconds since it started, at scrape time. ${AS_OF_COLLECTION}`)).to.deep.equal(['is as of the last collection and speaks of the scrape']);
  });

  it('every family of the exporter, its own included, has a HELP that keeps the rules', () => {
    const families = [...snapshotFamilies(), ...selfFamilies()];
    const problems = families.flatMap((family) => helpProblems(family.help).map((problem) => `${family.name}: HELP ${problem}: ${family.help}`));
    expect(problems).to.deep.equal([]);
  });
});

const CASES_DIR = 'test/golden/families';

/** The cases on disk: test/golden/families/INPUT/FAMILY.prom. */
const CASES = readdirSync(CASES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).flatMap((input) =>
  readdirSync(join(CASES_DIR, input.name)).map((file) => ({ input: input.name, family: basename(file, '.prom'), path: join(CASES_DIR, input.name, file) })));

const renderings = new Map<string, Promise<FamilyBlock[]>>();

/** The families an input renders to, each input rendered once for all its cases. */
function rendered(input: string): Promise<FamilyBlock[]> {
  let blocks = renderings.get(input);
  if (!blocks) {
    const snapshot = INPUTS.get(input);
    if (!snapshot) throw new Error(`${CASES_DIR}/${input} is not an input of test/golden/inputs.ts`);
    const metrics = new SnapshotMetrics();
    metrics.publish(snapshot);
    blocks = metrics.text().then(familyBlocks);
    renderings.set(input, blocks);
  }
  return blocks;
}

describe(`golden cases, one per metric family (${CASES_DIR}, refreshed by npm run golden:refresh)`, () => {
  it('every family a collection snapshot feeds has one case, and every case is of such a family and of an input', () => {
    const families = SNAPSHOT_FAMILIES.map((family) => family.name);
    const byFamily = new Map<string, string[]>();
    for (const { family, path } of CASES) byFamily.set(family, [...byFamily.get(family) ?? [], path]);
    const missing = families.filter((family) => !byFamily.has(family));
    expect(missing, `families without a golden case: add an empty ${CASES_DIR}/INPUT/FAMILY.prom, INPUT being the input of test/golden/inputs.ts that shows the family best, and run npm run golden:refresh`).to.deep.equal([]);
    expect([...byFamily].filter(([, paths]) => paths.length > 1).map(([, paths]) => paths.join(' and ')), 'families with more than one case').to.deep.equal([]);
    expect(CASES.filter(({ family }) => !families.includes(family)).map(({ path }) => path), 'cases of no family').to.deep.equal([]);
    expect(CASES.filter(({ input }) => !INPUTS.has(input)).map(({ path }) => path), 'cases of no input').to.deep.equal([]);
  });

  for (const { input, family, path } of CASES) {
    it(`${family} from ${input}`, async () => {
      const block = (await rendered(input)).find((candidate) => candidate.name === family);
      expect(block, `${input} renders no ${family}`).to.not.equal(undefined);
      if (!block) return;
      expect(sampleLines(block), `${input} renders no ${family} series: pick an input that does`).to.not.be.empty;
      expectGolden(path, block.text);
    });
  }
});

describe('the label names a family declares (FamilySpec.labelNames)', () => {
  it('are the same, with the HELP and TYPE, in every kind of target that feeds the family', () => {
    // The exposition and the README take the first kind's: a second kind that differed would go unseen.
    const disagreeing = SNAPSHOT_FAMILIES.filter((family) => {
      const [first, ...others] = [...family.byKind.values()];
      return others.some((spec) => spec.help !== first?.help || spec.type !== first.type || spec.labelNames.join() !== first.labelNames.join());
    });
    expect(disagreeing.map((family) => family.name)).to.deep.equal([]);
  });

  it('are exactly the labels of every series the golden inputs render, in order', async () => {
    const declared = new Map(snapshotFamilies().map((family) => [family.name, family.labelNames]));
    for (const input of INPUTS.keys()) expect(undeclaredLabels(await rendered(input), declared), input).to.deep.equal([]);
  });
});

/** Gauges prom-client names `_total`, which the exporter leaves out: Prometheus would take them for counters. */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

describe('the exporter\'s own families (test/golden/self-metrics.prom)', () => {
  async function selfExposition(): Promise<string> {
    const self = new SelfMetrics({ version: '1.2.3', revision: 'abc1234' });
    // Registered at the first state-file write: written once so its HELP is pinned too.
    self.stateWritten(true);
    return self.text();
  }

  it('have the golden HELP and TYPE lines', async () => {
    const defaults = defaultMetricNames();
    const own = familyBlocks(await selfExposition()).filter((block) => !defaults.has(block.name));
    const metadata = own.flatMap((block) => block.text.split('\n').filter((line) => line.startsWith('# ')));
    expectGolden('test/golden/self-metrics.prom', `${metadata.join('\n')}\n`);
  });

  it('come with prom-client\'s process_ and nodejs_ metrics, whose values vary, less the misnamed gauges', async () => {
    const exposed = new Set(familyBlocks(await selfExposition()).map((block) => block.name));
    const defaults = [...defaultMetricNames()];
    expect(defaults.filter((name) => !MISNAMED_DEFAULTS.includes(name) && !exposed.has(name)), 'missing').to.deep.equal([]);
    expect(MISNAMED_DEFAULTS.filter((name) => exposed.has(name)), 'misnamed, yet exposed').to.deep.equal([]);
    expect(defaults.filter((name) => !/^(process|nodejs)_/.test(name)), 'defaults outside process_ and nodejs_').to.deep.equal([]);
  });
});
