import { DEMO_CREDENTIALS, startDemo } from '../../src/demo.js';
import { manualSchedule, startExporter, type Scheduler } from '../../src/exporter.js';
import { createLogger } from '../../src/log.js';

export interface DemoExporter {
  /** http://127.0.0.1:PORT of the exporter. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The demo as `--demo` runs it, in this process: its simulator and its config, the first collection finished.
 * It collects again on the demo's schedule with cronScheduler; by default it stays at that one.
 */
export async function startDemoExporter(scheduler: Scheduler = manualSchedule): Promise<DemoExporter> {
  const demo = await startDemo();
  const exporter = await startExporter({
    config: demo.config,
    logger: createLogger('error', 'json', { write: () => undefined }),
    host: '127.0.0.1',
    port: 0,
    telemetryPath: '/metrics',
    scheduler,
    credentials: DEMO_CREDENTIALS,
  });
  await exporter.collect();
  return {
    url: exporter.url,
    async stop() {
      await exporter.stop();
      await demo.simulator.close();
    },
  };
}
