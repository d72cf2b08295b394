import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TAG_LABEL_PREFIX, TAG_LABELS_PLACEHOLDER } from '../../src/model/tags.js';

/** `npm run golden:refresh` sets it: the golden tests then write what they render instead of comparing. */
export const UPDATING_GOLDEN = process.env.UPDATE_GOLDEN === '1';

/**
 * The text equals the golden file at `path` (with UPDATE_GOLDEN=1: becomes it). On a mismatch the message is
 * a line diff, as mocha's own diff of two long strings is cut at 8 KiB and can hide the change.
 */
export function expectGolden(path: string, actual: string): void {
  if (UPDATING_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) expect.fail(`${path} does not exist: run npm run golden:refresh`);
  const expected = readFileSync(path, 'utf8');
  if (actual !== expected) expect.fail(`${path} differs from what the exporter renders (run npm run golden:refresh if the change is meant):\n${lineDiff(expected, actual)}`);
}

/** The changed lines only, as unified-diff hunks without context: `-` golden, `+` rendered. */
export function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const width = b.length + 1;
  // common[i * width + j]: length of the longest common subsequence of a[i..] and b[j..].
  const common = new Uint32Array((a.length + 1) * width);
  const at = (i: number, j: number): number => common[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) common[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  }
  const hunks: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const from = { i, j };
    const removed: string[] = [];
    const added: string[] = [];
    while ((i < a.length || j < b.length) && !(i < a.length && j < b.length && a[i] === b[j])) {
      if (j === b.length || (i < a.length && at(i + 1, j) >= at(i, j + 1))) removed.push(`-${a[i++] ?? ''}`);
      else added.push(`+${b[j++] ?? ''}`);
    }
    hunks.push(`@@ -${from.i + 1},${removed.length} +${from.j + 1},${added.length} @@`, ...removed, ...added);
  }
  return hunks.join('\n');
}

/** One family of an exposition in the text format: its HELP and TYPE lines and its samples, each line ending in \n. */
export interface FamilyBlock {
  readonly name: string;
  readonly text: string;
}

/** The families of an exposition in order, each starting at its `# HELP` line; the blank lines between are dropped. */
export function familyBlocks(exposition: string): FamilyBlock[] {
  const blocks: { name: string; lines: string[] }[] = [];
  for (const line of exposition.split('\n')) {
    const help = /^# HELP (\S+)/.exec(line);
    if (help) blocks.push({ name: help[1] ?? '', lines: [] });
    if (line !== '') blocks.at(-1)?.lines.push(line);
  }
  return blocks.map(({ name, lines }) => ({ name, text: `${lines.join('\n')}\n` }));
}

/** The sample lines of a family block. */
export function sampleLines(block: FamilyBlock): string[] {
  return block.text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/** Label names of a sample line, in order; a value may hold escaped quotes. */
function labelNamesOf(sample: string): string[] {
  const labels = /\{(.*)\}/.exec(sample)?.[1] ?? '';
  return [...labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)].map((match) => match[1] ?? '');
}

/** Whether `names` are `declared` in order; a declared tag_<key> stands for any number of tag labels, last. */
function asDeclared(names: readonly string[], declared: readonly string[]): boolean {
  if (declared.at(-1) !== TAG_LABELS_PLACEHOLDER) return names.join(',') === declared.join(',');
  const fixed = declared.slice(0, -1);
  return names.slice(0, fixed.length).join(',') === fixed.join(',') && names.slice(fixed.length).every((name) => name.startsWith(TAG_LABEL_PREFIX));
}

/** Every series of a family in `declared` whose labels are not exactly the family's labelNames, in their order. */
export function undeclaredLabels(blocks: readonly FamilyBlock[], declared: ReadonlyMap<string, readonly string[]>): string[] {
  return blocks.flatMap((block) => {
    const labelNames = declared.get(block.name);
    if (!labelNames) return [];
    return sampleLines(block).filter((sample) => !asDeclared(labelNamesOf(sample), labelNames)).map((sample) => `${sample} (declared: ${labelNames.join(', ')})`);
  });
}
