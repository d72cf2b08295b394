import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A leaf member of an SDK output shape, by its dotted path (`[]` marks a list element). */
export interface SchemaLeaf {
  readonly path: string;
  readonly kind: 'string' | 'number' | 'boolean' | 'timestamp' | 'list' | 'map' | 'document';
}

type Schema = unknown;

/** A schema resolved one level: a structure's members, a list's element, or a leaf. */
type Node =
  | { readonly type: 'structure'; readonly members: readonly (readonly [string, Schema])[] }
  | { readonly type: 'list'; readonly element: Schema }
  | { readonly type: 'leaf'; readonly kind: SchemaLeaf['kind'] };

/**
 * Reads an output shape from the schemas the v3 client ships (`dist-cjs/schemas/schemas_0.js`) and lists its
 * leaf members. The layout is an SDK internal, so anything unexpected fails loudly, naming what moved.
 */
export function outputShapeLeaves(sdkPackage: string, shapeName: string): SchemaLeaf[] {
  const leaves: SchemaLeaf[] = [];
  walk(loadShape(sdkPackage, shapeName), '', leaves);
  return leaves;
}

/** What a wire answer holds, read against an SDK shape. */
export interface WireMembers {
  /** The leaf paths it sets, named as {@link outputShapeLeaves} names them. */
  readonly leaves: Set<string>;
  /** Members the shape does not have, and values not of their member's type (a timestamp must be epoch seconds). */
  readonly problems: Set<string>;
}

/**
 * Reads a JSON body as the SDK's deserializer would, member by member against `shapeName`, noting what the SDK
 * would drop silently: a member its model does not have, a value of the wrong type. Adds to `into`.
 */
export function wireMembers(sdkPackage: string, shapeName: string, body: unknown, into: WireMembers = { leaves: new Set(), problems: new Set() }): WireMembers {
  read(loadShape(sdkPackage, shapeName), body, '', into);
  return into;
}

function loadShape(sdkPackage: string, shapeName: string): Schema {
  const file = `${sdkPackage}/dist-cjs/schemas/schemas_0.js`;
  let schemas: Record<string, Schema>;
  try {
    schemas = require(file) as Record<string, Schema>;
  } catch (err) {
    throw new Error(`cannot load ${file}: the SDK's schema layout moved; update test/support/sdkSchema.ts`, { cause: err });
  }
  const shape = schemas[`${shapeName}$`];
  if (!Array.isArray(shape)) throw new Error(`${file} has no ${shapeName}$ array; update test/support/sdkSchema.ts`);
  return shape;
}

function node(schema: Schema, path: string): Node {
  const resolved: Schema = typeof schema === 'function' ? (schema as () => Schema)() : schema;
  if (typeof resolved === 'number') return { type: 'leaf', kind: primitiveKind(resolved, path) };
  if (!Array.isArray(resolved)) throw new Error(`unexpected schema at ${path}: ${String(resolved)}`);
  const [type] = resolved as [number];
  if (type === 3) {
    const names = resolved[4] as string[];
    const members = resolved[5] as Schema[];
    return { type: 'structure', members: names.map((name, i) => [name, members[i]] as const) };
  }
  if (type === 1) {
    const element: Schema = resolved[4];
    return typeof element === 'number' ? { type: 'leaf', kind: 'list' } : { type: 'list', element };
  }
  throw new Error(`unexpected schema type ${String(type)} at ${path}`);
}

const memberPath = (path: string, name: string): string => (path ? `${path}.${name}` : name);

function walk(schema: Schema, path: string, leaves: SchemaLeaf[]): void {
  const resolved = node(schema, path);
  if (resolved.type === 'leaf') leaves.push({ path, kind: resolved.kind });
  else if (resolved.type === 'list') walk(resolved.element, `${path}[]`, leaves);
  else for (const [name, member] of resolved.members) walk(member, memberPath(path, name), leaves);
}

function read(schema: Schema, value: unknown, path: string, into: WireMembers): void {
  const resolved = node(schema, path);
  const problem = (text: string): void => { into.problems.add(`${path}: ${text}`); };
  if (resolved.type === 'leaf') {
    if (!hasKind(value, resolved.kind)) problem(`${JSON.stringify(value)} is not a ${resolved.kind}`);
    into.leaves.add(path);
  } else if (resolved.type === 'list') {
    if (!Array.isArray(value)) problem(`${JSON.stringify(value)} is not a list`);
    else for (const element of value as unknown[]) read(resolved.element, element, `${path}[]`, into);
  } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem(`${JSON.stringify(value)} is not a structure`);
  } else {
    const members = new Map(resolved.members);
    for (const [name, member] of Object.entries(value)) {
      if (!members.has(name)) into.problems.add(`${memberPath(path, name)}: not a member of the SDK's model`);
      else read(members.get(name), member, memberPath(path, name), into);
    }
  }
}

function hasKind(value: unknown, kind: SchemaLeaf['kind']): boolean {
  switch (kind) {
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    // restJson1 sends timestamps as epoch seconds.
    case 'number':
    case 'timestamp': return typeof value === 'number' && Number.isFinite(value);
    case 'list': return Array.isArray(value);
    case 'map': return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((entry) => typeof entry === 'string');
    case 'document': return value !== undefined;
  }
}

function primitiveKind(code: number, path: string): SchemaLeaf['kind'] {
  // 64 | n marks a list of primitives in the schema encoding, 128 | n a map of them: 128 is a map of strings.
  if (code & 64) return 'list';
  if (code === 128) return 'map';
  switch (code) {
    case 0: return 'string';
    case 1: return 'number';
    case 2: return 'boolean';
    case 4: return 'timestamp';
    case 15: return 'document';
    default: throw new Error(`unexpected primitive schema ${code} at ${path}`);
  }
}
