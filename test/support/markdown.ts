/**
 * What the docs tests read of a Markdown file, as GitHub renders it: which lines are code (a fenced block's
 * lines are neither headings, links nor table rows), the fenced blocks themselves, and the tables.
 */

/** A fenced code block: the line of its opening fence, its info string's first word (`yaml`), its lines. */
export interface FencedBlock {
  readonly line: number;
  readonly info: string;
  readonly body: string[];
}

/** A line, numbered from 1, and the fenced block it belongs to (fences included), if any. */
export interface MarkdownLine {
  readonly number: number;
  readonly text: string;
  readonly block: FencedBlock | undefined;
}

/** An opening fence: three or more backticks (with no backtick after them) or tildes, then the info string. */
const OPENING_FENCE = /^\s*(`{3,}(?=[^`]*$)|~{3,})\s*(\S*)/;

export function markdownLines(text: string): MarkdownLine[] {
  let open: { fence: string; block: FencedBlock } | undefined;
  return text.split('\n').map((line, index) => {
    const number = index + 1;
    if (open === undefined) {
      const fence = OPENING_FENCE.exec(line);
      if (fence === null) return { number, text: line, block: undefined };
      open = { fence: fence[1] ?? '', block: { line: number, info: fence[2] ?? '', body: [] } };
      return { number, text: line, block: open.block };
    }
    const { fence, block } = open;
    // A closing fence is the opening's character alone, at least as many times.
    if (line.trim().startsWith(fence) && new Set(line.trim()).size === 1) open = undefined;
    else block.body.push(line);
    return { number, text: line, block };
  });
}

/** The lines outside fenced code blocks. */
export const proseLines = (text: string): MarkdownLine[] => markdownLines(text).filter((line) => line.block === undefined);

/** The fenced code blocks, in order. */
export const fencedBlocks = (text: string): FencedBlock[] =>
  [...new Set(markdownLines(text).flatMap((line) => (line.block === undefined ? [] : [line.block])))];

/** A line without its inline code spans: what is in them is shown, not rendered. */
export const withoutInlineCode = (text: string): string => text.replace(/(`+).*?\1/g, '');

/** A row of a Markdown table, its cells trimmed, with its table's header cells. */
export interface TableRow {
  readonly line: number;
  readonly header: readonly string[];
  readonly cells: readonly string[];
}

const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** A row's cells: split at every | not escaped (a | in code splits too, as in GitHub's tables). */
const cellsOf = (line: string): string[] => line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/).map((cell) => cell.trim());

/** Every row of every table outside code blocks: a header line, a delimiter row, then the lines that start with |. */
export function tableRows(text: string): TableRow[] {
  const lines = proseLines(text);
  const rows: TableRow[] = [];
  let header: string[] | undefined;
  lines.forEach((line, index) => {
    const previous = lines[index - 1];
    if (DELIMITER_ROW.test(line.text) && previous?.text.trim().startsWith('|') === true) header = cellsOf(previous.text);
    else if (header !== undefined && line.text.trim().startsWith('|')) rows.push({ line: line.number, header, cells: cellsOf(line.text) });
    else header = undefined;
  });
  return rows;
}
