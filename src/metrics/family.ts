/** Label name → value of one series. */
export type Labels = Record<string, string>;

/**
 * Emits one series of the family. Its last label may come apart (`label`, not among `labels`' names, and its
 * `labelValue`): a stateset's series differ only in it, and a copy of the other labels per series was garbage.
 */
export type Emit = (labels: Labels, value: number, label?: string, labelValue?: string) => void;

/**
 * One metric family as a pure function of one input (a job or a target): it emits the family's series
 * for that input, and nothing for a value AWS left out.
 */
export interface FamilySpec<T> {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  /** Every label the family's series carry, the identity labels included. */
  readonly labelNames: readonly string[];
  readonly collect: (input: T, emit: Emit) => void;
}


/** Emits one series per status (a stateset): 1 for `current`, 0 for the others; an unknown status joins the set. */
export function emitStateset(emit: Emit, labels: Labels, knownStatuses: readonly string[], current: string | undefined): void {
  if (current === undefined) return;
  for (const status of knownStatuses) emit(labels, status === current ? 1 : 0, 'status', status);
  if (!knownStatuses.includes(current)) emit(labels, 1, 'status', current);
}

/** Label values from AWS text (messages) are cut so one job cannot blow up a scrape. */
export const MAX_MESSAGE_LABEL_LENGTH = 256;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Cuts between characters as a reader sees them, so no emoji or accent is split into invalid halves. */
export function messageLabel(message: string): string {
  if (message.length <= MAX_MESSAGE_LABEL_LENGTH) return message;
  let cut = '';
  let count = 0;
  for (const { segment } of graphemes.segment(message)) {
    if (++count > MAX_MESSAGE_LABEL_LENGTH) break;
    cut += segment;
  }
  return cut;
}

/** HELP suffix that tells readers the value is as of the last collection, not of the scrape. */
export const AS_OF_COLLECTION = 'As of the last collection (refreshed on the exporter\'s schedule, not at scrape time).';
