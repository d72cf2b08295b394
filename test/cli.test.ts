import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSimulator } from '../src/simulator/index.js';
import { MAIN, startExporterProcess, waitForOk } from './support/exporterProcess.js';
import { IDLE_CONFIG } from './support/idleConfig.js';
import { promtoolCheckMetrics } from './support/promtool.js';

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

  it('refuses to serve the metrics at a probe\'s path, which answers without credentials', () => {
    const result = run('--web.telemetry-path=/-/ready');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.contain('--web.telemetry-path must not be a probe\'s path (/-/healthy, /-/ready), got "/-/ready"');
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

  it('exits 1 with one line naming --web.listen-address when the address is in use, no stack', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => { taken.listen(0, '127.0.0.1', resolve); });
    try {
      const address = `127.0.0.1:${String((taken.address() as AddressInfo).port)}`;
      const result = run(`--config.file=${tempConfig(IDLE_CONFIG)}`, `--web.listen-address=${address}`);
      expect(result.status).to.equal(1);
      expect(result.stderr).to.equal(`aws-resolution-exporter: --web.listen-address=${address}: address already in use\n`);
    } finally {
      taken.close();
    }
  });

  it('stops within 5 seconds of SIGTERM, exiting 0', async function () {
    this.timeout(30_000);
    const file = tempConfig(IDLE_CONFIG);
    const exporter = await startExporterProcess([`--config.file=${file}`]);
    const started = Date.now();
    expect(await exporter.stop()).to.equal(0);
    expect(Date.now() - started).to.be.below(5000);
  });

  it('reaches AWS through the SDK\'s standard endpoint resolution (AWS_ENDPOINT_URL) and serves a promtool-clean scrape', async function () {
    this.timeout(40_000);
    const simulator = await startSimulator({ fleet: { domains: ['retail-us'], matchingWorkflows: ['dedupe'], idMappingWorkflows: ['crm-to-ads'], historyJobsPerTarget: 4 } });
    const file = tempConfig('schedule: "0 0 1 1 *"\nregion: us-east-1\ncustomer_profiles:\n  domains:\n    - name: retail-us\nentity_resolution:\n  matching_workflows:\n    - name: dedupe\n  id_mapping_workflows:\n    - name: crm-to-ads\n');
    const env = { ...process.env, AWS_ENDPOINT_URL: simulator.url, AWS_ACCESS_KEY_ID: 'AKIAENVENDPOINT00001', AWS_SECRET_ACCESS_KEY: 'env-secret' };
    const exporter = await startExporterProcess([`--config.file=${file}`], env);
    try {
      expect(await waitForOk(`http://${exporter.address}/-/ready`, 10_000), 'ready after the first collection').to.equal(true);
      const text = await (await fetch(`http://${exporter.address}/metrics`)).text();
      for (const target of ['retail-us', 'dedupe', 'crm-to-ads']) expect(text).to.contain(`target="${target}"} 1`);
      expect(simulator.counts.calls('GetCallerIdentity')).to.equal(1);
      expect(promtoolCheckMetrics(text)).to.equal('');
      expect(exporter.output()).not.to.contain('env-secret');
    } finally {
      await exporter.stop();
      await simulator.close();
    }
  });

  describe('standard output carries only the result, so a report can be piped', () => {
    /** A config check of a config whose domain discovery AWS refuses: warnings are logged while the report is printed. */
    async function checkWithFailingDiscovery(mode: string): Promise<{ status: number; stdout: string; stderr: string }> {
      const simulator = await startSimulator({ fleet: { domains: ['retail-us'], matchingWorkflows: ['dedupe'], historyJobsPerTarget: 1 } });
      simulator.faults.add({ operation: 'ListDomains', effect: { type: 'error', status: 403, code: 'AccessDeniedException' } });
      const file = tempConfig('region: us-east-1\ncustomer_profiles:\n  domains:\n    - name: retail-us\n  discover:\n    include: "^retail"\nentity_resolution:\n  discover:\n    kinds: [matching]\n');
      const env = { ...process.env, AWS_ENDPOINT_URL: simulator.url, AWS_ACCESS_KEY_ID: 'AKIASTDOUTTEST000001', AWS_SECRET_ACCESS_KEY: 'stdout-secret', AWS_MAX_ATTEMPTS: '1' };
      try {
        // Asynchronously: the simulator answers from this very process.
        return await new Promise((resolve) => {
          execFile(process.execPath, [...MAIN, `--config.file=${file}`, mode], { encoding: 'utf8', env }, (error, stdout, stderr) => {
            resolve({ status: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
          });
        });
      } finally {
        await simulator.close();
      }
    }

    const okLine = /^\S+config\.yaml: OK \(\d+ targets\)$/;

    it('--config.check prints its verdict alone', async function () {
      this.timeout(30_000);
      const { status, stdout } = await checkWithFailingDiscovery('--config.check');
      expect(status).to.equal(0);
      expect(stdout.trimEnd().split('\n')).to.satisfy((lines: string[]) => lines.length === 1 && okLine.test(lines[0] ?? ''));
    });

    it('--config.check=discover prints the verdict, then one tab-separated row per target; the warnings go to stderr', async function () {
      this.timeout(30_000);
      const { status, stdout, stderr } = await checkWithFailingDiscovery('--config.check=discover');
      expect(status).to.equal(1);
      const [verdict = '', ...rows] = stdout.trimEnd().split('\n');
      expect(verdict).to.match(okLine);
      expect(rows).to.deep.equal(['listed\tidentity_resolution\tus-east-1\tretail-us', 'discovered\tmatching\tus-east-1\tdedupe']);
      expect(stderr).to.match(/level=warn .*discovery failed/);
    });

    it('--config.check=aws prints the verdict, identities, the table and the summary; the warnings go to stderr', async function () {
      this.timeout(30_000);
      const { status, stdout, stderr } = await checkWithFailingDiscovery('--config.check=aws');
      expect(status).to.equal(1);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).to.match(okLine);
      expect(lines.filter((line) => /level=|msg=/.test(line)), 'no log line in the report').to.deep.equal([]);
      expect(lines.at(-1)).to.match(/^preflight: \d+ calls, .*: FAILED$/);
      expect(stderr).to.match(/level=warn .*discovery failed/);
    });
  });
});
