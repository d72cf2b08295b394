/** Rule groups written as Prometheus rule files and as a Prometheus Operator PrometheusRule. */
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parse, Scalar, visit } from 'yaml';
import type { AlertRule, RecordingRule, RuleGroup } from './model.js';

const LINE_WIDTH = 120;

/** A rule as Prometheus reads it: everything but the comment, which the file carries above the rule. */
function plainRule(rule: AlertRule | RecordingRule): Record<string, unknown> {
  const { comment: _comment, ...plain } = rule;
  return plain;
}

function plainGroups(groups: readonly RuleGroup[]): unknown[] {
  return groups.map((group) => ({ name: group.name, rules: group.rules.map(plainRule) }));
}

/**
 * `value` as YAML under the header comment: expressions as literal blocks (line by line, as written),
 * descriptions folded, each rule under its comment. Parsed back and compared, so the text is exactly the value.
 */
function render(header: string, value: Record<string, unknown>, groups: readonly RuleGroup[], rulesAt: (doc: Document) => unknown): string {
  const doc = new Document(value);
  doc.commentBefore = header.split('\n').map((line) => ` ${line}`).join('\n');
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || !isScalar(pair.value) || typeof pair.value.value !== 'string') return;
      if (pair.key.value === 'expr') pair.value.type = Scalar.BLOCK_LITERAL;
      if (pair.key.value === 'description') pair.value.type = Scalar.BLOCK_FOLDED;
    },
  });
  const groupNodes = rulesAt(doc);
  if (!isSeq(groupNodes)) throw new Error('the rendered document has no groups');
  groupNodes.items.forEach((groupNode, g) => {
    const rules = isMap(groupNode) ? groupNode.get('rules') : undefined;
    if (!isSeq(rules)) return;
    rules.items.forEach((ruleNode, r) => {
      const comment = groups[g]?.rules[r]?.comment;
      if (comment !== undefined && isMap(ruleNode)) ruleNode.commentBefore = wrap(comment).map((line) => ` ${line}`).join('\n');
    });
  });
  const text = doc.toString({ lineWidth: LINE_WIDTH, indentSeq: true });
  if (!isDeepStrictEqual(parse(text), value)) throw new Error('the rule YAML does not read back as the rules it was written from');
  return text;
}

/** A comment's words in lines short enough to read beside the rules. */
function wrap(text: string, width = LINE_WIDTH - 10): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A rule file (`groups:` only), as Prometheus's `rule_files` load it. */
export function ruleFileText(header: string, groups: readonly RuleGroup[]): string {
  return render(header, { groups: plainGroups(groups) }, groups, (doc) => doc.get('groups', true));
}

/** A PrometheusRule holding `groups`, for the Prometheus Operator. */
export function prometheusRuleText(header: string, groups: readonly RuleGroup[]): string {
  const value = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'aws-resolution-exporter', labels: { 'app.kubernetes.io/name': 'aws-resolution-exporter' } },
    spec: { groups: plainGroups(groups) },
  };
  return render(header, value, groups, (doc) => doc.getIn(['spec', 'groups'], true));
}
