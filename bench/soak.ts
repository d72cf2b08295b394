import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileForMeasurement, runMeasured } from './measuredProcess.js';
import { machine, measuredCommit } from './report.js';
import { imageRuntime } from './runtime.js';
import { runSoak } from './soak/run.js';
import { passed, reproduceCommand, summaryLine, type SoakRecord, type SoakResult } from './soak/verdict.js';

/** Mismatches and crashes printed after the summary of a failed soak. */
const SHOWN_PROBLEMS = 10;

/**
 * `npm run soak -- --minutes N [--seed S] [--out FILE]`: the exporter against the simulator at high time speed,
 * with target churn and random faults, for N minutes; then the check against the simulator's truth. Prints one
 * summary line (and the first problems of a failure) and exits 0 on a pass, 1 otherwise. `--out` also writes the
 * result with the machine, Node.js and commit it came from (bench/soak-results.json is what the docs render). The soak itself runs
 * compiled, in a process of its own under the Docker image's runtime settings, as the bench's measurements do:
 * its memory check is about what a pod runs.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      measured: { type: 'boolean', default: false },
      'result-file': { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error(`--minutes must be a number of minutes above 0, got ${values.minutes}`);
  return values.measured ? soakHere(minutes, values.seed, values['result-file']) : soakMeasured(minutes, values.seed, values.out);
}

/**
 * Runs the soak compiled, in a process of its own under the image's runtime settings, and with `out` writes its
 * result beside the commit, the machine (the measured process runs on this same Node.js binary) and the runtime,
 * which only this process knows.
 */
async function soakMeasured(minutes: number, seed: string, out: string | undefined): Promise<number> {
  const runtime = imageRuntime();
  process.stderr.write(`runtime settings of the image: NODE_OPTIONS=${runtime.node_options || '(none)'}, allocator ${runtime.allocator}\n`);
  const { soak } = compileForMeasurement('soak');
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const resultFile = join(dir, 'result.json');
  try {
    const code = await runMeasured(process.execPath, soak, ['--measured', '--minutes', String(minutes), '--seed', seed, '--result-file', resultFile], runtime);
    if (out !== undefined && existsSync(resultFile)) {
      const record: SoakRecord = {
        commit: measuredCommit(),
        machine: machine(),
        runtime: { node_options: runtime.node_options, allocator: runtime.allocator },
        asked: { minutes, seed },
        result: JSON.parse(readFileSync(resultFile, 'utf8')) as SoakResult,
      };
      writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
    }
    return code ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The soak in this process: the summary line, the first problems, the command to reproduce it; 0 on a pass. */
async function soakHere(minutes: number, seed: string, resultFile: string | undefined): Promise<number> {
  const result = await runSoak({
    minutes,
    seed,
    progress: (line) => { process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`); },
  });
  process.stdout.write(`${summaryLine(result)}\n`);
  const problems = [...result.crashes, ...result.mismatches];
  for (const problem of problems.slice(0, SHOWN_PROBLEMS)) process.stdout.write(`  ${problem}\n`);
  if (problems.length > SHOWN_PROBLEMS) process.stdout.write(`  … and ${problems.length - SHOWN_PROBLEMS} more\n`);
  process.stdout.write(`reproduce: ${reproduceCommand(minutes, seed)}\n`);
  if (resultFile !== undefined) writeFileSync(resultFile, JSON.stringify(result));
  return passed(result) ? 0 : 1;
}

main().then((code) => { process.exit(code); }, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
