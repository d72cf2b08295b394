import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { isSupportedNode, SUPPORTED_NODE } from '../src/version.js';
import { startExporterProcess } from './support/exporterProcess.js';

describe('supported Node.js lines', () => {
  it('are 22 and 24, in package.json, the README, the Docker image and CI', () => {
    expect(SUPPORTED_NODE).to.equal('22 || 24');
    expect(readFileSync('README.md', 'utf8')).to.contain('Node.js 22 or 24');
    expect(readFileSync('Dockerfile', 'utf8')).to.match(/^ARG NODE_IMAGE=node:24-/m);
    const ci = readFileSync('.ci/run', 'utf8');
    expect(ci).to.match(/^SUPPORTED_NODE_LINES="22 24"$/m);
  });

  it('tells a supported line from one past its end of life or not tested yet', () => {
    expect(['v22.12.0', 'v24.0.0', 'v24.11.1'].map((version) => isSupportedNode(version))).to.deep.equal([true, true, true]);
    expect(['v18.20.0', 'v20.20.2', 'v23.1.0', 'v26.0.0'].map((version) => isSupportedNode(version))).to.deep.equal([false, false, false, false]);
  });

  it('the exporter warns at start-up on any other line, and only then', async function () {
    this.timeout(30_000);
    const exporter = await startExporterProcess(['--demo']);
    try {
      const warned = exporter.output().includes('this Node.js line is not supported');
      expect(warned, `on ${process.version}`).to.equal(!isSupportedNode(process.version));
    } finally {
      await exporter.stop();
    }
  });
});
