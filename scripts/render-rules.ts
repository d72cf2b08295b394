/**
 * Renders prometheus/alerts.yml or prometheus/rules.yml for a scrape job other than the default: every
 * `job="aws-resolution-exporter"` in the file (in each expression and in the alert templates' queries) becomes
 * the selector given, so the selector is changed in one place.
 *
 *   npx tsx scripts/render-rules.ts --selector='job="my-exporter"' prometheus/alerts.yml > my-alerts.yml
 *   npx tsx scripts/render-rules.ts --selector='job="aws-resolution", env="prod"' - < prometheus/rules.yml
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isEntryPoint } from './entryPoint.js';

/** The selector the shipped rule files carry on every exporter metric. */
export const DEFAULT_SELECTOR = 'job="aws-resolution-exporter"';

/** One PromQL label matcher with a double-quoted value: name, operator, "value" (backslash escapes allowed). */
const MATCHER = String.raw`[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\\n]|\\.)*"`;
const SELECTOR = new RegExp(String.raw`^\s*${MATCHER}(?:\s*,\s*${MATCHER})*\s*$`);

/**
 * Why `selector` cannot replace the default one, or undefined when it can: it must be one or more
 * comma-separated label matchers with double-quoted values (what goes between the braces of a PromQL
 * selector), on one line and without a backtick (the alert templates quote their queries with backticks).
 */
export function selectorProblem(selector: string): string | undefined {
  if (selector.includes('`')) return 'must not contain a backtick';
  if (!SELECTOR.test(selector)) return 'expected label matchers such as job="my-exporter" or job="x", env="prod" (double-quoted values, no braces, one line)';
  return undefined;
}

/**
 * Returns `text` (a rule file) with every occurrence of the default selector replaced by `selector`.
 * Throws when the selector is not a list of label matchers, or when the text has no default selector to replace
 * (for instance a file rendered already).
 */
export function renderRules(text: string, selector: string): string {
  const problem = selectorProblem(selector);
  if (problem !== undefined) throw new Error(`invalid selector ${JSON.stringify(selector)}: ${problem}`);
  const selectorText = selector.trim();
  if (!text.includes(DEFAULT_SELECTOR)) throw new Error(`the rules contain no ${DEFAULT_SELECTOR} to replace`);
  // A function, not a string, as the replacement: a selector may contain $& or $1, which must stay literal.
  return text.replaceAll(DEFAULT_SELECTOR, () => selectorText);
}

const USAGE = `Usage: render-rules --selector='job="my-exporter"' FILE

Prints FILE (a rule file such as prometheus/alerts.yml or prometheus/rules.yml, or - for standard input)
with every ${DEFAULT_SELECTOR} replaced by the selector given.
`;

/** The command line: returns the exit code (0 done, 1 failed, 2 usage error). */
export function main(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): number {
  let values: { selector?: string | undefined; help?: boolean | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { selector: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    out(USAGE);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (values.selector === undefined || file === undefined || extra.length > 0) {
    err(USAGE);
    return 2;
  }
  try {
    const text = readFileSync(file === '-' ? 0 : file, 'utf8');
    out(renderRules(text, values.selector));
    return 0;
  } catch (error) {
    err(`render-rules: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2), (text) => process.stdout.write(text), (text) => process.stderr.write(text));
}
