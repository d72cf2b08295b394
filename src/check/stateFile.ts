import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../aws/errors.js';
import { ConfigError } from '../config/load.js';
import type { ExporterConfig } from '../config/types.js';

/**
 * Refuses a `state_file` the exporter could never write, at `--config.check`, start-up and reload alike: each
 * write is a temporary file in the same directory renamed over the file, so the directory must exist and be
 * writable, and the path must not be a directory itself. Otherwise the check passes and every collection fails
 * to save the counters that are meant to survive a restart.
 * @throws ConfigError with one `FILE: state_file: …` line.
 */
export async function requireWritableStateFile(config: ExporterConfig, fileName: string): Promise<void> {
  if (config.stateFile === undefined) return;
  const problem = await stateFileProblem(config.stateFile);
  if (problem !== undefined) throw new ConfigError([`${fileName}: state_file: ${config.stateFile}: ${problem}`]);
}

async function stateFileProblem(path: string): Promise<string | undefined> {
  const directory = dirname(path);
  try {
    if (!(await stat(directory)).isDirectory()) return `${directory} is not a directory`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `directory ${directory} does not exist (mount a volume there, or create it)`;
    if (code === 'ENOTDIR') return `${directory} is not a directory (a part of the path is a file)`;
    return `cannot read directory ${directory}: ${describeError(err)}`;
  }
  try {
    await access(directory, constants.W_OK);
  } catch {
    return `directory ${directory} is not writable by this process (user id ${process.getuid?.() ?? '?'})`;
  }
  try {
    if ((await stat(path)).isDirectory()) return 'is a directory, not a file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot read it: ${describeError(err)}`;
  }
  return undefined;
}
