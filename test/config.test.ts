import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseDuration } from '../src/config/duration.js';
import { ConfigError, loadConfigFile, parseConfig } from '../src/config/load.js';
import type { ExporterConfig } from '../src/config/types.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'config');
const EXAMPLE = join(import.meta.dirname, '..', 'config.example.yaml');

const DEFAULTS: ExporterConfig = {
  schedule: '*/2 * * * *',
  requestTimeoutSeconds: 10,
  collectionTimeoutSeconds: 120,
  stateFile: undefined,
  discovery: [],
  refreshEveryCollections: 10,
  lookbackSeconds: 7 * 86_400,
  maxJobsPerTarget: 10,
  concurrency: 4,
  rateLimit: 2,
  region: undefined,
  endpointUrl: undefined,
  targets: [],
  expect: {},
};

const fixtures = (kind: 'ok' | 'bad') =>
  readdirSync(join(FIXTURES, kind))
    .filter((name) => name.endsWith('.yaml'))
    .sort();

async function configErrorFrom(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail('expected a ConfigError');
}

/** Checks the promises every ConfigError makes: lines start with the file name as given and stay single-line. */
function expectWellFormed(error: ConfigError, fileName: string): void {
  expect(error.lines).to.not.be.empty;
  for (const line of error.lines) {
    expect(line.startsWith(fileName), line).to.equal(true);
    expect(line, line).to.not.match(/[\r\n]/);
  }
  expect(error.message).to.equal(error.lines.join('\n'));
}

describe('parseDuration', () => {
  it('converts single and compound durations to seconds', () => {
    expect(parseDuration('45s')).to.equal(45);
    expect(parseDuration('90m')).to.equal(5_400);
    expect(parseDuration('7d')).to.equal(604_800);
    expect(parseDuration('2w')).to.equal(1_209_600);
    expect(parseDuration('1h30m')).to.equal(5_400);
    expect(parseDuration('0s')).to.equal(0);
  });

  it('rejects anything else with a one-line explanation', () => {
    for (const text of ['', '7', 'd', '7x', '7D', '1.5h', '-1d', ' 7d', '30m1h', '1h1h', '1h 30m']) {
      expect(() => parseDuration(text), text).to.throw(`${JSON.stringify(text)} is not a duration: use a number with a unit`);
    }
    expect(() => parseDuration('99999999999999999999w')).to.throw('is too long a duration');
  });
});

