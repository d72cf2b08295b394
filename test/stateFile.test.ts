import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadState, saveState } from '../src/collect/stateFile.js';
import type { TargetState } from '../src/collect/targetCollector.js';
import type { FleetSpec } from '../src/simulator/index.js';
import { MAIN, startExporterProcess, waitForOk } from './support/exporterProcess.js';
import { Harness, ManualClock, samples } from './support/harness.js';

const FLEET: FleetSpec = {
  domains: ['retail-us'],
  matchingWorkflows: ['dedupe'],
  idMappingWorkflows: ['crm-to-ads'],
  historyJobsPerTarget: 6,
  runningFraction: 1,
  jobIntervalSeconds: 3600,
};
const GETS = ['GetIdentityResolutionJob', 'GetMatchingJob', 'GetIdMappingJob'];
const SELF_METRIC = /^(aws_resolution_exporter_|process_|nodejs_|#)/;

const jobSeries = (text: string): string[] => text.split('\n').filter((line) => line !== '' && !SELF_METRIC.test(line));
const getCalls = (harness: Harness): number => GETS.reduce((sum, operation) => sum + harness.simulator.counts.calls(operation), 0);
const stateDir = (): string => mkdtempSync(join(tmpdir(), 'are-state-'));

describe('state file', function () {
  this.timeout(30_000);
  const open: Harness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((harness) => harness.close()));
  });
  const start = async (stateFile: string | undefined, clock: ManualClock): Promise<Harness> => {
    const harness = await Harness.start({ fleet: FLEET, clock, config: { stateFile } });
    open.push(harness);
    return harness;
  };

  it('after a restart the counters continue, no job is counted twice or fetched again, and one that finished meanwhile counts once', async () => {
    const clock = new ManualClock();
    const path = join(stateDir(), 'state.json');
    const restarted = await start(path, clock);
    const control = await start(undefined, clock);
    for (const advance of [0, 3600]) {
      clock.advance(advance);
      await Promise.all([restarted.collect(), control.collect()]);
    }
    const counted = (await restarted.scrape()).split('\n').filter((line) => line.includes('_jobs_finished_total{'));
    expect(counted.some((line) => !line.endsWith(' 0')), 'some job was counted before the restart').to.equal(true);

    await restarted.restartExporter();
    expect(restarted.logLines.some((line) => line.includes('"msg":"state restored"') && line.includes('"targets_restored":3'))).to.equal(true);
    clock.advance(2 * 3600);
    restarted.simulator.counts.reset();
    control.simulator.counts.reset();
    await Promise.all([restarted.collect(), control.collect()]);
    const [after, expected] = await Promise.all([restarted.scrape(), control.scrape()]);
    expect(jobSeries(after), 'every series, counters included, as if the exporter had never stopped').to.deep.equal(jobSeries(expected));
    expect(getCalls(restarted), 'Gets only for new or unfinished jobs, as without the restart').to.equal(getCalls(control));
    const listed = restarted.simulator.counts.calls('ListMatchingJobs');
    expect(listed).to.equal(1);
    expect(getCalls(restarted)).to.be.below(3 * 6);
  });

  it('writes a state larger than one write piece, characters outside the BMP on every boundary, that loads back as it was', async () => {
    const path = join(stateDir(), 'state.json');
    // Emoji are two UTF-16 units: with an odd prefix, every 1 MiB piece boundary falls between a pair's halves.
    const message = `x${'😀'.repeat(1_500_000)}`;
    const state = new Map([['matching/wf', { message, finishedAt: new Date(1_718_000_000_000) } as unknown as TargetState]]);
    await saveState(path, state, 1_718_000_000_000);
    const loaded = await loadState(path, 0);
    expect(loaded.outcome).to.equal('loaded');
    const restored = loaded.state.get('matching/wf') as unknown as { message: string; finishedAt: Date };
    expect(restored.message === message, 'the message comes back unchanged').to.equal(true);
    expect(restored.finishedAt.getTime()).to.equal(1_718_000_000_000);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(doc)).to.deep.equal(['format', 'version', 'writtenAt', 'targets', 'sha256']);
  });

  it('is written atomically after each collection, in a versioned, checksummed format', async () => {
    const dir = stateDir();
    const path = join(dir, 'state.json');
    const harness = await start(path, new ManualClock());
    await harness.collect();
    expect(readdirSync(dir)).to.deep.equal(['state.json']);
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { format: string; version: number; sha256: string; targets: Record<string, unknown> };
    expect(doc.format).to.equal('aws-resolution-exporter-state');
    expect(doc.version).to.equal(1);
    expect(doc.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(Object.keys(doc.targets)).to.have.length(3);
    expect((await loadState(path, Date.now())).outcome).to.equal('loaded');
    expect(samples(await harness.scrape(), 'aws_resolution_exporter_state_file_last_write_successful')).to.deep.equal(['aws_resolution_exporter_state_file_last_write_successful 1']);
  });

  const damaged: Readonly<Record<string, (valid: string) => string>> = {
    'not JSON': () => 'this is not json {',
    'cut short': (valid) => valid.slice(0, valid.length / 2),
    'a foreign JSON file': () => JSON.stringify({ hello: 'world' }),
    'another version': (valid) => valid.replace('"version":1', '"version":99'),
    'edited by hand (checksum mismatch)': (valid) => valid.replace(/"finishedByStatus":\[\["SUCCEEDED",(\d+)\]/, (_m, n: string) => `"finishedByStatus":[["SUCCEEDED",${Number(n) + 5}]`),
  };
  for (const [what, damage] of Object.entries(damaged)) {
    it(`a state file that is ${what} is reported and set aside, and a good one written in its place`, async () => {
      const clock = new ManualClock();
      const dir = stateDir();
      const path = join(dir, 'state.json');
      const first = await start(path, clock);
      await first.collect();
      await first.restartExporter();
      const valid = readFileSync(path, 'utf8');
      const broken = damage(valid);
      expect(broken, 'the damage changed the file').not.to.equal(valid);
      writeFileSync(path, broken);
      await first.restartExporter();
      expect(first.logLines.some((line) => line.includes('state file unusable: set aside, starting afresh'))).to.equal(true);
      const setAside = readdirSync(dir).filter((file) => file.startsWith('state.json.corrupt-'));
      expect(setAside).to.have.length(1);
      expect(readFileSync(join(dir, setAside[0] ?? ''), 'utf8'), 'the bad file is kept as it was').to.equal(broken);
      await first.collect();
      expect((await loadState(path, Date.now())).outcome, 'a good state is written again').to.equal('loaded');
    });
  }

  it('survives kill -9 of the real process: the counters continue where they were', async function () {
    this.timeout(60_000);
    const { startSimulator } = await import('../src/simulator/index.js');
    // An hour of jobs passes every second, so jobs finish while the test watches.
    const simulator = await startSimulator({ fleet: { matchingWorkflows: ['fast'], historyJobsPerTarget: 3, jobIntervalSeconds: 3600, timeScale: 3600, runningFraction: 1 } });
    const dir = stateDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `schedule: "* * * * * *"\nregion: us-east-1\nendpoint_url: ${simulator.url}\nstate_file: state.json\nentity_resolution:\n  matching_workflows:\n    - name: fast\n`);
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIASTATEFILETEST001', AWS_SECRET_ACCESS_KEY: 'state-secret' };
    const total = async (address: string): Promise<number> => samples(await (await fetch(`http://${address}/metrics`)).text(), 'aws_entity_resolution_matching_jobs_finished_total')
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    try {
      const first = await startExporterProcess([`--config.file=${config}`], env);
      expect(await waitForOk(`http://${first.address}/-/ready`, 10_000)).to.equal(true);
      let before = 0;
      for (let i = 0; i < 100 && before < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        before = await total(first.address);
      }
      expect(before, 'jobs were counted before the kill').to.be.at.least(2);
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const second = await startExporterProcess([`--config.file=${config}`], env);
      try {
        expect(await waitForOk(`http://${second.address}/-/ready`, 10_000)).to.equal(true);
        expect(second.output()).to.contain('state restored');
        expect(await total(second.address), 'the counters did not restart from 0').to.be.at.least(before);
      } finally {
        await second.stop();
      }
    } finally {
      await simulator.close();
    }
  });

  it('a write that fails is logged when it starts failing, hourly while it goes on, and when it recovers, in one clean message', async () => {
    const clock = new ManualClock();
    const dir = join(stateDir(), 'volume');
    mkdirSync(dir);
    const harness = await start(join(dir, 'state.json'), clock);
    await harness.collect();
    const writeLines = (): { level: string; msg: string; err?: string }[] => harness.logLines
      .map((line) => JSON.parse(line) as { level: string; msg: string; err?: string })
      .filter((line) => line.msg.startsWith('could not write the state file') || line.msg === 'state file written again');
    expect(writeLines()).to.deep.equal([]);

    rmSync(dir, { recursive: true });
    for (let i = 0; i < 5; i++) {
      clock.advance(120);
      await harness.collect();
    }
    const failing = writeLines().filter((line) => line.level === 'error');
    expect(failing, 'one error for five failed writes').to.have.length(1);
    expect(failing[0]?.err).to.match(/^ENOENT: no such file or directory, open '.*state\.json\.tmp-\d+'$/);
    expect(samples(await harness.scrape(), 'aws_resolution_exporter_state_file_last_write_successful')).to.deep.equal(['aws_resolution_exporter_state_file_last_write_successful 0']);

    clock.advance(3600);
    await harness.collect();
    expect(writeLines().filter((line) => line.level === 'error'), 'an hourly reminder').to.have.length(2);

    mkdirSync(dir);
    await harness.collect();
    await harness.collect();
    expect(writeLines().filter((line) => line.level === 'info').map((line) => line.msg)).to.deep.equal(['state file written again']);
    expect(writeLines().filter((line) => line.level === 'error')).to.have.length(2);
  });

  it('--config.check refuses a state file whose directory is missing, or is a file, naming the path and the reason', () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'a-file'), '');
    for (const [stateFile, reason] of [
      ['/nonexistent/dir/state.json', 'directory /nonexistent/dir does not exist'],
      [join(dir, 'a-file', 'state.json'), `${join(dir, 'a-file')} is not a directory`],
      [dir, 'is a directory, not a file'],
    ] as const) {
      const config = join(dir, 'config.yaml');
      writeFileSync(config, `region: us-east-1\nstate_file: ${stateFile}\n`);
      const result = spawnSync(process.execPath, [...MAIN, `--config.file=${config}`, '--config.check'], { encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr.trimEnd()).to.equal(`${config}: state_file: ${stateFile}: ${reason}${reason.startsWith('directory') ? ' (mount a volume there, or create it)' : ''}`);
    }
  });
});
