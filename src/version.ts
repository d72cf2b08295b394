import { readFileSync } from 'node:fs';

const packageRoot = new URL('../', import.meta.url);

function readText(relative: string): string | undefined {
  try {
    return readFileSync(new URL(relative, packageRoot), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The package version, from package.json one level above src/ or dist/. */
export const VERSION: string = (JSON.parse(readText('package.json') ?? '{}') as { version?: string }).version ?? 'unknown';

/**
 * The source revision: BUILD_REVISION (set by the Docker build), else the checkout's HEAD commit, read from
 * .git without running git, else "unknown".
 */
export const REVISION: string = process.env.BUILD_REVISION ?? gitHead() ?? 'unknown';

function gitHead(): string | undefined {
  const head = readText('.git/HEAD');
  if (head === undefined) return undefined;
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  const commit = ref === undefined ? head : readText(`.git/${ref}`);
  return commit?.slice(0, 12);
}