describe('config fixtures that load', () => {
  /** Values worth pinning per fixture; every other ok fixture must merely load. */
  const expectations: Readonly<Record<string, (config: ExporterConfig) => void>> = {
    'empty.yaml': (config) => expect(config).to.deep.equal(DEFAULTS),
    'comments-only.yaml': (config) => expect(config).to.deep.equal(DEFAULTS),
    'defaults.yaml': (config) =>
      expect(config).to.deep.equal({ ...DEFAULTS, targets: [{ kind: 'identity_resolution', name: 'retail-us', resourceName: 'retail-us', region: undefined }] }),
    'all-keys.yaml': (config) =>
      expect(config).to.deep.equal({
        schedule: '30 */5 * * * *',
        requestTimeoutSeconds: 20,
        collectionTimeoutSeconds: 240,
        stateFile: join(FIXTURES, 'ok', 'state', 'exporter.json'),
        discovery: [],
        refreshEveryCollections: 10,
        lookbackSeconds: 129_600,
        maxJobsPerTarget: 0,
        concurrency: 16,
        rateLimit: 0.5,
        region: 'eu-central-1',
        endpointUrl: 'https://localhost:4566/',
        targets: [
          { kind: 'identity_resolution', name: 'retail_EU-2', resourceName: 'retail_EU-2', region: 'eu-central-1', tagLabels: ['team'] },
          {
            kind: 'matching', name: 'dedupe-nightly', resourceName: 'dedupe-nightly', region: 'eu-central-1',
            expect: {
              interval: 7 * 86_400, maxDuration: undefined, maxQueued: undefined, volumeMinRatio: undefined, volumeMaxRatio: undefined,
              failedJobsToPage: undefined, maxRecordsNotProcessedRatio: undefined, matchRateMinRatio: undefined, matchRateMaxRatio: undefined,
              ruleBasedMatchingMaxInactive: undefined,
            },
            tagLabels: ['team', 'cost-center'],
          },
          { kind: 'id_mapping', name: 'crm-to-ads', resourceName: 'crm-to-ads', region: 'eu-central-1', tagLabels: ['team'] },
        ],
        expect: {
          interval: 86_400, maxDuration: 7200, maxQueued: 1800, volumeMinRatio: 0.25, volumeMaxRatio: 4,
          failedJobsToPage: 2, maxRecordsNotProcessedRatio: 0.1, matchRateMinRatio: 0.7, matchRateMaxRatio: 1.4, ruleBasedMatchingMaxInactive: 43_200,
        },
      }),
    'tags.yaml': (config) => {
      expect(config.targets).to.deep.equal([{ kind: 'identity_resolution', name: 'shared-domain', resourceName: 'shared-domain', region: 'us-east-1', tagLabels: ['team', 'cost-center'] }]);
      expect(config.discovery.map(({ kinds, tagLabels, requireTags }) => ({ kinds, tagLabels, requireTags: Object.fromEntries(requireTags) }))).to.deep.equal([
        { kinds: ['identity_resolution'], tagLabels: ['team', 'owner'], requireTags: { team: 'payments', owner: null } },
        { kinds: ['matching', 'id_mapping'], tagLabels: ['team'], requireTags: { team: 'payments' } },
      ]);
    },
    'region-inheritance.yaml': (config) =>
      expect(config.targets).to.deep.equal([
        { kind: 'identity_resolution', name: 'retail-us', resourceName: 'retail-us', region: 'us-east-1' },
        { kind: 'identity_resolution', name: 'retail-eu', resourceName: 'retail-eu', region: 'eu-west-1' },
        { kind: 'matching', name: 'dedupe-nightly', resourceName: 'dedupe-nightly', region: 'ap-southeast-2' },
      ]),
    'no-region.yaml': (config) => {
      expect(config.region).to.equal(undefined);
      expect(config.targets).to.deep.equal([{ kind: 'matching', name: 'dedupe-nightly', resourceName: 'dedupe-nightly', region: undefined }]);
    },
    'arn-region.yaml': (config) =>
      expect(config.targets).to.deep.equal([
        {
          kind: 'id_mapping',
          name: 'arn:aws:entityresolution:eu-west-1:123456789012:idmappingworkflow/crm-to-ads',
          resourceName: 'crm-to-ads',
          region: 'eu-west-1',
          accountId: '123456789012',
        },
        {
          kind: 'id_mapping',
          name: 'arn:aws-us-gov:entityresolution:us-gov-west-1:210987654321:idmappingworkflow/gov_map',
          resourceName: 'gov_map',
          region: 'us-gov-west-1',
          accountId: '210987654321',
        },
        { kind: 'id_mapping', name: 'crm-to-ads', resourceName: 'crm-to-ads', region: 'us-east-1' },
      ]),
    'same-name-other-region-or-kind.yaml': (config) => expect(config.targets).to.have.length(5),
    'empty-sections.yaml': (config) => expect(config.targets).to.deep.equal([]),
    'longest-names.yaml': (config) => expect(config.targets.map((target) => target.region)).to.deep.equal([undefined, undefined, 'cn-north-1']),
    'quoted-numeric-name.yaml': (config) => expect(config.targets[0]?.name).to.equal('2024'),
    'anchors.yaml': (config) =>
      expect(config.targets).to.deep.equal([
        { kind: 'identity_resolution', name: 'retail-eu', resourceName: 'retail-eu', region: 'eu-west-1' },
        { kind: 'matching', name: 'retail-eu', resourceName: 'retail-eu', region: 'eu-west-1' },
      ]),
    'timeouts-from-schedule.yaml': (config) => {
      expect(config.requestTimeoutSeconds).to.equal(3);
      expect(config.collectionTimeoutSeconds).to.equal(60);
      expect(config.stateFile).to.equal('/var/lib/aws-resolution-exporter/state.json');
    },
    'same-name-two-accounts.yaml': (config) =>
      expect(config.targets).to.deep.equal([
        { kind: 'identity_resolution', name: 'retail', resourceName: 'retail', region: 'us-east-1', role: { arn: 'arn:aws:iam::111111111111:role/aws-resolution-reader', externalId: 'exporter-prod', sessionName: undefined } },
        { kind: 'identity_resolution', name: 'retail', resourceName: 'retail', region: 'us-east-1', role: { arn: 'arn:aws:iam::222222222222:role/aws-resolution-reader', externalId: undefined, sessionName: 'exporter-eu' } },
      ]),
    'role-partitions.yaml': (config) => {
      expect(config.targets.map((target) => target.region)).to.deep.equal(['cn-north-1', 'us-gov-west-1']);
      expect(config.discovery[0]?.regions).to.deep.equal(['eu-west-1', 'ap-southeast-7']);
    },
    'lookback-units.yaml': (config) => expect(config.lookbackSeconds).to.equal(604_800 + 2 * 86_400 + 3 * 3_600 + 4 * 60 + 5),
  };

  it('has a fixture for every expectation', () => {
    expect(fixtures('ok')).to.include.members(Object.keys(expectations));
  });

  for (const name of fixtures('ok')) {
    it(name, async () => {
      const config = await loadConfigFile(join(FIXTURES, 'ok', name));
      expectations[name]?.(config);
    });
  }

  it('config.example.yaml', async () => {
    const config = await loadConfigFile(EXAMPLE);
    expect(config.region).to.equal('us-east-1');
    expect(config.targets).to.have.length(5);
    expect(config.targets.at(-1)?.region).to.equal('eu-west-1');
  });
});

