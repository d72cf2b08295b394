import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSimulator } from '../src/simulator/index.js';
import { promtoolCheckMetrics } from './support/promtool.js';

const MAIN = ['--import', 'tsx', 'src/main.ts'];
const run = (...args: string[]) => spawnSync(process.execPath, [...MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });

function tempConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'are-cli-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('command line', () => {
  it('prints usage with --help and exits 0', () => {
    const result = run('--help');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.contain('--config.file');
    expect(result.stdout).to.contain('--web.listen-address');
  });

  it('prints the version with --version', () => {
    const result = run('--version');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.match(/^aws-resolution-exporter \d+\.\d+\.\d+ \(revision \S+, node v\d+/);
  });

  it('exits 2 with the usage on an unknown flag', () => {
    const result = run('--no.such-flag');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain("Unknown option '--no.such-flag'");
    expect(result.stderr).to.contain('usage: aws-resolution-exporter');
  });

  it('exits 2 on a bad flag value', () => {
    const result = run('--log.level=loud');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('--log.level must be one of debug, info, warn, error');
  });

  it('--config.check exits 0 on a valid file without starting anything', () => {
    const file = tempConfig('customer_profiles:\n  domains:\n    - name: retail-us\nregion: us-east-1\n');
    const result = run(`--config.file=${file}`, '--config.check');
    expect(result.status).to.equal(0);
    expect(result.stdout).to.contain('OK (1 targets)');
  });

  it('exits 2 with one line per problem naming file and field', () => {
    const file = tempConfig('concurrency: four\ncustomer_profiles:\n  domains:\n    - name: "retail us"\n');
    const result = run(`--config.file=${file}`, '--config.check');
    expect(result.status).to.equal(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).to.have.length(2);
    expect(lines.every((line) => line.startsWith(`${file}: `))).to.equal(true);
    expect(result.stderr).to.contain(`${file}: concurrency: `);
    expect(result.stderr).to.contain(`${file}: customer_profiles.domains[0].name: `);
  });

  it('exits 2 naming the file when it cannot be read', () => {
    const result = run('--config.file=/nonexistent/config.yaml');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.match(/^\/nonexistent\/config\.yaml: /);
  });

  it('stops within 5 seconds of SIGTERM, exiting 0', async function () {
    this.timeout(30_000);
    const file = tempConfig('schedule: "0 0 1 1 *"\nregion: us-east-1\nendpoint_url: http://127.0.0.1:9\n');
    const child = spawn(process.execPath, [...MAIN, `--config.file=${file}`, '--web.listen-address=127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`exporter did not start: ${output}`)); }, 20_000);
      child.stdout.on('data', () => {
        if (output.includes('listening')) { clearTimeout(timer); resolve(); }
      });
    });
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(0);
    expect(Date.now() - started).to.be.below(5000);
  });

  it('reaches AWS through the SDK\'s standard endpoint resolution (AWS_ENDPOINT_URL) and serves a promtool-clean scrape', async function () {
    this.timeout(40_000);
    const simulator = await startSimulator({ fleet: { domains: ['retail-us'], matchingWorkflows: ['dedupe'], idMappingWorkflows: ['crm-to-ads'], historyJobsPerTarget: 4 } });
    const file = tempConfig('schedule: "0 0 1 1 *"\nregion: us-east-1\ncustomer_profiles:\n  domains:\n    - name: retail-us\nentity_resolution:\n  matching_workflows:\n    - name: dedupe\n  id_mapping_workflows:\n    - name: crm-to-ads\n');
    const env = { ...process.env, AWS_ENDPOINT_URL: simulator.url, AWS_ACCESS_KEY_ID: 'AKIAENVENDPOINT00001', AWS_SECRET_ACCESS_KEY: 'env-secret' };
    const child = spawn(process.execPath, [...MAIN, `--config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.format=json'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`exporter did not start: ${output}`)); }, 20_000);
        child.stdout.on('data', () => {
          const match = /"address":"([^"]+)"/.exec(output);
          if (match?.[1]) { clearTimeout(timer); resolve(match[1]); }
        });
      });
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = (await fetch(`http://${address}/-/ready`)).ok;
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready, 'ready after the first collection').to.equal(true);
      const text = await (await fetch(`http://${address}/metrics`)).text();
      for (const target of ['retail-us', 'dedupe', 'crm-to-ads']) expect(text).to.contain(`target="${target}"} 1`);
      expect(simulator.counts.calls('GetCallerIdentity')).to.equal(1);
      expect(promtoolCheckMetrics(text)).to.equal('');
      expect(output).not.to.contain('env-secret');
    } finally {
      child.kill('SIGTERM');
      await simulator.close();
    }
  });
});
