import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../monitoring/options.js';
import { MAIN } from './exporterProcess.js';
import { fencedBlocks, tableRows, type TableRow } from './markdown.js';
import { anchorsOf } from './markdownLinks.js';

/**
 * The checks of the docs' structure, each on texts it is given, so that fixtures prove them and the tests of the
 * real docs are one call each: every reference row present once, every config the docs show valid.
 */

export interface Doc {
  readonly file: string;
  readonly text: string;
}

export const readDoc = (file: string): Doc => ({ file, text: readFileSync(file, 'utf8') });
export const readDocs = (files: readonly string[]): Doc[] => files.map(readDoc);

/** Lines as `wc -l` counts them: a last line without its newline counts too. */
export const lineCount = (text: string): number => text.replace(/\n$/, '').split('\n').length;

/** What a row documents: none for a row of another table; several for a row of alerts that share a meaning. */
export type RowKey = (row: TableRow) => readonly string[];

/** The one key `match` finds, or none. */
const one = (key: string | undefined): readonly string[] => (key === undefined ? [] : [key]);

/** A flags table's row: `| \`--config.file=PATH\` | …`. */
export const flagRow: RowKey = (row) => one(/^`(--[a-z][a-z.-]*)/.exec(row.cells[0] ?? '')?.[1]);

/** A metric reference's row: `| \`aws_…\` | gauge | …`. */
export const metricRow: RowKey = (row) =>
  one(['gauge', 'counter', 'histogram'].includes(row.cells[1] ?? '') ? /^`([a-zA-Z_:][\w:]*)`$/.exec(row.cells[0] ?? '')?.[1] : undefined);

/** A config reference's row, in a table headed `| Key | Default | Meaning |` as scripts/configReference.ts writes it. */
export const configRow: RowKey = (row) => one(row.header.join('|') === 'Key|Default|Meaning' ? /^`([^`]+)`$/.exec(row.cells[0] ?? '')?.[1] : undefined);

/** Every alert's name starts with it (test/rules.test.ts holds them to it): a row of another table, such as an error's name, is not an alert's. */
const ALERT_PREFIX = 'AWSResolution';

/**
 * An alert's row: its first cell the names of the alerts it describes, each in code, alone or as a link
 * (`[\`Name\`](runbook.md#name)`), separated by commas; the kinds' alerts of one meaning share a row.
 */
export const alertRow: RowKey = (row) => {
  const names = (row.cells[0] ?? '').split(/,\s*/).map((part) => {
    const cell = /^(?:`(\w+)`|\[`(\w+)`\]\([^)\s]*\))$/.exec(part);
    return cell?.[1] ?? cell?.[2];
  });
  return names.every((name) => name?.startsWith(ALERT_PREFIX) === true) ? names.filter((name) => name !== undefined) : [];
};

/**
 * What is wrong with the rows `keyOf` reads in `docs`, against the keys there are: a key with no row or with
 * more than one (where each is), and a row of a key that does not exist.
 */
export function rowProblems(docs: readonly Doc[], keyOf: RowKey, keys: readonly string[], what: string): string[] {
  const rows = new Map<string, string[]>();
  for (const { file, text } of docs) {
    for (const row of tableRows(text)) {
      for (const key of keyOf(row)) rows.set(key, [...(rows.get(key) ?? []), `${file}:${row.line}`]);
    }
  }
  const known = new Set(keys);
  return [
    ...keys.filter((key) => !rows.has(key)).map((key) => `${what} ${key}: no row`),
    ...[...rows].filter(([key, places]) => known.has(key) && places.length > 1).map(([key, places]) => `${what} ${key}: ${places.length} rows, ${places.join(', ')}`),
    ...[...rows].filter(([key]) => !known.has(key)).map(([key, places]) => `${places.join(', ')}: a row for ${what} ${key}, which does not exist`),
  ];
}

interface RuleFile {
  readonly groups: readonly { readonly rules: readonly { readonly alert?: string; readonly labels?: { readonly severity?: string } }[] }[];
}

