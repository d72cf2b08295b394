import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { isOnPath } from '../../scripts/testTools.js';
import { waitForOk } from './exporterProcess.js';

/** Debian's packages, as CI installs them: the real servers the rules and routes are proven on. */
export const PROMETHEUS_BINARY = 'prometheus';
export const ALERTMANAGER_BINARY = 'prometheus-alertmanager';

/**
 * The servers must be there: without them these tests would prove nothing, and a skip would pass for a pass.
 * `npm test`'s pretest step (scripts/testTools.ts) installs them or names the command.
 */
export function requireInstalled(binaries: readonly string[]): void {
  const missing = binaries.filter((binary) => !isOnPath(binary));
  if (missing.length > 0) throw new Error(`${missing.join(' and ')} not on PATH: run npm test, whose pretest step installs them or says how`);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => { done(); }));
  return port;
}

/** A server process on a loopback port, with what it logged. */
export interface RunningServer {
  readonly url: string;
  log(): string;
  stop(): void;
}

interface StartedServer extends RunningServer {
  readonly child: ChildProcess;
}

async function startServer(binary: string, args: (port: number, dir: string) => string[], readyPath: string): Promise<StartedServer> {
  const dir = mkdtempSync(join(tmpdir(), `are-${binary}-`));
  const port = await freePort();
  const child: ChildProcess = spawn(binary, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const url = `http://127.0.0.1:${port}`;
  if (!await waitForOk(`${url}${readyPath}`, 30_000)) {
    child.kill('SIGKILL');
    throw new Error(`${binary} did not become ready: ${log}`);
  }
  return { url, child, log: () => log, stop: () => { child.kill('SIGTERM'); } };
}

export interface PrometheusSetup {
  /** HOST:PORT of each exporter to scrape, all under one scrape job. */
  readonly targets: readonly string[];
  readonly jobName: string;
  readonly ruleFiles: readonly string[];
  /** Base URL of an Alertmanager to send alerts to. */
  readonly alertmanager?: string;
}

export interface PrometheusServer extends RunningServer {
  /** Scrapes `targets` from now on, as a service discovery that saw pods replaced would: config rewritten, SIGHUP. */
  scrape(targets: readonly string[]): Promise<void>;
}

/** Debian's Prometheus, scraping and evaluating every second. */
export async function startPrometheus(setup: PrometheusSetup): Promise<PrometheusServer> {
  let config = '';
  const write = (targets: readonly string[]): void => {
    writeFileSync(config, stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: setup.ruleFiles,
      ...(setup.alertmanager === undefined ? {} : { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(setup.alertmanager).host] }] }] } }),
      scrape_configs: [{ job_name: setup.jobName, static_configs: [{ targets }] }],
    }));
  };
  const server = await startServer(PROMETHEUS_BINARY, (port, dir) => {
    config = join(dir, 'prometheus.yml');
    write(setup.targets);
    return [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${String(port)}`, '--log.level=warn'];
  }, '/-/ready');
  return {
    ...server,
    async scrape(targets) {
      write(targets);
      server.child.kill('SIGHUP');
      const wanted = [...targets].sort().join(' ');
      const deadline = Date.now() + 30_000;
      for (;;) {
        const answer = await (await fetch(`${server.url}/api/v1/targets?state=active`)).json() as { data: { activeTargets: { labels: { instance: string } }[] } };
        if (answer.data.activeTargets.map((target) => target.labels.instance).sort().join(' ') === wanted) return;
        if (Date.now() > deadline) throw new Error(`Prometheus did not take the targets ${wanted}: ${server.log()}`);
        await sleep(200);
      }
    },
  };
}

/** Debian's Alertmanager with the configuration given (as YAML text), alone in its cluster. */
export function startAlertmanager(configText: string): Promise<RunningServer> {
  return startServer(ALERTMANAGER_BINARY, (port, dir) => {
    const config = join(dir, 'alertmanager.yml');
    writeFileSync(config, configText);
    return [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${String(port)}`, '--cluster.listen-address=', '--log.level=warn'];
  }, '/-/ready');
}
