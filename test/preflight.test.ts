import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ACTION_PROBES } from '../src/check/actions.js';
import { startSimulator, type FleetSpec, type Simulator } from '../src/simulator/index.js';
import { MAIN } from './support/exporterProcess.js';
import { IAM_POLICY, policyActions, readPolicy } from './support/iamPolicy.js';

const REGION = 'us-east-1';
const ACCESS_KEY = 'AKIAPREFLIGHTTEST001';

interface Run { status: number; stdout: string; stderr: string }

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'are-preflight-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

/** The exporter's own process, asynchronously: the simulator answers from this very process. */
function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...MAIN, ...args], { encoding: 'utf8', env }, (error, stdout, stderr) => {
      resolve({ status: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** The table's rows as `target kind action result`, whitespace collapsed. */
function rows(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^\S+\s+(account|identity_resolution|matching|id_mapping)\s/.test(line))
    .map((line) => line.trim().split(/\s{2,}/)).map(([target, kind, , , action, result]) => `${target ?? ''} ${kind ?? ''} ${action ?? ''} ${result ?? ''}`);
}

const FLEET: FleetSpec = { domains: ['retail-us', 'loyalty'], matchingWorkflows: ['dedupe'], idMappingWorkflows: ['crm-to-ads'], historyJobsPerTarget: 2 };
const CONFIG = `region: ${REGION}
customer_profiles:
  domains:
    - name: retail-us
  discover:
    include: "^loyalty"
entity_resolution:
  matching_workflows:
    - name: dedupe
  id_mapping_workflows:
    - name: crm-to-ads
`;

describe('--config.check=aws (preflight)', function () {
  this.timeout(60_000);
  let simulator: Simulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });
  const check = (config: string, sim: Simulator): Promise<Run> => run([`--config.file=${configFile(config)}`, '--config.check=aws'], {
    ...process.env, AWS_ENDPOINT_URL: sim.url, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: 'preflight-secret', AWS_MAX_ATTEMPTS: '1',
  });

  it('tries exactly the actions of docs/iam-policy.json, so a clean preflight proves the policy', () => {
    const allowed = policyActions(readPolicy(IAM_POLICY)).sort();
    expect(ACTION_PROBES.map((probe) => probe.action).sort()).to.deep.equal(allowed);
  });

  it('prints the identity and one ok per action and target, listed and discovered, each call made once, and exits 0', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    const result = await check(CONFIG, simulator);
    expect(result.status, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^identity: arn:aws:iam::\d{12}:user\/\S+ \(account \d{12}\)$/m);
    expect(rows(result.stdout)).to.have.members([
      '* account profile:ListDomains ok',
      '* account entityresolution:ListMatchingWorkflows ok',
      '* account entityresolution:ListIdMappingWorkflows ok',
      'crm-to-ads id_mapping entityresolution:ListIdMappingJobs ok',
      'crm-to-ads id_mapping entityresolution:GetIdMappingJob ok',
      'loyalty identity_resolution profile:GetDomain ok',
      'loyalty identity_resolution profile:ListIdentityResolutionJobs ok',
      'loyalty identity_resolution profile:GetIdentityResolutionJob ok',
      'retail-us identity_resolution profile:GetDomain ok',
      'retail-us identity_resolution profile:ListIdentityResolutionJobs ok',
      'retail-us identity_resolution profile:GetIdentityResolutionJob ok',
      'dedupe matching entityresolution:ListMatchingJobs ok',
      'dedupe matching entityresolution:GetMatchingJob ok',
    ]);
    expect(result.stdout).to.match(/^preflight: 13 calls, 13 ok: OK$/m);
    for (const operation of ['GetDomain', 'ListIdentityResolutionJobs', 'GetIdentityResolutionJob']) {
      expect(simulator.counts.callsFor(operation, 'retail-us'), operation).to.equal(1);
    }
    expect(simulator.counts.callsFor('GetMatchingJob', 'dedupe')).to.equal(1);
    expect(simulator.counts.calls('GetCallerIdentity'), 'one identity lookup, shared with the discoveries').to.equal(1);
  });

  it('reports a denied action and a target that does not exist, and exits 1', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    simulator.faults.add({ operation: 'GetMatchingJob', effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: 'not authorized to perform: entityresolution:GetMatchingJob' } });
    const result = await check(`${CONFIG}    - name: no-such-workflow\n`, simulator);
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    const table = rows(result.stdout);
    expect(table).to.include('dedupe matching entityresolution:GetMatchingJob denied');
    expect(table).to.include('dedupe matching entityresolution:ListMatchingJobs ok');
    expect(table).to.include('no-such-workflow id_mapping entityresolution:ListIdMappingJobs not found');
    expect(result.stdout).to.match(/^preflight: 15 calls, 12 ok, 1 denied, 2 not found: FAILED$/m);
  });

  it('proves a Get permission on a target with no job yet, and names an error that is neither denial nor absence', async () => {
    simulator = await startSimulator({ fleet: { ...FLEET, historyJobsPerTarget: 0 } });
    simulator.faults.add({ operation: 'ListMatchingWorkflows', effect: { type: 'error', status: 500, code: 'InternalServerException', message: 'boom' } });
    const result = await check(CONFIG, simulator);
    expect(result.status).to.equal(1);
    const table = rows(result.stdout);
    expect(table).to.include('retail-us identity_resolution profile:GetIdentityResolutionJob ok (no job yet)');
    expect(table).to.include('crm-to-ads id_mapping entityresolution:GetIdMappingJob ok (no job yet)');
    expect(table).to.include('* account entityresolution:ListMatchingWorkflows error: InternalServerException: boom');
  });

  it('says when the credentials cannot be resolved', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    simulator.faults.add({ operation: 'GetCallerIdentity', effect: { type: 'error', status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' } });
    const result = await check(CONFIG, simulator);
    expect(result.status).to.equal(1);
    expect(result.stdout).to.match(/^identity: cannot resolve credentials: InvalidClientTokenId: The security token included in the request is invalid\.$/m);
  });
});

describe('a target without a region', () => {
  const noRegion = 'customer_profiles:\n  domains:\n    - name: retail-us\n';
  // No region anywhere the SDK looks: not in the environment, not in a profile.
  const bare: NodeJS.ProcessEnv = { ...process.env, AWS_CONFIG_FILE: join(tmpdir(), 'no-such-aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'no-such-aws-credentials') };
  delete bare.AWS_REGION;
  delete bare.AWS_DEFAULT_REGION;
  delete bare.AWS_PROFILE;

  it('fails --config.check and start-up with exit 2 and one FILE: region: line, when the SDK has no region either', async () => {
    const file = configFile(noRegion);
    for (const args of [['--config.check'], ['--web.listen-address=127.0.0.1:0']]) {
      const result = await run([`--config.file=${file}`, ...args], bare);
      expect(result.status, args.join(' ')).to.equal(2);
      expect(result.stderr.trim()).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: region: missing, and the AWS SDK finds no default region .* for retail-us: set region here, or on each target$`));
    }
  });

  it('passes when the SDK gives one (AWS_REGION) or the config does', async () => {
    expect((await run([`--config.file=${configFile(noRegion)}`, '--config.check'], { ...bare, AWS_REGION: 'eu-west-1' })).status).to.equal(0);
    expect((await run([`--config.file=${configFile(`region: eu-west-1\n${noRegion}`)}`, '--config.check'], bare)).status).to.equal(0);
  });
});
