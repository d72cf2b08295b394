import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';

const DEPCRUISE = resolve('node_modules/.bin/depcruise');

/** The rules `npm run lint` holds src/ to (.dependency-cruiser.cjs), run on a copy of src/ with `edit` applied. */
function violations(edit: (root: string) => void = () => undefined): { status: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'are-layers-'));
  try {
    for (const path of ['src', 'tsconfig.json', '.dependency-cruiser.cjs']) cpSync(path, join(root, path), { recursive: true });
    edit(root);
    const run = spawnSync(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'src'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the layers of src/ (dependency-cruiser, in npm run lint)', function () {
  this.timeout(120_000);

  it('hold for the code as it is', () => {
    const { status, output } = violations();
    expect(output).to.not.match(/error/);
    expect(status).to.equal(0);
  });

  it('fail on metrics importing from http, as selfMetrics and snapshotMetrics once did', () => {
    const { status, output } = violations((root) => { appendFileSync(join(root, 'src/metrics/family.ts'), "\nexport type { ExporterView } from '../http/app.js';\n"); });
    expect(status).to.not.equal(0);
    expect(output).to.contain('metrics-imports-downward: src/metrics/family.ts → src/http/app.ts');
  });

  it('fail on a cycle through the composition root, as exporter.ts ↔ http/app.ts once was', () => {
    const { status, output } = violations((root) => { appendFileSync(join(root, 'src/http/landing.ts'), "\nexport type { ExporterOptions } from '../exporter.js';\n"); });
    expect(status).to.not.equal(0);
    expect(output).to.contain('no-circular');
    expect(output).to.contain('http-imports-downward: src/http/landing.ts → src/exporter.ts');
  });

  it('fail on the simulator reaching into the exporter beyond the model', () => {
    const { output } = violations((root) => { appendFileSync(join(root, 'src/simulator/random.ts'), "\nexport type { TargetConfig } from '../config/types.js';\n"); });
    expect(output).to.contain('simulator-shares-only-the-model: src/simulator/random.ts → src/config/types.ts');
  });
});
