import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_PROBES } from '../src/check/actions.js';
import { flagsTable } from '../src/cli/flags.js';
import { REPO_ROOT } from '../monitoring/options.js';
import { staleFiles } from '../monitoring/render.js';
import { isEntryPoint } from './entryPoint.js';
import { configReference } from './configReference.js';
import { bareMetalSection, readBenchResults, readSoakResults, resultsSection, shardingSection, sizingSection, soakSection, targetsSection } from './benchReference.js';
import { metricTables } from './metricReference.js';

/**
 * The documentation the code can write itself, so that it cannot drift from it: the flags table (from the flag
 * definitions), the IAM table (from docs/iam-policy.json and the preflight's purposes), the metric reference (from
 * the family definitions and the self-metrics), the benchmark's results, sizing and targets (from
 * bench/results.json) and the soak's (from bench/soak-results.json), so that no figure differs from the run it came
 * from, and the policy for the AWS GovCloud (US) and China partitions. `npm run render-docs` writes them; lint and
 * a test run `--check`.
 */

export const POLICY_FILE = 'docs/iam-policy.json';
/** The partitions other than `aws`, each with its policy file: the same policy, with the partition's ARNs. */
export const PARTITIONS = [
  { partition: 'aws-us-gov', name: 'AWS GovCloud (US)', file: 'docs/iam-policy.aws-us-gov.json' },
  { partition: 'aws-cn', name: 'China (Beijing, Ningxia)', file: 'docs/iam-policy.aws-cn.json' },
] as const;

interface Statement { Sid?: string; Action: string[]; Resource: string | string[] }
interface Policy { Version: string; Statement: Statement[] }

/** `<!-- generated: NAME -->` … `<!-- end generated: NAME -->` in a page; the text between is replaced. */
function replaceSection(page: string, file: string, name: string, body: string): string {
  const begin = `<!-- generated: ${name} (npm run render-docs) -->\n`;
  const end = `<!-- end generated: ${name} -->`;
  const from = page.indexOf(begin);
  const to = page.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} has no ${begin.trim()} … ${end} section`);
  return `${page.slice(0, from + begin.length)}${body}\n${page.slice(to)}`;
}

/** A resource of the `aws` partition's policy, in `partition` (`*` stays `*`). */
const arnIn = (resource: string, partition: string): string => resource.replace(/^arn:aws:/, `arn:${partition}:`);

/** The policy with every ARN in `partition`. */
export function policyFor(policy: Policy, partition: string): Policy {
  const arn = (resource: string): string => arnIn(resource, partition);
  return { ...policy, Statement: policy.Statement.map((statement) => ({ ...statement, Resource: Array.isArray(statement.Resource) ? statement.Resource.map(arn) : arn(statement.Resource) })) };
}

const code = (text: string): string => `\`${text}\``;
const resources = (statement: Statement): string[] => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]);

/** One row per action: what the exporter uses it for, and its resource in each partition. */
function iamTable(policy: Policy): string {
  const purposes = new Map(ACTION_PROBES.map((probe) => [probe.action, probe.purpose]));
  const header = ['| Action | Used for | Resource (`aws`) |', ...PARTITIONS.map(({ partition }) => ` Resource (\`${partition}\`) |`)].join('');
  const rows = policy.Statement.flatMap((statement) => statement.Action.map((action) => [
    `| ${code(action)} | ${purposes.get(action) ?? ''} | ${resources(statement).map(code).join(', ')} |`,
    ...PARTITIONS.map(({ partition }) => ` ${resources(statement).map((resource) => code(arnIn(resource, partition))).join(', ')} |`),
  ].join('')));
  return [header, `|---|---|---|${PARTITIONS.map(() => '---|').join('')}`, ...rows].join('\n');
}

/** Every generated file, by its path under the repository. */
export function renderDocs(root: string = REPO_ROOT): Map<string, string> {
  const policy = JSON.parse(readFileSync(join(root, POLICY_FILE), 'utf8')) as Policy;
  const bench = readBenchResults(root);
  const sections: Record<string, readonly (readonly [name: string, body: string])[]> = {
    'docs/configuration.md': [['flags', flagsTable()], ['config keys', configReference()]],
    'docs/metrics.md': [...metricTables()].map(([table, markdown]) => [`metrics ${table}`, markdown] as const),
    'docs/deployment.md': [['sharding', shardingSection(bench)], ['iam', iamTable(policy)]],
    'docs/performance.md': [
      ['sizing', sizingSection(bench)],
      ['bare metal', bareMetalSection()],
      ['bench results', resultsSection(bench)],
      ['bench targets', targetsSection(bench)],
    ],
    'docs/reliability.md': [['soak results', soakSection(readSoakResults(root))]],
  };
  const pages = Object.entries(sections).map(([file, parts]) => [
    file,
    parts.reduce((page, [name, body]) => replaceSection(page, file, name, body), readFileSync(join(root, file), 'utf8')),
  ] as const);
  return new Map<string, string>([
    ...pages,
    ...PARTITIONS.map(({ partition, file }) => [file, `${JSON.stringify(policyFor(policy, partition), null, 2)}\n`] as const),
  ]);
}

/** The command line: 0 done (or up to date), 1 out of date, 2 usage error. */
export function main(argv: readonly string[]): number {
  let check: boolean;
  try {
    check = parseArgs({ args: [...argv], options: { check: { type: 'boolean', default: false } }, strict: true }).values.check;
  } catch (error) {
    process.stderr.write(`render-docs: ${error instanceof Error ? error.message : String(error)}\nUsage: render-docs [--check]\n`);
    return 2;
  }
  const rendered = renderDocs();
  if (check) {
    const stale = staleFiles(rendered, REPO_ROOT);
    if (stale.length > 0) process.stderr.write(`render-docs: out of date (run npm run render-docs): ${stale.join(', ')}\n`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const [path, text] of rendered) writeFileSync(join(REPO_ROOT, path), text);
  process.stdout.write(`wrote ${[...rendered.keys()].join(', ')}\n`);
  return 0;
}

if (isEntryPoint(import.meta.url)) process.exitCode = main(process.argv.slice(2));
