import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureChurn, type ChurnResult } from './churn.js';
import { measureScenario, type MainResult } from './measure.js';
import { machine, table, type ScenarioResult } from './report.js';
import { scenarioNamed, SCENARIOS } from './scenarios.js';

/**
 * `npm run bench [-- --scenario NAME …] [--out FILE]`: runs the scenarios (all by default), prints the table
 * and writes the results as JSON (bench/results.json by default). Each scenario's measurements run in a child
 * process of their own, and its memory churn in another, so no scenario's memory is another's.
 */
export async function runBench(names: readonly string[], out: string): Promise<Record<string, unknown>> {
  const results: Record<string, ScenarioResult> = {};
  for (const name of names) {
    scenarioNamed(name);
    const main = await inChild<MainResult>('main', name);
    const churn = await inChild<ChurnResult>('churn', name);
    results[name] = { ...main, ...churn };
  }
  const host = machine();
  process.stdout.write(`${table(results, host)}\n`);
  const document = { machine: host, ...results };
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  process.stderr.write(`results written to ${out}\n`);
  return document;
}

const SELF = fileURLToPath(import.meta.url);

async function inChild<T>(part: 'main' | 'churn', scenario: string): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const resultFile = join(dir, 'result.json');
  try {
    const args = [...process.execArgv, '--expose-gc', SELF, '--child', part, '--scenario', scenario, '--result-file', resultFile];
    const code = await new Promise<number | null>((done, fail) => {
      // The SDK's notice that Node 20 support ends in 2027 is noise in a benchmark's output.
      const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
      spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'], env }).on('exit', done).on('error', fail);
    });
    if (code !== 0) throw new Error(`${part} of scenario ${scenario} exited with ${String(code)}`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', multiple: true },
      out: { type: 'string' },
      child: { type: 'string' },
      'result-file': { type: 'string' },
    },
  });
  const names = (values.scenario ?? SCENARIOS.map((s) => s.name)).flatMap((name) => name.split(','));
  if (values.child !== undefined) {
    const scenario = scenarioNamed(names[0] ?? '');
    const result = values.child === 'churn' ? await measureChurn(scenario) : await measureScenario(scenario);
    writeFileSync(values['result-file'] ?? '/dev/stdout', JSON.stringify(result));
    return;
  }
  await runBench(names, resolve(values.out ?? join(fileURLToPath(new URL('.', import.meta.url)), 'results.json')));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === SELF) {
  main().then(() => { process.exit(0); }, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
