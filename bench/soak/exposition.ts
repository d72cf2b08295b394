/** One sample line of a Prometheus exposition. */
export interface Sample {
  readonly name: string;
  /** Label values as the exposition escapes them (`\"`, `\\`, `\n`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The line as served, for exact comparison. */
  readonly line: string;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;

/** The samples of an exposition (text or OpenMetrics) whose metric name `keep` accepts. */
export function parseSamples(text: string, keep: (name: string) => boolean = () => true): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    if (nameEnd < 0 || !keep(name)) continue;
    const labels: Record<string, string> = {};
    let at = nameEnd;
    if (line[at] === '{') {
      at++;
      LABEL.lastIndex = at;
      // Label values may hold any character, braces and commas included: they are read pair by pair, not split.
      for (let match = LABEL.exec(line); match; match = LABEL.exec(line)) {
        labels[match[1] ?? ''] = match[2] ?? '';
        at = LABEL.lastIndex;
      }
      if (line[at] !== '}') throw new Error(`unreadable sample line: ${line}`);
      at++;
    }
    samples.push({ name, labels, value: Number(line.slice(at).trim().split(' ')[0]), line });
  }
  return samples;
}
