import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSimulator } from '../src/simulator/index.js';
import { MAIN } from './support/exporterProcess.js';
import type { DiscoveryConfig, TargetConfig } from '../src/config/types.js';
import { ACCOUNT, Harness, REGION, samples, value } from './support/harness.js';
import { AWS_DEFAULT_SCHEDULE, scheduledRuns } from '../src/model/weeklySchedule.js';
import { targetRef } from '../src/model/target.js';

const EU = 'eu-west-1';
const discover = (spec: Partial<DiscoveryConfig> & Pick<DiscoveryConfig, 'kinds'>): DiscoveryConfig => ({
  regions: [REGION], include: undefined, exclude: undefined, allDomains: false, role: undefined, expect: undefined, tagLabels: [], requireTags: new Map(), ...spec,
});
const watched = (text: string): string[] => samples(text, 'aws_resolution_exporter_target_up').map((line) => {
  const label = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(line)?.[1] ?? '';
  return `${label('kind')}/${label('aws_region')}/${label('target')}`;
}).sort();

describe('discovery and target facts (GetDomain, Get*Workflow)', function () {
  this.timeout(30_000);
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('finds domains with identity resolution on and workflows by pattern, in every region, merged with the listed targets', async () => {
    harness = await Harness.start({
      fleet: {
        regions: [REGION, EU],
        domains: ['retail-us', 'retail-sandbox', 'loyalty', 'legacy'],
        matchingDisabledDomains: ['legacy'],
        matchingWorkflows: ['dedupe', 'dedupe-test'],
        idMappingWorkflows: ['crm-to-ads'],
        historyJobsPerTarget: 2,
      },
      targets: [targetRef('identity_resolution', 'retail-us', REGION)],
      config: {
        discovery: [
          discover({ kinds: ['identity_resolution'], regions: [REGION, EU], exclude: 'sandbox' }),
          discover({ kinds: ['matching', 'id_mapping'], regions: [EU], include: '^(dedupe|crm)', exclude: '-test$' }),
        ],
      },
    });
    await harness.collect();
    const text = await harness.scrape();
    expect(watched(text)).to.deep.equal([
      `id_mapping/${EU}/crm-to-ads`,
      `identity_resolution/${EU}/loyalty`,
      `identity_resolution/${EU}/retail-us`,
      `identity_resolution/${REGION}/loyalty`,
      `identity_resolution/${REGION}/retail-us`,
      `matching/${EU}/dedupe`,
    ]);
    expect(value(text, 'aws_resolution_exporter_discovered_targets', { kind: 'identity_resolution' })).to.equal(4);
    expect(value(text, 'aws_resolution_exporter_discovered_targets', { kind: 'matching' })).to.equal(1);
    expect(value(text, 'aws_resolution_exporter_last_refresh_success')).to.equal(1);
    expect(harness.simulator.counts.calls('ListDomains'), 'one list per region').to.equal(2);
    expect(harness.simulator.counts.calls('GetDomain'), 'one GetDomain per domain, shared by discovery and facts').to.equal(6);
  });

  it('refreshes every refresh_every_collections: a new target is watched, a vanished one loses its series', async () => {
    harness = await Harness.start({
      fleet: { domains: ['first', 'second'], historyJobsPerTarget: 2 },
      targets: [],
      config: { discovery: [discover({ kinds: ['identity_resolution'], allDomains: true })], refreshEveryCollections: 3 },
    });
    await harness.collect();
    expect(watched(await harness.scrape())).to.deep.equal([`identity_resolution/${REGION}/first`, `identity_resolution/${REGION}/second`]);
    const fleet = harness.simulator.fleet;
    fleet.remove({ accountId: ACCOUNT, region: REGION, kind: 'identity_resolution', name: 'second' });
    fleet.add({ accountId: ACCOUNT, region: REGION, kind: 'identity_resolution', name: 'third' }, harness.simulator.now());
    await harness.collect();
    await harness.collect();
    expect(harness.simulator.counts.calls('ListDomains'), 'cached between refreshes').to.equal(1);
    await harness.collect();
    const text = await harness.scrape();
    expect(harness.simulator.counts.calls('ListDomains')).to.equal(2);
    expect(watched(text)).to.deep.equal([`identity_resolution/${REGION}/first`, `identity_resolution/${REGION}/third`]);
    expect(text, 'no series of the vanished domain').not.to.contain('domain="second"');
    expect(value(text, 'aws_resolution_exporter_refreshes_total')).to.equal(2);
  });

  it('stops watching what a discovery found once a reload removes the discovery', async () => {
    const listed: TargetConfig = targetRef('identity_resolution', 'first', REGION);
    let discovery = [discover({ kinds: ['identity_resolution'], allDomains: true })];
    const started: Harness = await Harness.start({
      fleet: { domains: ['first', 'second'], historyJobsPerTarget: 2 },
      targets: [listed],
      config: { discovery },
      loadConfig: () => Promise.resolve({ ...started.config, discovery }),
    });
    harness = started;
    await harness.collect();
    expect(watched(await harness.scrape())).to.deep.equal([`identity_resolution/${REGION}/first`, `identity_resolution/${REGION}/second`]);
    discovery = [];
    expect((await harness.exporter.reload()).ok).to.equal(true);
    await harness.collect();
    const text = await harness.scrape();
    expect(watched(text)).to.deep.equal([`identity_resolution/${REGION}/first`]);
    expect(text, 'no series of the domain only the discovery found').not.to.contain('domain="second"');
  });

  it('keeps what it found when a later discovery fails, and says so', async () => {
    harness = await Harness.start({
      fleet: { matchingWorkflows: ['dedupe'], historyJobsPerTarget: 2 },
      targets: [],
      config: { discovery: [discover({ kinds: ['matching'] })], refreshEveryCollections: 1 },
    });
    await harness.collect();
    harness.simulator.faults.add({ operation: 'ListMatchingWorkflows', effect: { type: 'error', status: 403, code: 'AccessDeniedException' } });
    await harness.collect();
    const text = await harness.scrape();
    expect(watched(text)).to.deep.equal([`matching/${REGION}/dedupe`]);
    expect(value(text, 'aws_resolution_exporter_target_up', { target: 'dedupe' })).to.equal(1);
    expect(value(text, 'aws_resolution_exporter_last_refresh_success')).to.equal(0);
    expect(value(text, 'aws_resolution_exporter_target_last_refresh_success', { target: 'dedupe' }), 'the target its failing discovery keeps is named').to.equal(0);
  });

  it('names the target whose GetDomain is denied, while its jobs are still read (target_up stays 1)', async () => {
    harness = await Harness.start({ fleet: { domains: ['retail-us', 'loyalty'], matchingWorkflows: ['dedupe'], historyJobsPerTarget: 2 }, config: { refreshEveryCollections: 1 } });
    harness.simulator.faults.add({ operation: 'GetDomain', target: 'loyalty', effect: { type: 'error', status: 403, code: 'AccessDeniedException' } });
    await harness.collect();
    const text = await harness.scrape();
    expect(value(text, 'aws_resolution_exporter_target_up', { target: 'loyalty' })).to.equal(1);
    expect(value(text, 'aws_resolution_exporter_target_last_refresh_success', { target: 'loyalty' })).to.equal(0);
    expect(value(text, 'aws_resolution_exporter_target_last_refresh_success', { target: 'retail-us' })).to.equal(1);
    expect(value(text, 'aws_resolution_exporter_target_last_refresh_success', { target: 'dedupe' })).to.equal(1);
    harness.simulator.faults.clear();
    await harness.collect();
    expect(value(await harness.scrape(), 'aws_resolution_exporter_target_last_refresh_success', { target: 'loyalty' }), 'recovers at the next refresh').to.equal(1);
  });

  it('gives discovered targets their discover block\'s expect:, and a domain its weekly schedule as interval', async () => {
    harness = await Harness.start({
      fleet: { domains: ['retail-us'], matchingWorkflows: ['dedupe'], historyJobsPerTarget: 2 },
      targets: [targetRef('identity_resolution', 'retail-us', REGION)],
      config: { discovery: [discover({ kinds: ['matching'], expect: { interval: 3600, maxQueued: 600 } })], expect: { interval: 86_400, maxDuration: 1800 } },
    });
    await harness.collect();
    const text = await harness.scrape();
    const expectation = (metric: string, labels: Record<string, string>): string => samples(text, metric, labels).map((line) => /source="(\w+)"\} (\S+)$/.exec(line)?.slice(1).join(' ') ?? line).join();
    expect(expectation('aws_entity_resolution_matching_expected_interval_seconds', { workflow: 'dedupe' })).to.equal('config 3600');
    expect(expectation('aws_entity_resolution_matching_expected_max_queued_seconds', { workflow: 'dedupe' })).to.equal('config 600');
    expect(expectation('aws_entity_resolution_matching_expected_max_duration_seconds', { workflow: 'dedupe' }), 'the top-level expect: fills what the block leaves').to.equal('config 1800');
    expect(expectation('aws_customer_profiles_identity_resolution_expected_interval_seconds', { domain: 'retail-us' }), 'the schedule beats the top-level expect:').to.equal('schedule 604800');
  });

  it('exports each domain\'s GetDomain facts and each workflow\'s settings, schedule runs included', async () => {
    harness = await Harness.start({
      fleet: {
        domains: ['retail-us', 'legacy'], matchingDisabledDomains: ['legacy'], historyJobsPerTarget: 2,
        matchingWorkflows: ['dedupe', { name: 'auto-dedupe', incrementalRunType: 'IMMEDIATE', output: { customerProfilesDomain: 'retail-us', s3: true } }],
        idMappingWorkflows: [{ name: 'crm-to-ads', idMappingType: 'RULE_BASED', incrementalRunType: 'ON_DEMAND' }],
      },
    });
    await harness.collect();
    const text = await harness.scrape();
    const sim = harness.simulator.fleet;
    const domain = sim.get({ accountId: ACCOUNT, region: REGION, kind: 'identity_resolution', name: 'retail-us' });
    const facts = domain?.domain;
    if (!domain || !facts) throw new Error('the simulator has no retail-us domain');
    const labels = { domain: 'retail-us' };
    expect(value(text, 'aws_customer_profiles_domain_identity_resolution_enabled', labels)).to.equal(1);
    expect(value(text, 'aws_customer_profiles_domain_identity_resolution_enabled', { domain: 'legacy' })).to.equal(0);
    expect(value(text, 'aws_customer_profiles_domain_rule_based_matching_enabled', labels)).to.equal(Number(facts.ruleBasedMatchingEnabled));
    expect(value(text, 'aws_customer_profiles_domain_profiles', labels)).to.equal(facts.profileCount);
    expect(value(text, 'aws_customer_profiles_domain_metering_profiles', labels)).to.equal(Math.round(facts.profileCount * 0.8));
    expect(value(text, 'aws_customer_profiles_domain_objects', labels)).to.equal(facts.objectCount);
    expect(value(text, 'aws_customer_profiles_domain_size_bytes', labels)).to.equal(facts.totalSizeBytes);
    const info = samples(text, 'aws_customer_profiles_domain_info', labels)[0] ?? '';
    expect(info).to.contain(`default_expiration_days="${facts.defaultExpirationDays}"`).and.contain(`auto_merging_enabled="${String(facts.autoMergingEnabled)}"`);
    const schedule = facts.schedule ? { dayOfTheWeek: facts.schedule.DayOfTheWeek, time: facts.schedule.Time } : AWS_DEFAULT_SCHEDULE;
    const runs = scheduledRuns(schedule, harness.clock.now() / 1000);
    expect(value(text, 'aws_customer_profiles_identity_resolution_next_run_timestamp_seconds', labels)).to.equal(runs?.next);
    expect(value(text, 'aws_customer_profiles_identity_resolution_previous_scheduled_run_timestamp_seconds', labels)).to.equal(runs?.previous);
    expect(samples(text, 'aws_customer_profiles_identity_resolution_next_run_timestamp_seconds', { domain: 'legacy' }), 'no schedule while identity resolution is off').to.deep.equal([]);
    const workflow = sim.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'dedupe' });
    expect(samples(text, 'aws_entity_resolution_workflow_info', { workflow: 'dedupe' })[0]).to.contain(`kind="matching"`).and.contain(`resolution_type="${workflow?.resolutionType ?? ''}"`);
    expect(samples(text, 'aws_entity_resolution_workflow_info', { workflow: 'crm-to-ads' })[0]).to.contain(`kind="id_mapping"`)
      .and.contain('resolution_type="RULE_BASED"').and.contain('incremental_run_type="ON_DEMAND"').and.contain('output_kind="s3"');
    expect(samples(text, 'aws_entity_resolution_workflow_info', { workflow: 'auto-dedupe' })[0])
      .to.contain('resolution_type="RULE_MATCHING"').and.contain('incremental_run_type="IMMEDIATE"').and.contain('output_kind="customer_profiles,s3"');
    expect(harness.simulator.counts.calls('GetMatchingWorkflow'), 'one Get per matching workflow per refresh').to.equal(2);
    expect(harness.simulator.counts.calls('ListMatchingWorkflows'), 'no list without discovery').to.equal(0);
    expect(value(text, 'aws_entity_resolution_workflow_updated_timestamp_seconds', { workflow: 'dedupe' })).to.equal(workflow?.updatedAt);
  });

  it('holds an automatic workflow without history to no interval, and one with history to its own', async () => {
    harness = await Harness.start({
      fleet: { matchingWorkflows: [{ name: 'auto-new', incrementalRunType: 'IMMEDIATE' }, { name: 'auto-busy', incrementalRunType: 'IMMEDIATE' }], historyJobsPerTarget: 5 },
    });
    const fleet = harness.simulator.fleet;
    // auto-new has not run yet: its generated jobs are cleared, so its history shows no cadence.
    fleet.get({ accountId: ACCOUNT, region: REGION, kind: 'matching', name: 'auto-new' })?.clearGenerated(harness.clock.now() / 1000);
    await harness.collect();
    const text = await harness.scrape();
    expect(samples(text, 'aws_entity_resolution_matching_expected_interval_seconds', { workflow: 'auto-new' }), 'no default interval for an automatic workflow').to.deep.equal([]);
    expect(samples(text, 'aws_entity_resolution_matching_expected_interval_seconds', { workflow: 'auto-busy' })[0]).to.contain('source="history"');
  });

  it('discovers by tag: exactly the tagged domains and workflows, each info series carrying its tag_team', async () => {
    harness = await Harness.start({
      fleet: {
        domains: [{ name: 'payments-eu', tags: { team: 'payments', 'cost-center': 'cc-1' } }, { name: 'ads', tags: { team: 'ads' } }, 'untagged'],
        matchingWorkflows: [{ name: 'pay-dedupe', tags: { team: 'payments' } }, { name: 'ads-dedupe', tags: { team: 'ads' } }],
        idMappingWorkflows: ['untagged-ids'],
        historyJobsPerTarget: 2,
      },
      targets: [],
      config: {
        discovery: [
          discover({ kinds: ['identity_resolution'], allDomains: true, tagLabels: ['team', 'cost-center'], requireTags: new Map([['team', null]]) }),
          discover({ kinds: ['matching', 'id_mapping'], tagLabels: ['team'], requireTags: new Map([['team', 'payments']]) }),
        ],
      },
    });
    await harness.collect();
    const text = await harness.scrape();
    expect(watched(text)).to.deep.equal([`identity_resolution/${REGION}/ads`, `identity_resolution/${REGION}/payments-eu`, `matching/${REGION}/pay-dedupe`]);
    expect(samples(text, 'aws_customer_profiles_domain_info', { domain: 'payments-eu' })[0]).to.contain('tag_team="payments"').and.contain('tag_cost_center="cc-1"');
    expect(samples(text, 'aws_customer_profiles_domain_info', { domain: 'ads' })[0]).to.contain('tag_team="ads"').and.not.contain('tag_cost_center');
    expect(samples(text, 'aws_entity_resolution_workflow_info', { workflow: 'pay-dedupe' })[0]).to.contain('tag_team="payments"');
    expect(harness.simulator.counts.calls('GetMatchingWorkflow') + harness.simulator.counts.calls('GetIdMappingWorkflow'), 'one Get per listed workflow, shared by discovery and facts').to.equal(3);
  });

  it('--config.check=discover prints every target it would watch, and exits 1 when AWS cannot be read', async () => {
    const simulator = await startSimulator({ fleet: { domains: ['retail-us', 'loyalty'], matchingWorkflows: ['dedupe'], historyJobsPerTarget: 1 } });
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'are-discover-')), 'config.yaml');
      writeFileSync(file, `region: ${REGION}\ncustomer_profiles:\n  domains:\n    - name: retail-us\n  discover:\n    include: "^(retail|loyalty)"\nentity_resolution:\n  discover:\n    kinds: [matching]\n`);
      const env = { ...process.env, AWS_ENDPOINT_URL: simulator.url, AWS_ACCESS_KEY_ID: 'AKIADISCOVERYTEST001', AWS_SECRET_ACCESS_KEY: 'discovery-secret', AWS_MAX_ATTEMPTS: '1' };
      // Asynchronously: the simulator answers from this very process.
      const run = () => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [...MAIN, `--config.file=${file}`, '--config.check=discover'], { encoding: 'utf8', env }, (error, stdout, stderr) => {
          resolve({ status: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
        });
      });
      const ok = await run();
      expect(ok.status, ok.stderr).to.equal(0);
      expect(ok.stdout.trim().split('\n').slice(1)).to.deep.equal([
        `listed\tidentity_resolution\t${REGION}\tretail-us`,
        `discovered\tidentity_resolution\t${REGION}\tloyalty`,
        `discovered\tmatching\t${REGION}\tdedupe`,
      ]);
      simulator.faults.add({ operation: 'ListDomains', effect: { type: 'error', status: 403, code: 'AccessDeniedException' } });
      const denied = await run();
      expect(denied.status).to.equal(1);
      expect(denied.stdout).to.contain('discovered\tmatching');
    } finally {
      await simulator.close();
    }
  });

  it('--config.check=discover says why each resource a discovery found was left out', async () => {
    const simulator = await startSimulator({
      fleet: {
        domains: [{ name: 'payments', tags: { team: 'payments' } }, { name: 'ads', tags: { team: 'ads' } }, 'untagged', { name: 'sandbox-pay', tags: { team: 'payments' } }],
        matchingDisabledDomains: ['sandbox-pay'],
        matchingWorkflows: [{ name: 'pay-dedupe', tags: { team: 'payments' } }, { name: 'ads-dedupe', tags: { team: 'ads' } }],
        historyJobsPerTarget: 1,
      },
    });
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'are-discover-')), 'config.yaml');
      writeFileSync(file, `region: ${REGION}
customer_profiles:
  discover:
    exclude: "^untagged$"
    require_tags: { team: payments }
entity_resolution:
  discover:
    kinds: [matching]
    require_tags: { team: payments }
`);
      const env = { ...process.env, AWS_ENDPOINT_URL: simulator.url, AWS_ACCESS_KEY_ID: 'AKIADISCOVERYTEST001', AWS_SECRET_ACCESS_KEY: 'discovery-secret', AWS_MAX_ATTEMPTS: '1' };
      const { status, stdout, stderr } = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [...MAIN, `--config.file=${file}`, '--config.check=discover'], { encoding: 'utf8', env }, (error, out, err) => {
          resolve({ status: typeof error?.code === 'number' ? error.code : 0, stdout: out, stderr: err });
        });
      });
      expect(status, stderr).to.equal(0);
      expect(stdout.trim().split('\n').slice(1)).to.deep.equal([
        `discovered\tidentity_resolution\t${REGION}\tpayments`,
        `discovered\tmatching\t${REGION}\tpay-dedupe`,
        `left out\tidentity_resolution\t${REGION}\tads\t\ttag team is "ads", not "payments"`,
        `left out\tidentity_resolution\t${REGION}\tsandbox-pay\t\tidentity resolution (Matching) is off; all_domains: true watches it anyway`,
        `left out\tidentity_resolution\t${REGION}\tuntagged\t\tname matches exclude "^untagged$"`,
        `left out\tmatching\t${REGION}\tads-dedupe\t\ttag team is "ads", not "payments"`,
      ]);
    } finally {
      await simulator.close();
    }
  });
});
