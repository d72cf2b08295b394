import { z } from 'zod';
import { describeValue } from '../model/describeValue.js';

const SIMPLE_KEY = /^[A-Za-z0-9_-]+$/;

/** Renders a config path as `a.b[2].c`, quoting odd keys (`a["x y"]`); the empty path is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && SIMPLE_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text === '' ? '(root)' : text;
}

/** `expected WHAT, got VALUE`, or for an absent value, that it is missing. */
function mismatch(what: string, input: unknown): string {
  return input === undefined ? `missing, expected ${what}` : `expected ${what}, got ${describeValue(input)}`;
}

/** Builds a zod `error` option whose message reads `expected WHAT, got VALUE` for any problem with the value. */
export function expected(what: string): { error: (issue: { input: unknown }) => string } {
  return { error: (issue) => mismatch(what, issue.input) };
}

/** Leaf values get their expectation from the schema; these are the collection types left to the error map. */
const TYPE_NAMES: Readonly<Record<string, string>> = { object: 'a map', array: 'a list' };

/**
 * Zod error map for the issues no schema gave a message of its own: type mismatches and unknown keys.
 * An unknown-key message omits the key because {@link issueLines} puts each key in its line's path.
 */
export const describeIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return mismatch(TYPE_NAMES[issue.expected] ?? issue.expected, issue.input);
    case 'unrecognized_keys':
      return issue.inst instanceof z.ZodObject
        ? `unknown key (expected one of ${Object.keys(issue.inst.shape).join(', ')})`
        : 'unknown key';
    default:
      return undefined;
  }
};

/** One `path: problem` line per problem; an unknown-keys issue gives a line per key. */
export function issueLines(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.map((path) => `${formatPath(path)}: ${issue.message}`);
  });
}
