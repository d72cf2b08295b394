import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { cronScheduler } from '../src/exporter.js';
import { CHROMIUM, screenshot } from '../test/support/chromium.js';
import { startDemoExporter } from '../test/support/demoExporter.js';
import { requireInstalled } from '../test/support/monitoringServers.js';

/**
 * The README's figure of the status page: the demo, run on its schedule for a minute (an hour of simulated time,
 * so every target has a run history), photographed by headless Chromium.
 *
 *   npm run screenshot -- [--seconds 60] [--out docs/images/status-page.png]
 */
export const SCREENSHOT_FILE = 'docs/images/status-page.png';
const WIDTH = 1600;
const HEIGHT = 800;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, out: { type: 'string', default: SCREENSHOT_FILE } } });
requireInstalled([CHROMIUM]);
const demo = await startDemoExporter(cronScheduler);
try {
  await sleep(Number(values.seconds) * 1000);
  await screenshot(`${demo.url}/`, values.out, WIDTH, HEIGHT);
  process.stdout.write(`${values.out}: the demo's status page after ${values.seconds} s\n`);
} finally {
  await demo.stop();
}
