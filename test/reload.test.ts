import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfigFile } from '../src/config/load.js';
import { LIFECYCLE_DISABLED } from '../src/http/app.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { startExporterProcess, waitForOk, type ExporterProcess } from './support/exporterProcess.js';
import { Harness, samples, value } from './support/harness.js';
import { targetRef } from '../src/model/target.js';

const RELOADED = 'aws_resolution_exporter_config_last_reload_successful';
const RELOADED_AT = 'aws_resolution_exporter_config_last_reload_success_timestamp_seconds';

function configText(endpoint: string, matching: readonly string[], extra = ''): string {
  return [
    'schedule: "0 0 1 1 *"',
    'region: us-east-1',
    `endpoint_url: ${endpoint}`,
    extra,
    'entity_resolution:',
    '  matching_workflows:',
    ...matching.map((name) => `    - name: ${name}`),
    '',
  ].join('\n');
}

/** POST /-/reload to the exporter at `url`. */
async function postReload(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${url}/-/reload`, { method: 'POST' });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The simulator's workflows first and second, and the exporter as its own process watching only first. */
async function startWatchingFirst(args: readonly string[]): Promise<{ simulator: Simulator; file: string; exporter: ExporterProcess; url: string }> {
  const simulator = await startSimulator({ fleet: { matchingWorkflows: ['first', 'second'], historyJobsPerTarget: 2 } });
  const file = join(mkdtempSync(join(tmpdir(), 'are-reload-process-')), 'config.yaml');
  writeFileSync(file, configText(simulator.url, ['first']));
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIASIGHUPTEST000001', AWS_SECRET_ACCESS_KEY: 'sighup-secret' };
  const exporter = await startExporterProcess([`--config.file=${file}`, ...args], env);
  const url = `http://${exporter.address}`;
  expect(await waitForOk(`${url}/-/ready`, 10_000)).to.equal(true);
  return { simulator, file, exporter, url };
}

/** Whether the exporter at `url` comes to collect the workflow `name` within 10 s. */
async function comesToCollect(url: string, name: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await (await fetch(`${url}/metrics`)).text()).includes(`target="${name}"} 1`)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('configuration reload', function () {
  this.timeout(30_000);

  it('POST /-/reload (--web.enable-lifecycle) adds and removes targets, keeps the state of the others, and rejects a bad file keeping the old one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'are-reload-')), 'config.yaml');
    const harness = await Harness.start({
      fleet: { matchingWorkflows: ['kept', 'added'], historyJobsPerTarget: 4, runningFraction: 1, jobIntervalSeconds: 3600 },
      targets: [targetRef('matching', 'kept', 'us-east-1')],
      loadConfig: () => loadConfigFile(file),
      enableLifecycle: true,
    });
    const reload = () => postReload(harness.exporter.url);
    try {
      await harness.collect();
      harness.clock.advance(3600);
      await harness.collect();
      const finishedBefore = samples(await harness.scrape(), 'aws_entity_resolution_matching_jobs_finished_total', { workflow: 'kept' });
      expect(finishedBefore.some((line) => !line.endsWith(' 0')), 'kept has counted a finish').to.equal(true);

      writeFileSync(file, configText(harness.simulator.url, ['kept', 'added']));
      expect(await reload()).to.include({ status: 200, text: 'Reloaded\n' });
      let text = await harness.scrape();
      expect(value(text, 'aws_resolution_exporter_target_up', { target: 'added' }), 'a new target is collected at once').to.equal(1);
      expect(samples(text, 'aws_entity_resolution_matching_jobs_finished_total', { workflow: 'kept' }), 'a kept target keeps its counters').to.deep.equal(finishedBefore);
      expect(value(text, RELOADED)).to.equal(1);
      const reloadedAt = value(text, RELOADED_AT);

      writeFileSync(file, configText(harness.simulator.url, ['kept', 'added'], 'concurrency: none'));
      const rejected = await reload();
      expect(rejected.status).to.equal(500);
      expect(rejected.text).to.contain(`${file}: concurrency: `);
      text = await harness.scrape();
      expect(value(text, RELOADED)).to.equal(0);
      expect(value(text, RELOADED_AT), 'the last success stays when a reload fails').to.equal(reloadedAt);
      expect(harness.logLines.some((line) => line.includes('configuration reload failed'))).to.equal(true);
      await harness.collect();
      expect(value(await harness.scrape(), 'aws_resolution_exporter_target_up', { target: 'added' }), 'the running configuration stays').to.equal(1);

      harness.clock.advance(60);
      writeFileSync(file, configText(harness.simulator.url, ['added']));
      expect((await reload()).status).to.equal(200);
      text = await harness.scrape();
      expect(value(text, RELOADED)).to.equal(1);
      expect(value(text, RELOADED_AT)).to.be.greaterThan(reloadedAt);
      expect(text, 'a removed target loses its series').not.to.contain('"kept"');
      expect(value(text, 'aws_resolution_exporter_target_up', { target: 'added' })).to.equal(1);
    } finally {
      await harness.close();
    }
  });

  it('POST /-/reload answers 403 with the reason, and reloads nothing, without --web.enable-lifecycle', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'are-reload-')), 'config.yaml');
    let loads = 0;
    const harness = await Harness.start({
      fleet: { matchingWorkflows: ['kept', 'added'], historyJobsPerTarget: 2 },
      targets: [targetRef('matching', 'kept', 'us-east-1')],
      loadConfig: () => { loads++; return loadConfigFile(file); },
    });
    try {
      await harness.collect();
      writeFileSync(file, configText(harness.simulator.url, ['kept', 'added']));
      expect(await postReload(harness.exporter.url)).to.deep.equal({ status: 403, type: 'text/plain; charset=utf-8', text: `${LIFECYCLE_DISABLED}\n` });
      expect(LIFECYCLE_DISABLED, 'one line').to.not.contain('\n');
      expect(loads, 'the configuration file read').to.equal(0);
      await harness.collect();
      const text = await harness.scrape();
      expect(text, 'the running configuration stays').not.to.contain('"added"');
      expect(value(text, 'aws_resolution_exporter_target_up', { target: 'kept' })).to.equal(1);
    } finally {
      await harness.close();
    }
  });

  it('SIGHUP re-reads the file of a process started without --web.enable-lifecycle, whose POST /-/reload answers 403', async () => {
    const { simulator, file, exporter, url } = await startWatchingFirst([]);
    try {
      writeFileSync(file, configText(simulator.url, ['first', 'second']));
      expect(await postReload(url)).to.include({ status: 403, text: `${LIFECYCLE_DISABLED}\n` });
      exporter.child.kill('SIGHUP');
      expect(await comesToCollect(url, 'second'), 'second collected after SIGHUP').to.equal(true);
      expect(exporter.output()).to.contain('configuration reloaded');
      expect(exporter.child.exitCode, 'still running').to.equal(null);
    } finally {
      await exporter.stop();
      await simulator.close();
    }
  });

  it('--web.enable-lifecycle serves POST /-/reload in the running process', async () => {
    const { simulator, file, exporter, url } = await startWatchingFirst(['--web.enable-lifecycle']);
    try {
      writeFileSync(file, configText(simulator.url, ['first', 'second']));
      expect(await postReload(url)).to.include({ status: 200, text: 'Reloaded\n' });
      expect(await comesToCollect(url, 'second'), 'second collected after POST /-/reload').to.equal(true);
    } finally {
      await exporter.stop();
      await simulator.close();
    }
  });
});
