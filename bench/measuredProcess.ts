import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from './runtime.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD = join(ROOT, '.bench-build');

/**
 * Compiles the bench and the exporter to JavaScript (tsconfig.bench.json) for the processes whose memory is
 * measured: a pod runs compiled code, and tsx's compiler would add some 26 MiB to every resident figure.
 * Returns the compiled path of each entry point asked for (a module of bench/, by name).
 */
export function compileForMeasurement<Name extends string>(...entries: Name[]): Record<Name, string> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.bench.json')], { stdio: 'inherit' });
  // The exporter reads its version from its package root: the build folder, as the repository is for dist/.
  copyFileSync(join(ROOT, 'package.json'), join(BUILD, 'package.json'));
  return Object.fromEntries(entries.map((name) => [name, join(BUILD, 'bench', `${name}.js`)])) as Record<Name, string>;
}

/**
 * Runs a compiled entry point on `node` under the image's runtime settings (NODE_OPTIONS, the preloaded
 * allocator), with V8's gc() exposed for the settled readings; resolves with its exit code.
 */
export function runMeasured(node: string, entry: string, args: readonly string[], runtime: Runtime): Promise<number | null> {
  // The SDK's notice about Node versions nearing their end is noise in a measurement's output.
  const env = { ...process.env, ...runtime.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  return new Promise((done, fail) => {
    spawn(node, ['--expose-gc', entry, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env }).on('exit', done).on('error', fail);
  });
}
