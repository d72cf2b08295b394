import { existsSync, readFileSync } from 'node:fs';
import { machine } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Dockerfile whose runtime settings the bench measures under. */
export const DOCKERFILE = fileURLToPath(new URL('../Dockerfile', import.meta.url));

/** The variables of the image that decide how much memory the process takes. */
const RUNTIME_VARIABLES = ['NODE_OPTIONS', 'LD_PRELOAD', 'MALLOC_CONF'] as const;

/** The runtime settings a process runs with: what the bench records beside its figures. */
export interface Runtime {
  /** NODE_OPTIONS, as the image sets it. */
  readonly node_options: string;
  /** `jemalloc` when the image's preloaded allocator is installed here, else `glibc`. */
  readonly allocator: 'jemalloc' | 'glibc';
  /** The variables to start a measured process with. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The `ENV` settings of the Dockerfile's last stage (`KEY=VALUE` pairs, values optionally double-quoted), so
 * the bench and the tests read the one place they are set.
 */
export function imageEnv(dockerfile = readFileSync(DOCKERFILE, 'utf8')): Record<string, string> {
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const [, body] of lastStage.matchAll(/^ENV\s+(.+)$/gm)) {
    for (const [, key, quoted, bare] of (body ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))/g)) {
      if (key !== undefined) env[key] = quoted ?? bare ?? '';
    }
  }
  return env;
}

/**
 * The image's runtime settings on this machine: its NODE_OPTIONS as they are, and its preloaded allocator from
 * the path the image links it to, or where Debian's package puts it for this architecture. Without the library
 * the allocator is glibc's, said on stderr and in the results, never silently.
 */
export function imageRuntime(): Runtime {
  const image = imageEnv();
  const env: Record<string, string> = {};
  for (const name of RUNTIME_VARIABLES) if (image[name] !== undefined) env[name] = image[name];
  const preload = env.LD_PRELOAD;
  if (preload === undefined) return { node_options: env.NODE_OPTIONS ?? '', allocator: 'glibc', env };
  const here = [preload, join('/usr/lib', `${machine()}-linux-gnu`, basename(preload))].find((path) => existsSync(path));
  if (here === undefined) {
    process.stderr.write(`${preload} is not installed here (Debian: apt-get install libjemalloc2): measuring with glibc's allocator instead\n`);
    delete env.LD_PRELOAD;
    return { node_options: env.NODE_OPTIONS ?? '', allocator: 'glibc', env };
  }
  return { node_options: env.NODE_OPTIONS ?? '', allocator: 'jemalloc', env: { ...env, LD_PRELOAD: here } };
}
