import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** The exporter as users run it: its own process, started from the TypeScript sources. */
export const MAIN = ['--import', 'tsx', 'src/main.ts'];

export interface ExporterProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** HOST:PORT it listens on, from its `listening` log line. */
  readonly address: string;
  /** Everything it logged (standard error) so far. */
  output(): string;
  /** SIGTERM, resolving with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the exporter on an ephemeral port (JSON logs, so the address can be read) and waits until it listens. */
export async function startExporterProcess(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ExporterProcess> {
  const child = spawn(process.execPath, [...MAIN, '--web.listen-address=127.0.0.1:0', '--log.format=json', ...args], { stdio: 'pipe', env });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`exporter did not start: ${output}`)); }, 20_000);
    const look = (): void => {
      const match = /"address":"([^"]+)"/.exec(output);
      if (match?.[1]) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stderr.on('data', look);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exporter exited ${String(code)} before listening: ${output}`)); });
  });
  return {
    child,
    address,
    output: () => output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `url` until it answers 2xx; false when it has not within `timeoutMs`. */
export async function waitForOk(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((response) => response.ok, () => false);
    if (ok) return true;
    await sleep(100);
  }
  return false;
}
