import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  const check = (config: string, sim: Pick<Simulator, 'url'>, env: NodeJS.ProcessEnv = {}): Promise<Run> => run([`--config.file=${configFile(config)}`, '--config.check=aws'], {
    ...process.env, AWS_ENDPOINT_URL: sim.url, AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: 'preflight-secret', AWS_MAX_ATTEMPTS: '1', ...env,
  });

  /** The preflight of CONFIG while every `operation` call answers 500 InternalServerException `boom`; it exits 1. */
  const checkWithInternalError = async (operation: string, fleet: FleetSpec): Promise<{ result: Run; table: string[] }> => {
    simulator = await startSimulator({ fleet });
    simulator.faults.add({ operation, effect: { type: 'error', status: 500, code: 'InternalServerException', message: 'boom' } });
    const result = await check(CONFIG, simulator);
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    return { result, table: rows(result.stdout) };
  };

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
      'crm-to-ads id_mapping entityresolution:GetIdMappingWorkflow ok',
      'crm-to-ads id_mapping entityresolution:ListIdMappingJobs ok',
      'crm-to-ads id_mapping entityresolution:GetIdMappingJob ok',
      'loyalty identity_resolution profile:GetDomain ok',
      'loyalty identity_resolution profile:ListIdentityResolutionJobs ok',
      'loyalty identity_resolution profile:GetIdentityResolutionJob ok',
      'retail-us identity_resolution profile:GetDomain ok',
      'retail-us identity_resolution profile:ListIdentityResolutionJobs ok',
      'retail-us identity_resolution profile:GetIdentityResolutionJob ok',
      'dedupe matching entityresolution:GetMatchingWorkflow ok',
      'dedupe matching entityresolution:ListMatchingJobs ok',
      'dedupe matching entityresolution:GetMatchingJob ok',
    ]);
    expect(result.stdout).to.match(/^preflight: 15 calls, 15 ok: OK$/m);
    for (const operation of ['GetDomain', 'ListIdentityResolutionJobs', 'GetIdentityResolutionJob']) {
      expect(simulator.counts.callsFor(operation, 'retail-us'), operation).to.equal(1);
    }
    for (const [operation, workflow] of [['GetMatchingWorkflow', 'dedupe'], ['GetMatchingJob', 'dedupe'], ['GetIdMappingWorkflow', 'crm-to-ads']] as const) {
      expect(simulator.counts.callsFor(operation, workflow), operation).to.equal(1);
    }
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
    expect(table).to.include('no-such-workflow id_mapping entityresolution:GetIdMappingWorkflow not found');
    expect(table).to.include('no-such-workflow id_mapping entityresolution:ListIdMappingJobs not found');
    expect(result.stdout).to.match(/^preflight: 18 calls, 14 ok, 1 denied, 3 not found: FAILED$/m);
  });

  it('checks each workflow\'s Get*Workflow action: denied when the policy lacks it, the job actions still ok', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    for (const action of ['GetMatchingWorkflow', 'GetIdMappingWorkflow']) {
      simulator.faults.add({ operation: action, effect: { type: 'error', status: 403, code: 'AccessDeniedException', message: `not authorized to perform: entityresolution:${action}` } });
    }
    const result = await check(CONFIG, simulator);
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    expect(rows(result.stdout)).to.include.members([
      'dedupe matching entityresolution:GetMatchingWorkflow denied',
      'dedupe matching entityresolution:ListMatchingJobs ok',
      'crm-to-ads id_mapping entityresolution:GetIdMappingWorkflow denied',
      'crm-to-ads id_mapping entityresolution:GetIdMappingJob ok',
    ]);
    expect(result.stdout).to.match(/^preflight: 15 calls, 13 ok, 2 denied: FAILED$/m);
  });

  it('proves a Get permission on a target with no job yet, and names an error that is neither denial nor absence', async () => {
    const { result, table } = await checkWithInternalError('ListMatchingWorkflows', { ...FLEET, historyJobsPerTarget: 0 });
    expect(table).to.include('retail-us identity_resolution profile:GetIdentityResolutionJob ok (no job yet)');
    expect(table).to.include('crm-to-ads id_mapping entityresolution:GetIdMappingJob ok (no job yet)');
    expect(table).to.include('* account entityresolution:ListMatchingWorkflows error: InternalServerException [1]');
    expect(result.stdout).to.match(/^\[1\] InternalServerException: boom$/m);
  });

  it('names an error that repeats once, in a note every row of it points to', async () => {
    const { result, table } = await checkWithInternalError('ListIdentityResolutionJobs', FLEET);
    expect(table).to.include('retail-us identity_resolution profile:ListIdentityResolutionJobs error: InternalServerException [1]');
    expect(table).to.include('loyalty identity_resolution profile:ListIdentityResolutionJobs error: InternalServerException [1]');
    expect(result.stdout.match(/InternalServerException: boom/g), 'the message once').to.have.length(1);
    expect(result.stdout).to.match(/^\[1\] InternalServerException: boom$/m);
  });

  it('says when the credentials cannot be resolved', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    simulator.faults.add({ operation: 'GetCallerIdentity', effect: { type: 'error', status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' } });
    const result = await check(CONFIG, simulator);
    expect(result.status).to.equal(1);
    expect(result.stdout).to.match(/^identity: cannot resolve credentials: InvalidClientTokenId: The security token included in the request is invalid\.$/m);
    expect(rows(result.stdout), 'nothing else was called').to.deep.equal([]);
  });

  it('tries a role that cannot be assumed once, says why in one line, and lists its targets as not checked', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    const role = 'arn:aws:iam::999999999999:role/aws-resolution-reader';
    const config = `region: ${REGION}\ncustomer_profiles:\n  domains:\n    - name: retail-us\n      role_arn: ${role}\n    - name: loyalty\n      role_arn: ${role}\n`
      + 'entity_resolution:\n  matching_workflows:\n    - name: dedupe\n';
    const result = await check(config, simulator);
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    const caller = /^identity: (\S+) /m.exec(result.stdout)?.[1];
    expect(result.stdout.split('\n').filter((line) => line.includes('sts:AssumeRole'))).to.deep.equal([
      `sts:AssumeRole denied for ${role}: the role's trust policy must allow ${caller ?? '?'} to assume it, and that identity's own policy must allow sts:AssumeRole on the role`,
    ]);
    const table = rows(result.stdout);
    expect(table).to.include.members([
      '* account * not checked (role not assumed)',
      'retail-us identity_resolution * not checked (role not assumed)',
      'loyalty identity_resolution * not checked (role not assumed)',
      'dedupe matching entityresolution:ListMatchingJobs ok',
    ]);
    expect(table.filter((row) => row.includes('denied')), 'nothing blamed on the targets\' own actions').to.deep.equal([]);
    expect(result.stdout).to.match(/^preflight: 15 calls, 6 ok, 9 not checked: FAILED$/m);
    expect(simulator.counts.calls('AssumeRole'), 'one attempt for the role').to.equal(1);
    expect(simulator.counts.calls('GetDomain'), 'no call under the role').to.equal(0);
  });

  it('says in one line which endpoint cannot be reached, when the credentials are fine', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    const down = await closedPortUrl();
    const result = await check(CONFIG, { ...simulator, url: down });
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    expect(result.stdout.split('\n').filter((line) => line.includes(down))).to.deep.equal([`unreachable: ${down} (ECONNREFUSED)`]);
    expect(result.stdout).to.not.include('cannot resolve credentials');
    expect(rows(result.stdout)).to.deep.equal([]);
    expect(result.stdout).to.match(/^preflight: 12 calls, 12 not checked: FAILED$/m);
  });

  it('checks each service endpoint once, and does not call the targets behind one that cannot be reached', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    const down = await closedPortUrl();
    const result = await check(CONFIG, { ...simulator, url: down }, { AWS_ENDPOINT_URL_STS: simulator.url });
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('unreachable:'))).to.deep.equal([`unreachable: ${down} (ECONNREFUSED)`]);
    expect(result.stdout).to.match(/^identity: arn:aws:iam::\d{12}:user\/\S+ \(account \d{12}\)$/m);
    expect(rows(result.stdout)).to.include.members([
      '* account profile:ListDomains unreachable',
      '* account entityresolution:ListMatchingWorkflows unreachable',
      '* account entityresolution:ListIdMappingWorkflows not checked (endpoint unreachable)',
      'retail-us identity_resolution * not checked (endpoint unreachable)',
      'dedupe matching * not checked (endpoint unreachable)',
    ]);
  });

  it('says in one line, naming the provider chain, that no credentials were found, and calls nothing', async () => {
    simulator = await startSimulator({ fleet: FLEET });
    const result = await run([`--config.file=${configFile(CONFIG)}`, '--config.check=aws'], { ...withoutCredentials(), AWS_ENDPOINT_URL: simulator.url });
    expect(result.status, result.stdout + result.stderr).to.equal(1);
    const lines = result.stdout.split('\n').filter((line) => line.length > 0);
    expect(lines.slice(1)).to.deep.equal([
      'credentials: none found by the AWS SDK\'s default provider chain (environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, '
        + 'profile default of the shared credentials and config files, its credential_process, a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE), '
        + 'ECS container credentials, EC2 instance metadata)',
      'preflight: 12 calls, 12 not checked: FAILED',
    ]);
    expect(simulator.counts.calls('GetCallerIdentity')).to.equal(0);
  });
});

/** An http URL on 127.0.0.1 that refuses connections: a port just released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return `http://127.0.0.1:${port}`;
}

/** This process's environment with every place the SDK's chain looks for credentials empty, instance metadata off. */
function withoutCredentials(): NodeJS.ProcessEnv {
  const empty = mkdtempSync(join(tmpdir(), 'are-no-credentials-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  writeFileSync(join(empty, 'config'), '');
  writeFileSync(join(empty, 'credentials'), '');
  return { ...env, AWS_CONFIG_FILE: join(empty, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'), AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: REGION, AWS_MAX_ATTEMPTS: '1' };
}

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
