/**
 * What a user changes when rendering the monitoring package for their setup: the scrape selector every rule
 * selects with, where the runbook lives, alert severities, the tag labels the alerts carry, and the dashboards'
 * refresh.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tagKeyProblem, tagLabelCollisions } from '../src/model/tags.js';

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export interface MonitoringOptions {
  /** Label matchers (what goes between the braces) on every selector of every rule: the scrape job. */
  readonly selector: string;
  /** The runbook's address; each alert links to `<runbookUrl>#<alert name in lower case>`. */
  readonly runbookUrl: string;
  /** Severity overrides by alert name. */
  readonly severities: ReadonlyMap<string, Severity>;
  /**
   * AWS tag keys whose labels (`tag_<key>`, from the targets' info series) every alert about a target carries,
   * for Alertmanager to route on; none by default.
   */
  readonly tagKeys: readonly string[];
  /** How often the dashboards refresh, as Grafana writes it (30s, 1m). */
  readonly refresh: string;
}

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The selector the shipped files carry: the scrape job name the docs' Prometheus config uses. */
export const DEFAULT_SELECTOR = 'job="aws-resolution-exporter"';

const RUNBOOK_PATH = 'blob/main/docs/runbook.md';

/**
 * The runbook on the repository package.json names (`repository`, which docs/alerts.md tells users to point at
 * their own copy), e.g. https://github.com/ORG/REPO/blob/main/docs/runbook.md.
 */
export function runbookUrlFromPackage(packageJson: string = readFileSync(new URL('../package.json', import.meta.url), 'utf8')): string {
  const { repository } = JSON.parse(packageJson) as { repository?: string | { url?: string } };
  const url = typeof repository === 'string' ? repository : repository?.url;
  if (url === undefined) throw new Error('package.json has no repository: set it to where your copy lives, or pass --runbook-url');
  const web = url.replace(/^git\+/, '').replace(/\.git$/, '').replace(/^git@github\.com:/, 'https://github.com/').replace(/^github:/, 'https://github.com/');
  if (!/^https?:\/\//.test(web)) throw new Error(`package.json's repository ${JSON.stringify(url)} is not an http(s) address: pass --runbook-url`);
  return `${web.replace(/\/$/, '')}/${RUNBOOK_PATH}`;
}

/** The shipped rendering: the default selector, the repository's runbook, the severities as written, a 30 s refresh. */
export function defaultOptions(runbookUrl: string = runbookUrlFromPackage()): MonitoringOptions {
  return { selector: DEFAULT_SELECTOR, runbookUrl, severities: new Map(), tagKeys: [], refresh: '30s' };
}

/** One PromQL label matcher with a double-quoted value: name, operator, "value" (backslash escapes allowed). */
const MATCHER = String.raw`[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\\n]|\\.)*"`;
const SELECTOR = new RegExp(String.raw`^\s*${MATCHER}(?:\s*,\s*${MATCHER})*\s*$`);

/**
 * Why `selector` cannot stand in every rule, or undefined when it can: one or more comma-separated label
 * matchers with double-quoted values, on one line, without a backtick (the alert templates quote their queries
 * with backticks) or a percent sign (they are printf formats).
 */
export function selectorProblem(selector: string): string | undefined {
  if (selector.includes('`')) return 'must not contain a backtick';
  if (selector.includes('%')) return 'must not contain a percent sign';
  if (!SELECTOR.test(selector)) return 'expected label matchers such as job="my-exporter" or job="x", env="prod" (double-quoted values, no braces, one line)';
  return undefined;
}

/** Why a runbook address cannot be used, or undefined. */
export function runbookUrlProblem(url: string): string | undefined {
  if (!/^https?:\/\/[^\s#]+$/.test(url)) return 'expected an http(s) address without spaces or a #fragment';
  return undefined;
}

/**
 * Why these tag keys cannot label the alerts, or undefined when they can: each must make a label, and no two the
 * same one, as the exporter's `tag_labels` requires, or a label would not say which key it holds.
 */
export function tagKeysProblem(keys: readonly string[]): string | undefined {
  const problem = keys.map(tagKeyProblem).find((each) => each !== undefined);
  if (problem !== undefined) return problem;
  const [collision] = tagLabelCollisions(keys.map((key) => ({ key })));
  return collision && `${JSON.stringify(collision.earlier.key)} and ${JSON.stringify(collision.later.key)} both become the label ${collision.label}`;
}

/** Why a Grafana refresh interval cannot be used, or undefined. */
export function refreshProblem(refresh: string): string | undefined {
  return /^\d+[smhd]$/.test(refresh) ? undefined : 'expected a number and a unit s, m, h or d, such as 30s or 1m';
}
