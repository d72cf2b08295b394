import { expect } from 'chai';
import { snapshotFamilies } from '../scripts/metricReference.js';
import { Harness, ManualClock } from './support/harness.js';
import { expectGolden, familyBlocks, undeclaredLabels } from './support/golden.js';
import { promtoolCheckMetrics } from './support/promtool.js';

const FIXTURE = 'test/golden/exposition.prom';

/** Monday 2 June 2025, 09:00 UTC: the simulator's job history and the exporter's lookback are reckoned from it. */
const START_MS = Date.UTC(2025, 5, 2, 9);

/**
 * The exporter's own families are left out: their values are of this run (durations, request counts, the
 * process), where every other series is a function of the seed and the clock.
 */
const OWN_FAMILIES = /^(aws_resolution_exporter_|process_|nodejs_)/;

describe(`the whole exposition (${FIXTURE}, refreshed by npm run golden:refresh)`, () => {
  it('is, for a seeded simulator at a fixed time, the snapshot part of /metrics byte for byte', async () => {
    const harness = await Harness.start({
      clock: new ManualClock(START_MS),
      fleet: {
        domains: ['retail-us', 'loyalty-eu'],
        matchingWorkflows: ['dedupe', 'broken-matching'],
        idMappingWorkflows: ['crm-to-ads'],
        failingWorkflows: ['broken-matching'],
        historyJobsPerTarget: 4,
        runningFraction: 0.5,
      },
      simulator: { seed: 'golden' },
    });
    try {
      // A day between two collections: jobs finish in between, so the counters count and the volumes compare.
      await harness.collect();
      harness.clock.advance(86_400);
      await harness.collect();
      const blocks = familyBlocks(await harness.scrape()).filter((block) => !OWN_FAMILIES.test(block.name));
      const exposition = blocks.map((block) => block.text).join('\n');
      expectGolden(FIXTURE, exposition);
      const declared = new Map(snapshotFamilies().map((family) => [family.name, family.labelNames]));
      expect(undeclaredLabels(blocks, declared), 'series whose labels are not their family\'s labelNames').to.deep.equal([]);
      expect(promtoolCheckMetrics(exposition)).to.equal('');
    } finally {
      await harness.close();
    }
  });
});
