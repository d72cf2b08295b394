import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from './runtime.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Compiles the bench and the exporter to JavaScript (tsconfig.bench.json) for the processes whose memory is
 * measured: a pod runs compiled code, and tsx's compiler would add some 26 MiB to every resident figure. Each
 * invocation compiles into a folder of its own under .bench-build/ (inside the repository, so that packages
 * resolve), so a bench and a soak never rewrite each other's modules; it is removed when the process exits.
 * Returns the compiled path of each entry point asked for (a module of bench/, by name).
 */
export function compileForMeasurement<Name extends string>(...entries: Name[]): Record<Name, string> {
  const build = join(ROOT, '.bench-build', String(process.pid));
  mkdirSync(build, { recursive: true });
  process.on('exit', () => { rmSync(build, { recursive: true, force: true }); });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.bench.json'), '--outDir', build], { stdio: 'inherit' });
  // The exporter reads its version from its package root: the build folder, as the repository is for dist/.
  copyFileSync(join(ROOT, 'package.json'), join(build, 'package.json'));
  return Object.fromEntries(entries.map((name) => [name, join(build, 'bench', `${name}.js`)])) as Record<Name, string>;
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
