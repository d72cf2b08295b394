import { readFileSync } from 'node:fs';

const packageRoot = new URL('../', import.meta.url);

function readText(relative: string): string | undefined {
  try {
    return readFileSync(new URL(relative, packageRoot), 'utf8').trim();
  } catch {
    return undefined;
  }
}

const packageJson = JSON.parse(readText('package.json') ?? '{}') as { version?: string; engines?: { node?: string } };

/** The package version, from package.json one level above src/ or dist/. */
export const VERSION: string = packageJson.version ?? 'unknown';

/** The Node.js release lines the exporter is tested on: package.json's `engines.node`, such as `22 || 24`. */
export const SUPPORTED_NODE: string = packageJson.engines?.node ?? '';

/**
 * Whether `nodeVersion` (`v24.11.0`) is of a supported line. `engines.node` lists whole majors (`22 || 24`,
 * `^22.12`), so the major alone decides.
 */
export function isSupportedNode(nodeVersion: string, engines: string = SUPPORTED_NODE): boolean {
  const majors = engines.split('||').map((range) => /\d+/.exec(range)?.[0]);
  return majors.includes(/^v?(\d+)/.exec(nodeVersion)?.[1]);
}

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
