import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { BenchDocument } from '../bench/run.js';
import { imageEnv } from '../bench/runtime.js';
import { podMemory } from '../bench/sizing.js';

const run = promisify(execFile);

/** Every key bench/results.json promises per scenario. */
const KEYS = [
  'cold_calls', 'steady_calls', 'min_calls', 'naive_calls', 'steady_wall_s', 'quota_bound_s', 'steady_throttled',
  'metrics_rps', 'static_rps', 'metrics_p99_ms', 'static_p99_ms', 'metrics_p99_during_collection_ms', 'series',
  'garbage_per_collection_mb', 'garbage_bytes_per_series', 'rss_load_peak_mb', 'rss_load_mean_mb', 'rss_idle_peak_mb', 'rss_idle_mean_mb',
  'rss_settled_mb', 'heap_live_mb', 'rss_growth_pct', 'heap_growth_pct',
];

describe('the benchmark (npm run bench)', function () {
  this.timeout(180_000);

  it('runs the small scenario and writes every result with sane numbers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    try {
      const out = join(dir, 'results.json');
      const { stdout } = await run('npm', ['run', '--silent', 'bench', '--', '--scenario', 'small', '--idle-minutes', '0.25', '--out', out], { maxBuffer: 16 * 2 ** 20 });
      expect(stdout).to.contain('| measure | small | target |');
      const results = JSON.parse(readFileSync(out, 'utf8')) as BenchDocument;
      expect(results.runtime.node_options, 'measured under the image\'s NODE_OPTIONS').to.equal(imageEnv().NODE_OPTIONS);
      expect(results.runs).to.have.length(1);
      const [only] = results.runs;
      expect(only?.machine.cores).to.be.greaterThan(0);
      expect(only?.machine.node).to.equal(process.version);
      const small = only?.scenarios.small as unknown as Record<string, number>;
      for (const key of KEYS) expect(Number.isFinite(small[key]), key).to.equal(true);
      // Calls do not depend on timing: the exporter makes the minimum, the naive poller many times more.
      expect(small.min_calls).to.be.greaterThan(0);
      expect(small.steady_calls).to.be.within(small.min_calls!, small.min_calls! * 1.05);
      expect(small.cold_calls).to.be.greaterThan(small.steady_calls!);
      expect(small.cold_calls, 'the cold collection makes its minimum too, volume seeding included').to.equal(small.cold_min_calls);
      expect(small.naive_calls).to.be.greaterThan(small.steady_calls! * 10);
      // Timings only have to be plausible here (CI machines are noisy); docs/performance.md reports the measured ones.
      expect(small.steady_wall_s).to.be.greaterThan(0);
      expect(small.quota_bound_s).to.be.greaterThan(0);
      expect(small.steady_throttled, 'calls paced per account, region and operation stay under the simulated AWS quota').to.equal(0);
      for (const key of ['metrics_rps', 'static_rps', 'metrics_p99_ms', 'static_p99_ms', 'metrics_p99_during_collection_ms', 'garbage_per_collection_mb', 'rss_settled_mb', 'heap_live_mb']) {
        expect(small[key], key).to.be.greaterThan(0);
      }
      // Resident memory as it runs never reads below what is left once garbage is collected, and a peak is no lower than its mean.
      expect(small.rss_load_peak_mb).to.be.at.least(small.rss_load_mean_mb!);
      expect(small.rss_idle_peak_mb).to.be.at.least(small.rss_idle_mean_mb!);
      expect(small.rss_idle_peak_mb).to.be.at.least(small.rss_settled_mb! * 0.9);
      expect(small.series).to.be.greaterThan(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the bench\'s runtime settings and sizing', () => {
  it('reads the ENV settings of the Dockerfile\'s last stage, quoted or not', () => {
    const dockerfile = [
      'FROM node:24 AS build', 'ENV NODE_OPTIONS="--build-only"',
      'FROM node:24', 'ENV NODE_ENV=production A=1', 'ENV LD_PRELOAD=/usr/local/lib/libjemalloc.so.2 NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=192"',
    ].join('\n');
    expect(imageEnv(dockerfile)).to.deep.equal({
      NODE_ENV: 'production', A: '1', LD_PRELOAD: '/usr/local/lib/libjemalloc.so.2', NODE_OPTIONS: '--max-semi-space-size=16 --max-old-space-size=192',
    });
  });

  it('asks for the idle peak (to 16 MiB) and limits at the highest peak and a quarter more (to 32 MiB)', () => {
    expect(podMemory({ rss_load_peak_mb: 150, rss_idle_peak_mb: 121 })).to.deep.equal({ requestMi: 128, limitMi: 192 });
    expect(podMemory({ rss_load_peak_mb: 200, rss_idle_peak_mb: 230 })).to.deep.equal({ requestMi: 240, limitMi: 288 });
  });
});
