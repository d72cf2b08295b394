import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { CustomerProfilesClient, ListDomainsCommand } from '@aws-sdk/client-customer-profiles';
import { expect } from 'chai';
import { sandboxInstructions } from '../src/demo.js';
import { MAIN, waitForOk } from './support/exporterProcess.js';
import { fencedBlocks } from './support/markdown.js';
import { freePort } from './support/monitoringServers.js';

const GUIDE = 'docs/demo.md';

/** The fenced code blocks of the guide, in order. */
const codeBlocks = (): string[] => fencedBlocks(readFileSync(GUIDE, 'utf8')).map((block) => block.body.join('\n'));

function blockWith(text: string): string {
  const block = codeBlocks().find((candidate) => candidate.includes(text));
  if (block === undefined) throw new Error(`${GUIDE} has no code block with ${text}`);
  return block;
}

/**
 * The environment the guide tells a shell to export, pointed at `simulatorPort` instead of the port the guide
 * starts the demo on; every other AWS_ variable of this process is left out, so nothing but the guide's counts.
 */
function documentedEnvironment(simulatorPort: number): NodeJS.ProcessEnv {
  const guidePort = /--demo\.aws-port=(\d+)/.exec(blockWith('npm run demo'))?.[1];
  if (guidePort === undefined) throw new Error(`${GUIDE} starts the demo without --demo.aws-port`);
  const exported = blockWith('export AWS_ENDPOINT_URL=').split('\n')
    .filter((line) => line.startsWith('export '))
    .flatMap((line) => line.slice('export '.length).trim().split(/\s+/))
    .map((assignment) => assignment.replace(`127.0.0.1:${guidePort}`, `127.0.0.1:${String(simulatorPort)}`).split('=') as [string, string]);
  const others = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'));
  return Object.fromEntries([...others, ...exported]);
}

/** Runs a shell command as the guide's reader would, from the repository's root. */
function shell(command: string, env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { encoding: 'utf8', env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr });
    });
  });
}

const run = (...args: string[]) => spawnSync(process.execPath, [...MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('the demo as a sandbox for other commands (docs/demo.md)', function () {
  this.timeout(120_000);
  let demo: ChildProcess;
  let simulatorPort: number;
  let stdout = '';
  let stderr = '';

  before(async () => {
    simulatorPort = await freePort();
    const webPort = await freePort();
    // Its own process group, which the after hook ends whole, whatever it may have started.
    demo = spawn(process.execPath, [...MAIN, '--demo', `--demo.aws-port=${String(simulatorPort)}`, `--web.listen-address=127.0.0.1:${String(webPort)}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    demo.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    demo.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    expect(await waitForOk(`http://127.0.0.1:${String(webPort)}/-/ready`, 60_000), `demo ready: ${stderr}`).to.equal(true);
  });

  after(async () => {
    if (demo.pid === undefined || demo.exitCode !== null) return;
    const exited = once(demo, 'exit');
    process.kill(-demo.pid, 'SIGTERM');
    const timer = setTimeout(() => { if (demo.pid !== undefined) process.kill(-demo.pid, 'SIGKILL'); }, 8000);
    await exited;
    clearTimeout(timer);
  });

  it('runs its simulator on the port --demo.aws-port names', async () => {
    const response = await fetch(`http://127.0.0.1:${String(simulatorPort)}/domains`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-amzn-requestid')).to.be.a('string');
  });

  it('prints, under its banner, how to use the simulator, with that port', () => {
    const url = `http://127.0.0.1:${String(simulatorPort)}`;
    expect(stdout).to.match(/^\nDemo running: open .*\n\n/);
    expect(stdout).to.contain(sandboxInstructions(url));
    expect(stdout).to.contain(`export AWS_ENDPOINT_URL=${url} `);
  });

  it('passes the guide\'s preflight, run as the guide says, with the last line the guide shows', async () => {
    const result = await shell(blockWith('--config.check=aws'), documentedEnvironment(simulatorPort));
    expect(result.status, result.stderr).to.equal(0);
    const last = result.stdout.trimEnd().split('\n').at(-1);
    expect(last).to.equal(blockWith('preflight:').trim());
    expect(last).to.match(/^preflight: (\d+) calls, \1 ok: OK$/);
  });

  it('answers the AWS SDK for JavaScript configured by the guide\'s environment alone', async () => {
    const saved = process.env;
    process.env = documentedEnvironment(simulatorPort);
    const client = new CustomerProfilesClient({});
    try {
      const { Items } = await client.send(new ListDomainsCommand({}));
      expect((Items ?? []).map((item) => item.DomainName)).to.have.members(['retail-us', 'retail-eu', 'loyalty', 'partner-sandbox']);
    } finally {
      client.destroy();
      process.env = saved;
    }
  });
});

describe('--demo.aws-port', () => {
  it('exits 2 without --demo, saying it needs it', () => {
    const result = run('--demo.aws-port=10104');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/^aws-resolution-exporter: --demo\.aws-port needs --demo: /);
  });

  it('exits 2 on a value that is not a port', () => {
    for (const value of ['0', '65536', 'http', '']) {
      const result = run('--demo', `--demo.aws-port=${value}`);
      expect(result.status, value).to.equal(2);
      expect(result.stderr, value).to.contain(`--demo.aws-port must be a port number from 1 to 65535, got "${value}"`);
    }
  });

  it('exits 1 with one line naming it when the port is in use, no stack', async function () {
    this.timeout(60_000);
    const taken = createServer();
    await new Promise<void>((resolve) => { taken.listen(0, '127.0.0.1', resolve); });
    try {
      const port = (taken.address() as AddressInfo).port;
      const result = run('--demo', `--demo.aws-port=${String(port)}`, '--web.listen-address=127.0.0.1:0');
      expect(result.status).to.equal(1);
      expect(result.stderr).to.equal(`aws-resolution-exporter: --demo.aws-port=${String(port)}: address already in use\n`);
    } finally {
      taken.close();
    }
  });
});
