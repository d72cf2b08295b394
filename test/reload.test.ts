import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfigFile } from '../src/config/load.js';
import { startSimulator } from '../src/simulator/index.js';
import { startExporterProcess, waitForOk } from './support/exporterProcess.js';
import { Harness, samples, value } from './support/harness.js';

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

describe('configuration reload', function () {
  this.timeout(30_000);

  it('POST /-/reload adds and removes targets, keeps the state of the others, and rejects a bad file keeping the old one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'are-reload-')), 'config.yaml');
    const harness = await Harness.start({
      fleet: { matchingWorkflows: ['kept', 'added'], historyJobsPerTarget: 4, runningFraction: 1, jobIntervalSeconds: 3600 },
      targets: [{ kind: 'matching', name: 'kept', region: 'us-east-1' }],
      loadConfig: () => loadConfigFile(file),
    });
    const reload = async (): Promise<{ status: number; text: string }> => {
      const response = await fetch(`${harness.exporter.url}/-/reload`, { method: 'POST' });
      return { status: response.status, text: await response.text() };
    };
    try {
      await harness.collect();
      harness.clock.advance(3600);
      await harness.collect();
      const finishedBefore = samples(await harness.scrape(), 'aws_entity_resolution_matching_jobs_finished_total', { workflow: 'kept' });
      expect(finishedBefore.some((line) => !line.endsWith(' 0')), 'kept has counted a finish').to.equal(true);

      writeFileSync(file, configText(harness.simulator.url, ['kept', 'added']));
      expect(await reload()).to.deep.equal({ status: 200, text: 'Reloaded\n' });
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

  it('SIGHUP re-reads the file of the running process', async () => {
    const simulator = await startSimulator({ fleet: { matchingWorkflows: ['first', 'second'], historyJobsPerTarget: 2 } });
    const file = join(mkdtempSync(join(tmpdir(), 'are-sighup-')), 'config.yaml');
    writeFileSync(file, configText(simulator.url, ['first']));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIASIGHUPTEST000001', AWS_SECRET_ACCESS_KEY: 'sighup-secret' };
    const exporter = await startExporterProcess([`--config.file=${file}`], env);
    try {
      expect(await waitForOk(`http://${exporter.address}/-/ready`, 10_000)).to.equal(true);
      writeFileSync(file, configText(simulator.url, ['first', 'second']));
      exporter.child.kill('SIGHUP');
      let text = '';
      const deadline = Date.now() + 10_000;
      while (!text.includes('target="second"} 1') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = await (await fetch(`http://${exporter.address}/metrics`)).text();
      }
      expect(text).to.contain('target="second"} 1');
      expect(exporter.output()).to.contain('configuration reloaded');
      expect(exporter.child.exitCode, 'still running').to.equal(null);
    } finally {
      await exporter.stop();
      await simulator.close();
    }
  });
});