/** Each alert's severities: a warning and a critical rule may share a name. */
function alertSeverities(rules: string): Map<string, Set<string>> {
  const severities = new Map<string, Set<string>>();
  for (const rule of (parse(rules) as RuleFile).groups.flatMap((group) => group.rules)) {
    if (rule.alert === undefined) continue;
    severities.set(rule.alert, new Set([...(severities.get(rule.alert) ?? []), rule.labels?.severity ?? '']));
  }
  return severities;
}

/** A cell of the alerts table that says the alert does not do that ("—"). */
const NEVER = '—';

/**
 * Rows of the "what pages and what warns" table (`| Alert | Pages (critical) when | Warns … when |`) that say an
 * alert pages, or warns, when its rules have no such severity, or say nothing where they have one.
 */
export function severityProblems(docs: readonly Doc[], rules: string): string[] {
  const severities = alertSeverities(rules);
  return docs.flatMap(({ file, text }) => tableRows(text).filter((row) => row.header[1]?.startsWith('Pages') === true).flatMap((row) => alertRow(row).flatMap((name) => {
    const has = severities.get(name) ?? new Set<string>();
    const pages = row.cells[1] !== NEVER;
    const warns = row.cells[2] !== NEVER;
    const lower = has.has('warning') || has.has('info');
    return [
      ...(pages === has.has('critical') ? [] : [`${file}:${row.line}: ${name} ${pages ? 'pages here, but has no critical rule' : 'has a critical rule, but pages nowhere here'}`]),
      ...(warns === lower ? [] : [`${file}:${row.line}: ${name} ${warns ? 'warns here, but has no warning or info rule' : 'has a warning or info rule, but warns nowhere here'}`]),
    ];
  })));
}

/** The alert names of a Prometheus rule file, each once: a warning and a critical rule may share one. */
export function alertNames(rules: string): string[] {
  return [...alertSeverities(rules).keys()];
}

/** The alerts without a section of their own in the runbook, where each alert's runbook_url points: #<name in lower case>. */
export function alertsWithoutRunbookSection(alerts: readonly string[], runbook: Doc): string[] {
  const anchors = anchorsOf(runbook.text);
  return alerts.filter((name) => !anchors.has(name.toLowerCase())).map((name) => `${name}: ${runbook.file} has no section #${name.toLowerCase()}`);
}

/** An exporter configuration the docs show, and where: `FILE:LINE` of its block, or its file. */
export interface ShownConfig {
  readonly where: string;
  readonly text: string;
}

/**
 * The docs' convention for an exporter configuration: a ```yaml block whose first line is this comment. A
 * block of top-level config keys alone counts as one without it (so none goes unchecked for a missing marker);
 * the marker makes a block count even with a misspelt key, which is what the check is there to catch.
 */
export const CONFIG_MARKER = '# config.yaml';

/** Whether `text` is a YAML map of top-level config keys only. */
function isConfigMap(text: string, topLevelKeys: ReadonlySet<string>): boolean {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return false;
  }
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
  return keys.length > 0 && keys.every((key) => topLevelKeys.has(key));
}

/** The exporter configurations among a doc's code blocks, by {@link CONFIG_MARKER}'s convention. */
export function shownConfigs(doc: Doc, topLevelKeys: ReadonlySet<string>): ShownConfig[] {
  return fencedBlocks(doc.text)
    .filter((block) => block.info === 'yaml' && (block.body[0]?.trim() === CONFIG_MARKER || isConfigMap(block.body.join('\n'), topLevelKeys)))
    .map((block) => ({ where: `${doc.file}:${block.line}`, text: `${block.body.join('\n')}\n` }));
}

/**
 * Each config that the exporter's own `--config.check` refuses, with what it printed (the temporary file named
 * as the config's place). A config without a region needs the SDK's: us-east-1 stands in for the reader's.
 */
export function configCheckFailures(configs: readonly ShownConfig[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'are-docs-'));
  try {
    return configs.flatMap(({ where, text }, index) => {
      const file = join(dir, `config-${index}.yaml`);
      writeFileSync(file, text);
      const check = spawnSync(process.execPath, [...MAIN, '--config.check', `--config.file=${file}`], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, AWS_REGION: 'us-east-1' },
        timeout: 60_000,
      });
      return check.status === 0 ? [] : [`${where}: --config.check exits ${String(check.status)}: ${`${check.stdout}${check.stderr}`.replaceAll(file, where).trim()}`];
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
