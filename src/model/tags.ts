/**
 * AWS resource tags as Prometheus labels: an allow-listed tag key `team` becomes the label `tag_team` on a
 * target's info series (the convention of cloudwatch_exporter and YACE), so alerts can be routed by it.
 */

/** The prefix of every label made from a tag key. */
export const TAG_LABEL_PREFIX = 'tag_';

/** How a family's declared label names stand for its tag labels, which the config decides (last, any number). */
export const TAG_LABELS_PLACEHOLDER = `${TAG_LABEL_PREFIX}<key>`;

/**
 * The label a tag key becomes: `tag_` and the key, with every character a label name cannot hold (AWS allows
 * `+-=._:/@`, spaces and any letter) replaced by `_`.
 */
export function tagLabelName(key: string): string {
  return `${TAG_LABEL_PREFIX}${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** Why `key` cannot become a label, or undefined when it can: its label must say something beyond `tag_` and underscores. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'a tag key cannot be empty';
  if (key.length > 128) return `a tag key is at most 128 characters, this one has ${key.length}`;
  if (!/[a-zA-Z0-9]/.test(key)) return `${JSON.stringify(key)} becomes the label ${tagLabelName(key)}, which names nothing: a tag key needs a letter or digit (a-z, A-Z, 0-9)`;
  return undefined;
}

/**
 * Each key, in order, that becomes the same label as an earlier one: `team-name` after `team_name`, whose values
 * would overwrite each other and whose label would not say which key it holds, or the same key again.
 */
export function* tagLabelCollisions<Entry extends { readonly key: string }>(entries: Iterable<Entry>): Generator<{ earlier: Entry; later: Entry; label: string }> {
  const firstByLabel = new Map<string, Entry>();
  for (const entry of entries) {
    const label = tagLabelName(entry.key);
    const earlier = firstByLabel.get(label);
    if (earlier === undefined) firstByLabel.set(label, entry);
    else yield { earlier, later: entry, label };
  }
}

/** The tags of a resource as AWS answers them (a map, possibly absent). */
export type ResourceTags = Readonly<Record<string, string>> | undefined;

/** The labels of the allow-listed keys the resource has; a key it lacks gets no label (an empty one, to Prometheus). */
export function tagLabels(tags: ResourceTags, allowed: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const key of allowed) {
    const value = tags?.[key];
    if (value !== undefined && value !== '') labels[tagLabelName(key)] = value;
  }
  return labels;
}
