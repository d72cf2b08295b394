import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Debian's package name and command alike. */
export const CHROMIUM = 'chromium';

const run = promisify(execFile);

/**
 * Runs headless Chromium on one page with a profile of its own, so that runs never share state. Asynchronous: the
 * page may be served by this very process.
 */
async function headless(args: readonly string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  try {
    // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
    const { stdout } = await run(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The page's DOM as Chromium built it, serialized. */
export function dumpDom(url: string): Promise<string> {
  return headless(['--dump-dom', url]);
}

/** A PNG of the page at a window of `width` × `height` pixels. */
export async function screenshot(url: string, file: string, width: number, height: number): Promise<void> {
  await headless([`--screenshot=${file}`, `--window-size=${width},${height}`, url]);
}
