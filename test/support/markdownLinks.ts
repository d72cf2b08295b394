import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { proseLines, withoutInlineCode } from './markdown.js';

/**
 * Relative links of Markdown files checked as GitHub resolves them: the file must exist next to the linking
 * file, and an anchor must be a heading's slug or an explicit anchor of the target (or the same) file.
 */

/**
 * A heading's anchor by GitHub's rules (github-slugger): lower case, every character but letters, digits, marks,
 * `_`, `-` and spaces removed, each space a `-`. Code marks and emphasis go with the punctuation.
 */
export function slugOf(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replaceAll(' ', '-');
}

/** The text an ATX heading (`## Title ##`) shows: its links' text, no HTML tags, no closing #s. */
function headingText(line: string): string | undefined {
  const heading = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
  if (heading === null) return undefined;
  return (heading[1] ?? '').replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]*>/g, '').trim();
}

/** `<a id="…">` and `<a name="…">`: anchors a file sets itself. */
const EXPLICIT_ANCHOR = /<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g;

/**
 * Every anchor of a Markdown file: its headings' slugs (a slug seen before gets `-1`, `-2`, … as GitHub numbers
 * them) and its explicit anchors. Headings are ATX ones (`## Title`); the docs use no other kind.
 */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    for (const [, id = ''] of line.matchAll(EXPLICIT_ANCHOR)) anchors.add(id);
    const heading = headingText(line);
    if (heading === undefined) continue;
    const base = slugOf(heading);
    let slug = base;
    while (counts.has(slug)) {
      const count = (counts.get(base) ?? 0) + 1;
      counts.set(base, count);
      slug = `${base}-${count}`;
    }
    counts.set(slug, 0);
    anchors.add(slug);
  }
  return anchors;
}

/** `[text](dest "title")`, `![alt](dest)`, `[ref]: dest`, and HTML's `src="…"` and `href="…"`: each link's destination. */
const LINK_PATTERNS = [
  /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+["'(][^)]*)?\)/g,
  /^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g,
  /<(?:a|img)\s[^>]*?(?:href|src)="([^"]*)"/g,
];

/** A destination with a scheme (`https:`, `mailto:`) points outside the repository. */
const EXTERNAL = /^[a-z][a-z\d+.-]*:/i;

/** Each relative link's destination on the line, outside inline code. */
function relativeLinks(line: string): string[] {
  const prose = withoutInlineCode(line);
  return LINK_PATTERNS.flatMap((pattern) => [...prose.matchAll(pattern)].map((match) => match[1] ?? '')).filter((link) => !EXTERNAL.test(link));
}

/** Why a link from `file` does not resolve, or undefined when it does. */
function linkProblem(file: string, link: string, anchorsIn: (file: string) => Set<string>): string | undefined {
  if (link === '') return 'an empty link';
  const [path = '', anchor] = link.split('#', 2);
  if (path.startsWith('/')) return 'a root-relative link, which resolves on GitHub only: link relative to the file';
  const target = path === '' ? file : join(dirname(file), decodeURIComponent(path.replace(/\?.*/, '')));
  if (!existsSync(target)) return `no such file ${target}`;
  if (anchor === undefined || !target.endsWith('.md')) return undefined;
  return anchorsIn(target).has(decodeURIComponent(anchor)) ? undefined : `no heading or anchor #${anchor} in ${target}`;
}

/** Every relative link of `files` that does not resolve, as `FILE:LINE: link → reason`. */
export function brokenLinks(files: readonly string[]): string[] {
  const anchors = new Map<string, Set<string>>();
  const anchorsIn = (file: string): Set<string> => {
    const known = anchors.get(file) ?? anchorsOf(readFileSync(file, 'utf8'));
    anchors.set(file, known);
    return known;
  };
  return files.flatMap((file) => proseLines(readFileSync(file, 'utf8')).flatMap(({ number, text }) => relativeLinks(text).flatMap((link) => {
    const problem = linkProblem(file, link, anchorsIn);
    return problem === undefined ? [] : [`${file}:${number}: ${link === '' ? '()' : link} → ${problem}`];
  })));
}
