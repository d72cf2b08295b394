/**
 * PromQL read by Prometheus' own grammar (@prometheus-io/lezer-promql), for the tests of the rules and the
 * dashboards: the syntax errors of an expression, its syntax nodes, and its vector selectors.
 */
import { parser } from '@prometheus-io/lezer-promql';

export type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export interface Matcher {
  /** The label name, unquoted. */
  readonly name: string;
  readonly op: string;
  /** The value, its quotes and escapes undone. */
  readonly value: string;
}
export interface Selector {
  /** The selector as written. */
  readonly text: string;
  /** The metric name written before the braces; one written inside them is a `__name__` matcher. */
  readonly metric: string | undefined;
  readonly matchers: readonly Matcher[];
  readonly node: SyntaxNode;
}
export interface ParsedPromQL {
  readonly source: string;
  readonly errors: readonly string[];
  /** Every node of the syntax tree, in document order. */
  readonly nodes: readonly SyntaxNode[];
  readonly selectors: readonly Selector[];
}

export function childrenOf(node: SyntaxNode, name?: string): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (name === undefined || child.name === name) children.push(child);
  return children;
}

/** A PromQL string literal's value: double-quoted with escapes, or single- or back-quoted. */
function stringLiteral(text: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  return text.slice(1, -1);
}

export function parsePromQL(source: string): ParsedPromQL {
  const nodes: SyntaxNode[] = [];
  parser.parse(source).iterate({ enter: (ref) => { nodes.push(ref.node); } });
  const text = (node: SyntaxNode | undefined): string => (node ? source.slice(node.from, node.to) : '');
  const literal = (node: SyntaxNode | undefined): string => (node ? stringLiteral(text(node)) : '');
  const errors = nodes.filter((node) => node.type.isError).map((node) => `syntax error at ${node.from}: «${source.slice(Math.max(0, node.from - 20), node.from)}⚠${source.slice(node.from, node.from + 20)}»`);
  const selectors = nodes.filter((node) => node.name === 'VectorSelector').map((node): Selector => {
    const matchers = childrenOf(node, 'LabelMatchers').flatMap((list) => childrenOf(list)).flatMap((matcher): Matcher[] => {
      const op = text(childrenOf(matcher, 'MatchOp')[0]);
      const value = literal(childrenOf(matcher, 'StringLiteral')[0]);
      switch (matcher.name) {
        case 'UnquotedLabelMatcher':
          return [{ name: text(childrenOf(matcher, 'LabelName')[0]), op, value }];
        case 'QuotedLabelMatcher':
          return [{ name: literal(childrenOf(matcher, 'QuotedLabelName').flatMap((name) => childrenOf(name, 'StringLiteral'))[0]), op, value }];
        case 'QuotedLabelName':
          // `{"metric_name"}`: PromQL 3's quoted metric name.
          return [{ name: '__name__', op: '=', value }];
        default:
          return [];
      }
    });
    const identifier = childrenOf(node, 'Identifier')[0];
    return { text: text(node), metric: identifier ? text(identifier) : undefined, matchers, node };
  });
  return { source, errors, nodes, selectors };
}

/** Every vector selector of a PromQL expression; throws on a syntax error. */
export function selectorsOf(expr: string): readonly Selector[] {
  const { errors, selectors } = parsePromQL(expr);
  if (errors.length > 0) throw new Error(`PromQL syntax error in:\n${expr}\n${errors.join('\n')}`);
  return selectors;
}
