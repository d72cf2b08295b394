import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { shardOf } from '../src/collect/shard.js';
import { startSimulator, type FleetSpec } from '../src/simulator/index.js';
import { MAIN, startExporterProcess, waitForOk } from './support/exporterProcess.js';
import { Harness, ManualClock, samples } from './support/harness.js';

const names = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const FLEET: FleetSpec = {
  regions: ['us-east-1'],
  domains: names('domain', 12),
  matchingWorkflows: names('matching', 10),
  idMappingWorkflows: names('id-mapping', 10),
  historyJobsPerTarget: 2,
};

describe('sharding', function () {
  this.timeout(30_000);

  it('keeps a target in the same shard across releases (moving it would double or drop its series during a rollout)', () => {
    // Pinned: a change of the hash would move targets between the shards of a running fleet.
    const at = (target: string): number => shardOf({ accountId: '123456789012', region: 'us-east-1', kind: 'matching', target }, 7);
    expect(['dedupe-nightly', 'retail-us', 'crm-to-ads'].map(at)).to.deep.equal([5, 2, 0]);
    const spread = new Set(names('t', 200).map((target) => shardOf({ accountId: '1', region: 'r', kind: 'matching', target }, 4)));
    expect([...spread].sort()).to.deep.equal([0, 1, 2, 3]);
  });

  it('N instances together watch every target exactly once', async () => {
    const clock = new ManualClock();
    const count = 3;
    const shards = await Promise.all(Array.from({ length: count }, (_, index) => Harness.start({ fleet: FLEET, clock, shard: { index, count } })));
    try {
      const watched = await Promise.all(shards.map(async (harness) => {
        await harness.collect();
        return samples(await harness.scrape(), 'aws_resolution_exporter_target_up').map((line) => /target="([^"]+)"/.exec(line)?.[1] ?? '');
      }));
      const all = [...(FLEET.domains ?? []), ...(FLEET.matchingWorkflows ?? []), ...(FLEET.idMappingWorkflows ?? [])];
      expect(watched.flat().sort(), 'no gap and no overlap').to.deep.equal([...all].sort());
      for (const share of watched) expect(share.length, 'every shard has work').to.be.greaterThan(0);
      const gets = shards.map((harness) => harness.simulator.counts.calls('ListMatchingJobs'));
      expect(gets.reduce((a, b) => a + b, 0), 'each workflow listed once, by its shard').to.equal(FLEET.matchingWorkflows?.length);
    } finally {
      await Promise.all(shards.map((harness) => harness.close()));
    }
  });

  it('refuses a shard index outside the count, or an empty one, with exit code 2', () => {
    for (const args of [['--shard.count=3', '--shard.index=3'], ['--shard.count=3', '--shard.index='], ['--shard.count=0']]) {
      const result = spawnSync(process.execPath, [...MAIN, ...args, '--config.check'], { encoding: 'utf8' });
      expect(result.status, args.join(' ')).to.equal(2);
      expect(result.stderr).to.match(/--shard\.(index|count) must be/);
    }
  });

  it('--config.check=discover with --shard.* marks the targets this shard takes, exactly those the running shard watches', async function () {
    this.timeout(60_000);
    const simulator = await startSimulator({ fleet: { domains: names('domain', 4), matchingWorkflows: names('matching', 3), idMappingWorkflows: names('id-mapping', 3), historyJobsPerTarget: 1 } });
    const dir = mkdtempSync(join(tmpdir(), 'are-shard-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'schedule: "0 0 1 1 *"\nregion: us-east-1\ncustomer_profiles:\n  discover:\n    all_domains: true\nentity_resolution:\n  discover: {}\n');
    const env = { ...process.env, AWS_ENDPOINT_URL: simulator.url, AWS_ACCESS_KEY_ID: 'AKIASHARDCHECK000001', AWS_SECRET_ACCESS_KEY: 'shard-secret' };
    // Asynchronously: the simulator answers from this very process.
    const check = (index: number) => new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [...MAIN, `--config.file=${config}`, '--config.check=discover', '--shard.count=2', `--shard.index=${index}`], { encoding: 'utf8', env }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    const takenBy = (report: string): string[] => report.split('\n').filter((line) => line.startsWith('this shard')).map((line) => line.split('\t')[4] ?? '').sort();
    try {
      const reports = [await check(0), await check(1)];
      const [first = [], second = []] = reports.map(takenBy);
      expect([...first, ...second].sort(), 'the two shards take every target once').to.deep.equal([...names('domain', 4), ...names('matching', 3), ...names('id-mapping', 3)].sort());
      expect(reports[1]).to.contain(`shard 1 of 2 takes ${second.length} of 10 targets`);
      expect(reports[1]?.split('\n').filter((line) => line.startsWith('shard 0\t'))).to.have.length(first.length);

      const exporter = await startExporterProcess([`--config.file=${config}`, '--shard.count=2', '--shard.index=1'], env);
      try {
        expect(await waitForOk(`http://${exporter.address}/-/ready`, 20_000)).to.equal(true);
        const watched = samples(await (await fetch(`http://${exporter.address}/metrics`)).text(), 'aws_resolution_exporter_target_up').map((line) => /target="([^"]+)"/.exec(line)?.[1] ?? '');
        expect(watched.sort()).to.deep.equal(second);
      } finally {
        await exporter.stop();
      }
    } finally {
      await simulator.close();
    }
  });
});
