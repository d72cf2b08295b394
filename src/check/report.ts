/** One action tried, or not: a row of the preflight's table. */
export interface ActionResult {
  /** The target's name, or `*` for an account-level action. */
  readonly target: string;
  /** The target's kind, or `account`. */
  readonly kind: string;
  readonly accountId: string;
  readonly region: string;
  readonly action: string;
  /**
   * `ok`, `ok (no job yet)`, `denied`, `not found`, `unreachable`, `error: NAME`, or `not checked (REASON)` when
   * the call was not made because its credentials, role or endpoint failed (a line above the table says how).
   */
  readonly result: string;
  /** An error's full line (name and message); undefined for every other result. */
  readonly detail: string | undefined;
}

const COLUMNS = ['TARGET', 'KIND', 'ACCOUNT', 'REGION', 'ACTION', 'RESULT'] as const;
const SUMMARY_LABELS = ['ok', 'denied', 'not found', 'unreachable', 'error', 'not checked'] as const;

const isNotChecked = (result: string): boolean => result.startsWith('not checked');

/**
 * The table (unless `table` is false), the notes naming each distinct error once, and the summary. Failures
 * are grouped rather than repeated: a target none of whose calls was made is one row with action `*`, and
 * error rows point to a numbered note instead of each repeating the message.
 */
export function reportLines(results: readonly ActionResult[], ok: boolean, { table }: { table: boolean }): string[] {
  const rows = collapseNotChecked([...results].sort(byPlaceThenTarget));
  const notes = [...new Set(rows.flatMap((row) => (row.detail === undefined ? [] : [row.detail])))];
  const resultCell = (row: ActionResult): string => (row.detail === undefined ? row.result : `${row.result} [${notes.indexOf(row.detail) + 1}]`);
  const body = table ? [...aligned(rows.map((row) => [row.target, row.kind, row.accountId, row.region, row.action, resultCell(row)])), ...notes.map((note, index) => `[${index + 1}] ${note}`)] : [];
  return [...body, summary(results, ok)];
}

function byPlaceThenTarget(a: ActionResult, b: ActionResult): number {
  const keyOf = (row: ActionResult): string => [row.accountId, row.region, row.kind === 'account' ? '' : row.kind, row.target].join('\u0000');
  return keyOf(a).localeCompare(keyOf(b));
}

/** Each run of one target's rows that were all not checked for the same reason, as one row with action `*`. */
function collapseNotChecked(sorted: readonly ActionResult[]): ActionResult[] {
  const groups: ActionResult[][] = [];
  for (const row of sorted) {
    const group = groups.at(-1);
    const first = group?.[0];
    if (group !== undefined && first !== undefined && byPlaceThenTarget(first, row) === 0) group.push(row);
    else groups.push([row]);
  }
  return groups.flatMap((group) => {
    const [first] = group;
    const collapses = first !== undefined && group.length > 1 && isNotChecked(first.result) && group.every((row) => row.result === first.result);
    return collapses ? [{ ...first, action: '*' }] : group;
  });
}

/** `preflight: 16 calls, 12 ok, 1 denied, 3 not checked: FAILED`: every call the exporter would make, made or not. */
function summary(results: readonly ActionResult[], ok: boolean): string {
  const labelOf = (result: string): string => (result.startsWith('ok') ? 'ok' : result.startsWith('error') ? 'error' : isNotChecked(result) ? 'not checked' : result);
  const counts = SUMMARY_LABELS
    .map((label) => [label, results.filter((row) => labelOf(row.result) === label).length] as const)
    .filter(([, count]) => count > 0);
  return `preflight: ${results.length} calls, ${counts.map(([label, count]) => `${count} ${label}`).join(', ')}: ${ok ? 'OK' : 'FAILED'}`;
}

/** The rows as aligned columns under a header. */
function aligned(rows: readonly string[][]): string[] {
  const cells = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, column) => Math.max(...cells.map((cell) => cell[column]?.length ?? 0)));
  return cells.map((cell) => cell.map((text, column) => (column === COLUMNS.length - 1 ? text : text.padEnd(widths[column] ?? 0))).join('  '));
}
