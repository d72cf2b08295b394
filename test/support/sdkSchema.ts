import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A leaf member of an SDK output shape, by its dotted path (`[]` marks a list element). */
export interface SchemaLeaf {
  readonly path: string;
  /** The schema code of a primitive: 0 string, 1 number, 2 boolean, 4 timestamp (SDK internals). */
  readonly kind: 'string' | 'number' | 'boolean' | 'timestamp' | 'list';
}

type Schema = unknown;

/**
 * Reads an output shape from the schemas the v3 client ships (`dist-cjs/schemas/schemas_0.js`) and lists its
 * leaf members. The layout is an SDK internal, so anything unexpected fails loudly, naming what moved.
 */
export function outputShapeLeaves(sdkPackage: string, shapeName: string): SchemaLeaf[] {
  const file = `${sdkPackage}/dist-cjs/schemas/schemas_0.js`;
  let schemas: Record<string, Schema>;
  try {
    schemas = require(file) as Record<string, Schema>;
  } catch (err) {
    throw new Error(`cannot load ${file}: the SDK's schema layout moved; update test/support/sdkSchema.ts`, { cause: err });
  }
  const shape = schemas[`${shapeName}$`];
  if (!Array.isArray(shape)) throw new Error(`${file} has no ${shapeName}$ array; update test/support/sdkSchema.ts`);
  const leaves: SchemaLeaf[] = [];
  walk(shape, '', leaves);
  return leaves;
}

function walk(schema: Schema, path: string, leaves: SchemaLeaf[]): void {
  const resolved: Schema = typeof schema === 'function' ? (schema as () => Schema)() : schema;
  if (typeof resolved === 'number') {
    leaves.push({ path, kind: primitiveKind(resolved, path) });
    return;
  }
  if (!Array.isArray(resolved)) throw new Error(`unexpected schema at ${path}: ${String(resolved)}`);
  const [type] = resolved as [number];
  if (type === 3) {
    const names = resolved[4] as string[];
    const members = resolved[5] as Schema[];
    names.forEach((name, i) => { walk(members[i], path ? `${path}.${name}` : name, leaves); });
  } else if (type === 1) {
    const element: Schema = resolved[4];
    if (typeof element === 'number') leaves.push({ path, kind: 'list' });
    else walk(element, `${path}[]`, leaves);
  } else {
    throw new Error(`unexpected schema type ${String(type)} at ${path}`);
  }
}

function primitiveKind(code: number, path: string): SchemaLeaf['kind'] {
  // 64 | n marks a list of primitives in the schema encoding.
  if (code & 64) return 'list';
  switch (code) {
    case 0: return 'string';
    case 1: return 'number';
    case 2: return 'boolean';
    case 4: return 'timestamp';
    default: throw new Error(`unexpected primitive schema ${code} at ${path}`);
  }
}
