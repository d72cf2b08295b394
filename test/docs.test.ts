import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { FLAG_DEFINITIONS, parseFlags, USAGE } from '../src/cli/flags.js';
import { staleFiles } from '../monitoring/render.js';
import { REPO_ROOT } from '../monitoring/options.js';
import { PARTITIONS, renderDocs } from '../scripts/renderDocs.js';
import { selfFamilies, snapshotFamilies } from '../scripts/metricReference.js';
import { IAM_POLICY, policyActions, policyGrants, readPolicy } from './support/iamPolicy.js';

describe('documentation generated from the code (npm run render-docs)', () => {
  it('the flags, IAM, metric, benchmark and soak sections and the partition policies are what the code renders', () => {
    expect(staleFiles(renderDocs(), REPO_ROOT), 'out of date: run npm run render-docs').to.deep.equal([]);
  });

  it('the flags table lists every flag the exporter accepts, and only those', () => {
    const documented = [...readFileSync('docs/configuration.md', 'utf8').matchAll(/^\| `(--[a-z.-]+)/gm)].map((match) => match[1] ?? '');
    expect(documented).to.deep.equal(FLAG_DEFINITIONS.map((flag) => `--${flag.name}`));
    for (const flag of FLAG_DEFINITIONS) {
      expect(USAGE, `usage of --${flag.name}`).to.contain(`--${flag.name}`);
      const args = flag.value === undefined || flag.value.startsWith('[') ? [`--${flag.name}`] : [`--${flag.name}=${flag.default ?? 'x'}`];
      if (!['shard.index', 'shard.count', 'demo.aws-port'].includes(flag.name)) expect(() => parseFlags(args), args.join(' ')).to.not.throw();
    }
    // These take only some values, or only beside another flag.
    expect(() => parseFlags(['--shard.count=2', '--shard.index=1'])).to.not.throw();
    expect(() => parseFlags(['--demo', '--demo.aws-port=10104'])).to.not.throw();
  });

  it('the metric reference lists every family the exporter defines once, with its type and declared labels', () => {
    const rows = [...readFileSync('docs/metrics.md', 'utf8').matchAll(/^\| `([a-z_]+)` \| (gauge|counter|histogram) \| ([^|]*) \|/gm)].map((match) => `${match[1] ?? ''} ${match[2] ?? ''} ${match[3] ?? ''}`);
    const families = [...snapshotFamilies(), ...selfFamilies()].map((family) => `${family.name} ${family.type} ${family.labelNames.map((label) => `\`${label}\``).join(', ')}`);
    expect([...rows].sort()).to.deep.equal([...families].sort());
  });

  it('the IAM table has a row for every action of docs/iam-policy.json, with its resource in every partition', () => {
    const page = readFileSync('docs/deployment.md', 'utf8');
    for (const [action, resources] of policyGrants(readPolicy(IAM_POLICY))) {
      const row = page.split('\n').find((line) => line.startsWith(`| \`${action}\` |`));
      expect(row, action).to.not.equal(undefined);
      for (const resource of resources) {
        for (const { partition } of PARTITIONS) expect(row, `${action} in ${partition}`).to.contain(`\`${resource.replace(/^arn:aws:/, `arn:${partition}:`)}\``);
      }
    }
  });

  it('each partition\'s policy allows the same actions, every ARN in that partition', () => {
    const actions = (file: string): string[] => policyActions(readPolicy(file));
    for (const { partition, file } of PARTITIONS) {
      expect(actions(file), file).to.deep.equal(actions(IAM_POLICY));
      const text = readFileSync(file, 'utf8');
      expect(text, file).to.not.match(/"arn:aws:/);
      expect(text, file).to.match(new RegExp(`"arn:${partition}:`));
    }
  });
});