describe('config fixtures that fail', () => {
  const bad = fixtures('bad');

  it('has at least 30 fixtures', () => {
    expect(bad.length).to.be.at.least(30);
  });

  for (const name of bad) {
    it(name, async () => {
      const path = join(FIXTURES, 'bad', name);
      const expected = [...readFileSync(path, 'utf8').matchAll(/^# expect: (.*)$/gm)].map((match) => match[1]!);
      expect(expected, 'fixture declares # expect: lines').to.not.be.empty;
      const error = await configErrorFrom(loadConfigFile(path));
      expectWellFormed(error, path);
      for (const substring of expected) {
        expect(error.lines.some((line) => line.includes(substring)), `no line contains ${substring}\n${error.message}`).to.equal(true);
      }
    });
  }
});

describe('config loading', () => {
  it('reports an unreadable file as a ConfigError naming the path as given', async () => {
    const path = 'test/fixtures/config/no-such-file.yaml';
    const error = await configErrorFrom(loadConfigFile(path));
    expect(error.lines).to.have.length(1);
    expect(error.lines[0]).to.match(/^test\/fixtures\/config\/no-such-file\.yaml: \(file\): cannot read: ENOENT/);
  });

  it('names the file exactly as the caller gave it', async () => {
    const error = await configErrorFrom(Promise.resolve().then(() => parseConfig('concurrency: 0\n', './conf d/exporter.yaml')));
    expect(error.lines).to.deep.equal(['./conf d/exporter.yaml: concurrency: expected an integer >= 1, got 0']);
  });

  it('quotes keys that would make the path ambiguous', async () => {
    const error = await configErrorFrom(Promise.resolve().then(() => parseConfig('"a.b c": 1\n', 'c.yaml')));
    expect(error.lines[0]).to.match(/^c\.yaml: \["a\.b c"\]: unknown key/);
  });
});

describe('parseConfig on arbitrary input', () => {
  /** Whatever the input, parseConfig returns a config or throws a well-formed ConfigError. */
  function parsesOrExplains(text: string): void {
    try {
      parseConfig(text, 'prop.yaml');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      expectWellFormed(error as ConfigError, 'prop.yaml');
    }
  }

  it('random text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), parsesOrExplains));
  });

  it('random YAML values', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => value !== undefined),
        (value) => {
          parsesOrExplains(stringify(value));
        },
      ),
    );
  });

  it('random configs close to the real shape', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const region = fc.oneof(fc.constantFrom('us-east-1', 'eu-west-1', 'EU'), scalar);
    const name = fc.oneof(
      fc.constantFrom('a', 'b', '', 'x y'),
      fc.constantFrom('us-east-1', 'eu-west-1', 'x').map((r) => `arn:aws:entityresolution:${r}:123456789012:idmappingworkflow/a`),
      scalar,
    );
    const targets = fc.array(fc.record({ name, region, extra: scalar }, { requiredKeys: ['name'] }), { maxLength: 4 });
    const config = fc.record(
      {
        schedule: fc.oneof(fc.constantFrom('*/2 * * * *', '* * * *', '0 0 31 2 *', '60 * * * * *'), scalar),
        lookback: fc.oneof(fc.constantFrom('7d', '0s', '1h30m', '30m1h'), scalar),
        max_jobs_per_target: scalar,
        concurrency: scalar,
        rate_limit: scalar,
        region,
        endpoint_url: fc.oneof(fc.webUrl(), scalar),
        customer_profiles: fc.oneof(fc.record({ domains: targets }, { requiredKeys: [] }), scalar),
        entity_resolution: fc.oneof(
          fc.record({ matching_workflows: targets, id_mapping_workflows: targets }, { requiredKeys: [] }),
          scalar,
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (value) => {
        parsesOrExplains(stringify(value));
      }),
    );
  });
});
