import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureChurn, type ChurnResult } from './churn.js';
import { measureScenario, type IdlePhase, type MainResult } from './measure.js';
import { compileForMeasurement, runMeasured } from './measuredProcess.js';
import { machine, measuredCommit, table, type Machine, type ScenarioResult } from './report.js';
import { imageRuntime, type Runtime } from './runtime.js';
import { scenarioNamed, SCENARIOS } from './scenarios.js';

/** The scenarios measured on one Node.js binary, the machine as that binary saw it, and the commit measured. */
export interface BenchRun {
  readonly commit: string;
  readonly machine: Machine;
  readonly scenarios: Record<string, ScenarioResult>;
}

/** What bench/results.json holds: the runs of one invocation, under the image's runtime settings. */
export interface BenchDocument {
  readonly runtime: Omit<Runtime, 'env'>;
  readonly idle_minutes: number;
  readonly runs: readonly BenchRun[];
}

/** The idle phase a pod's sizing is read from, in minutes: ten, unless `--idle-minutes` says otherwise. */
const IDLE_MINUTES = 10;

/**
 * `npm run bench [-- --scenario NAME …] [--node PATH …] [--idle-minutes M] [--out FILE]`: runs the scenarios
 * (all by default) on each Node.js binary (this one by default), prints a table per binary and writes the
 * results as JSON (bench/results.json by default). Each scenario's measurements run in a child process of their
 * own under the Docker image's runtime settings (its NODE_OPTIONS and preloaded allocator), and its memory churn
 * in another, so no scenario's memory is another's and what is measured is what a pod runs.
 */
export async function runBench(names: readonly string[], nodes: readonly string[], idle: IdlePhase, out: string): Promise<BenchDocument> {
  const runtime = imageRuntime();
  const { run: compiled } = compileForMeasurement('run');
  process.stderr.write(`runtime settings of the image: NODE_OPTIONS=${runtime.node_options || '(none)'}, allocator ${runtime.allocator}\n`);
  const runs: BenchRun[] = [];
  for (const node of nodes) {
    const scenarios: Record<string, ScenarioResult> = {};
    let host: Machine | undefined;
    for (const name of names) {
      scenarioNamed(name);
      const main = await inChild<MainResult & { machine: Machine }>(compiled, node, runtime, 'main', name, idle);
      const churn = await inChild<ChurnResult>(compiled, node, runtime, 'churn', name, idle);
      const { machine: seen, ...measured } = main;
      host = seen;
      scenarios[name] = { ...measured, ...churn };
    }
    if (!host) throw new Error('no scenario to run');
    process.stdout.write(`${table(scenarios, host, runtime)}\n\n`);
    runs.push({ commit: measuredCommit(), machine: host, scenarios });
  }
  const document: BenchDocument = { runtime: { node_options: runtime.node_options, allocator: runtime.allocator }, idle_minutes: idle.minutes, runs };
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  process.stderr.write(`results written to ${out}\n`);
  return document;
}

const SELF = fileURLToPath(import.meta.url);

async function inChild<T>(entry: string, node: string, runtime: Runtime, part: 'main' | 'churn', scenario: string, idle: IdlePhase): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const resultFile = join(dir, 'result.json');
  try {
    const code = await runMeasured(node, entry, ['--child', part, '--scenario', scenario, '--idle-minutes', String(idle.minutes), '--result-file', resultFile], runtime);
    if (code !== 0) throw new Error(`${part} of scenario ${scenario} on ${node} exited with ${String(code)}`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      node: { type: 'string', multiple: true },
      'idle-minutes': { type: 'string' },
      out: { type: 'string' },
      child: { type: 'string' },
      'result-file': { type: 'string' },
    },
  });
  const names = (values.scenario ?? SCENARIOS.map((s) => s.name)).flatMap((name) => name.split(','));
  const minutes = Number(values['idle-minutes'] ?? IDLE_MINUTES);
  if (!(minutes >= 0)) throw new Error(`--idle-minutes: expected a number of minutes, got ${values['idle-minutes'] ?? ''}`);
  const idle = { minutes };
  if (values.child !== undefined) {
    const scenario = scenarioNamed(names[0] ?? '');
    const result = values.child === 'churn' ? await measureChurn(scenario) : { ...(await measureScenario(scenario, idle)), machine: machine() };
    writeFileSync(values['result-file'] ?? '/dev/stdout', JSON.stringify(result));
    return;
  }
  const out = resolve(values.out ?? join(fileURLToPath(new URL('.', import.meta.url)), 'results.json'));
  await runBench(names, values.node ?? [process.execPath], idle, out);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF) {
  main().then(() => { process.exit(0); }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
