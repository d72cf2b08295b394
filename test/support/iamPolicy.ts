/**
 * The IAM side of the exporter: the AWS actions its code calls, found by reading src/ with the TypeScript parser,
 * and the actions and resources an IAM policy document grants.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The permissions the exporter's role needs. */
export const IAM_POLICY = join(ROOT, 'docs', 'iam-policy.json');

/** The SDK packages whose commands need IAM permissions, by their IAM service prefix. */
const SDK_PACKAGES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-customer-profiles': 'profile',
  '@aws-sdk/client-entityresolution': 'entityresolution',
};
/** The SDKs' aggregated clients: their methods (client.getDomain()) call operations the scan cannot see. */
const AGGREGATED_CLIENTS = new Set(['CustomerProfiles', 'EntityResolution']);

export interface AwsCall {
  /** The IAM action, e.g. profile:ListIdentityResolutionJobs. */
  readonly action: string;
  /** FILE:LINE of the call. */
  readonly at: string;
}

/**
 * The IAM actions one TypeScript file calls: `new <Op>Command(...)` and `paginate<Op>(...)` where the command or
 * paginator is imported (by name, renamed or through a namespace import) from one of {@link SDK_PACKAGES}.
 * `problems` names what would hide a call from the scan: an aggregated client, a dynamic import of the package.
 */
export function awsCallsIn(fileName: string, text: string): { calls: AwsCall[]; problems: string[] } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const named = new Map<string, { prefix: string; imported: string }>();
  const namespaces = new Map<string, string>();
  const calls: AwsCall[] = [];
  const problems: string[] = [];
  const at = (node: ts.Node): string => `${fileName}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;

  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const prefix = SDK_PACKAGES[statement.moduleSpecifier.text];
    const bindings = statement.importClause?.namedBindings;
    if (prefix === undefined || statement.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword || bindings === undefined) continue;
    if (ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, prefix);
    else {
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const imported = (element.propertyName ?? element.name).text;
        named.set(element.name.text, { prefix, imported });
        if (AGGREGATED_CLIENTS.has(imported)) problems.push(`${at(element)}: imports the aggregated client ${imported}, whose method calls the scan cannot see: use commands`);
      }
    }
  }
  const importedAs = (expression: ts.Expression): { prefix: string; imported: string } | undefined => {
    if (ts.isIdentifier(expression)) return named.get(expression.text);
    if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      const prefix = namespaces.get(expression.expression.text);
      if (prefix !== undefined && AGGREGATED_CLIENTS.has(expression.name.text)) problems.push(`${at(expression)}: uses the aggregated client ${expression.name.text}: use commands`);
      return prefix === undefined ? undefined : { prefix, imported: expression.name.text };
    }
    return undefined;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const found = importedAs(node.expression);
      const operation = found && /^(\w+)Command$/.exec(found.imported)?.[1];
      if (found && operation) calls.push({ action: `${found.prefix}:${operation}`, at: at(node) });
    } else if (ts.isCallExpression(node)) {
      const found = importedAs(node.expression);
      const operation = found && /^paginate(\w+)$/.exec(found.imported)?.[1];
      if (found && operation) calls.push({ action: `${found.prefix}:${operation}`, at: at(node) });
      const [specifier] = node.arguments;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword && specifier && ts.isStringLiteral(specifier) && SDK_PACKAGES[specifier.text] !== undefined) {
        problems.push(`${at(node)}: imports ${specifier.text} dynamically, which the scan cannot follow: import it statically`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { calls, problems };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every AWS call in src/, with where it is made. */
export function awsCallsInSrc(): { calls: AwsCall[]; problems: string[] } {
  const results = sourceFiles(join(ROOT, 'src')).map((file) => awsCallsIn(relative(ROOT, file).split(sep).join('/'), readFileSync(file, 'utf8')));
  return { calls: results.flatMap((result) => result.calls), problems: results.flatMap((result) => result.problems) };
}
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: { AWS?: string | string[] };
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface Policy {
  Version?: string;
  Statement?: PolicyStatement[];
}
/** An IAM element that takes one string or a list of them, as a list. */
export const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
export const readPolicy = (path: string): Policy => JSON.parse(readFileSync(path, 'utf8')) as Policy;

/** Every action the policy's statements name, in their order: one named twice, twice. */
export const policyActions = (policy: Policy): string[] => (policy.Statement ?? []).flatMap((statement) => list(statement.Action));

/** The resources the policy grants each action on. */
export function policyGrants(policy: Policy): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  for (const statement of policy.Statement ?? []) {
    for (const action of list(statement.Action)) {
      const resources = grants.get(action) ?? new Set<string>();
      for (const resource of list(statement.Resource)) resources.add(resource);
      grants.set(action, resources);
    }
  }
  return grants;
}
