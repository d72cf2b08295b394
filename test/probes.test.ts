/**
 * The liveness and readiness probes as they are deployed: an exporter with TLS and basic authentication, probed
 * exactly as the Kubernetes manifests (rendered by the real kustomize, `kubectl kustomize`) and the Docker image's
 * HEALTHCHECK say, without credentials and without verifying its self-signed certificate; everything else still
 * asks for credentials.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { expect } from 'chai';
import type { IContainer } from 'kubernetes-models/v1';
import { parseFlags } from '../src/cli/flags.js';
import { parseConfig } from '../src/config/load.js';
import { manualSchedule, type RunningExporter, startExporter } from '../src/exporter.js';
import { loadWebConfigFile } from '../src/http/webConfig.js';
import { createLogger } from '../src/log.js';
import { IDLE_CONFIG } from './support/idleConfig.js';
import { kustomize, ofKind, type Kinds, type KubernetesObject } from './support/kustomize.js';
import { request } from './support/request.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KUBERNETES_DIR = join(ROOT, 'deploy', 'kubernetes');
const USER = 'prometheus';
const PASSWORD = 'scrape me';
/** The name the certificate carries, and the ServiceMonitor verifies. */
const SERVER_NAME = 'aws-resolution-exporter';

/** `kubectl kustomize` of an overlay of `resources` with `components` (directories of deploy/kubernetes). */
const render = (resources: string, components: readonly string[]): KubernetesObject[] =>
  kustomize(join(KUBERNETES_DIR, resources), components.map((component) => join(KUBERNETES_DIR, component)));

/** The Docker image's HEALTHCHECK command (exec form). */
function healthcheckCommand(): string[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replaceAll('\\\n', ' ');
  const command = /^HEALTHCHECK\s.*?\bCMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (command === undefined) throw new Error('Dockerfile: no HEALTHCHECK CMD in exec form');
  return JSON.parse(command) as string[];
}

/**
 * Runs the HEALTHCHECK command against 127.0.0.1:`port`, its script taken from the sources (tsconfig.build.json
 * compiles src/ to the image's dist/); resolves with its exit code and output.
 */
function runHealthcheck(port: number): Promise<{ code: number | null; output: string }> {
  const [node, script, ...args] = healthcheckCommand();
  expect(node, 'HEALTHCHECK runs node').to.equal('node');
  const source = (script ?? '').replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
  expect(existsSync(join(ROOT, source)), `HEALTHCHECK script ${String(script)} built from ${source}`).to.equal(true);
  // Spawned, not run synchronously: the exporter it asks runs in this process.
  const child = spawn(process.execPath, ['--import', 'tsx', source, ...args], { cwd: ROOT, env: { ...process.env, HEALTHCHECK_PORT: String(port) } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  return new Promise((resolve) => child.on('exit', (code) => { resolve({ code, output }); }));
}

const silent = createLogger('error', 'json', { write: () => undefined });

describe('probes: an exporter with TLS and basic authentication, probed as the manifests and the HEALTHCHECK probe it', function () {
  this.timeout(30_000);
  let root: string;
  /** The kubernetes.io/tls Secret the manifests expect: a self-signed certificate, which is its own CA. */
  let secret: Record<string, Buffer>;
  let running: RunningExporter | undefined;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'are-probes-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tls.key', '-out', 'tls.crt',
      '-days', '2', '-subj', `/CN=${SERVER_NAME}`, '-addext', `subjectAltName=DNS:${SERVER_NAME}`], { cwd: root, stdio: 'pipe' });
    const cert = readFileSync(join(root, 'tls.crt'));
    secret = { 'tls.crt': cert, 'tls.key': readFileSync(join(root, 'tls.key')), 'ca.crt': cert };
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  const workloadOf = (manifests: readonly KubernetesObject[]): Kinds['Deployment'] | Kinds['StatefulSet'] => {
    const [workload, ...others] = [...ofKind(manifests, 'Deployment'), ...ofKind(manifests, 'StatefulSet')];
    if (!workload || others.length > 0) throw new Error('expected one Deployment or StatefulSet');
    return workload;
  };
  const containerOf = (workload: Kinds['Deployment'] | Kinds['StatefulSet']): IContainer => {
    const container = workload.spec?.template.spec?.containers[0];
    if (!container) throw new Error(`${workload.kind}: no container`);
    return container;
  };

  /**
   * The files the container would see at the directory of its --web.config.file: the ConfigMaps and Secret projected
   * there, written into a directory of their own, the web config given basic_auth_users (as the README's overlay
   * patch does). Undefined without the flag.
   */
  function mountWebConfig(manifests: readonly KubernetesObject[], name: string): string | undefined {
    const workload = workloadOf(manifests);
    const file = parseFlags(containerOf(workload).args ?? []).webConfigFile;
    if (file === undefined) return undefined;
    const mount = containerOf(workload).volumeMounts?.find(({ mountPath }) => mountPath === posix.dirname(file));
    const volume = workload.spec?.template.spec?.volumes?.find((candidate) => candidate.name === mount?.name);
    const dir = mkdtempSync(join(root, `${name}-`));
    for (const { configMap, secret: secretSource } of volume?.projected?.sources ?? []) {
      const data = configMap && ofKind(manifests, 'ConfigMap').find(({ metadata }) => metadata?.name === configMap.name)?.data;
      for (const [key, text] of Object.entries(data ?? {})) writeFileSync(join(dir, key), text);
      const items = secretSource?.items ?? Object.keys(secret).map((key) => ({ key, path: key }));
      for (const { key, path } of secretSource ? items : []) writeFileSync(join(dir, path), secret[key] ?? '');
    }
    const webConfig = join(dir, basename(file));
    expect(existsSync(webConfig), `${file} in the volume mounted at ${posix.dirname(file)}`).to.equal(true);
    writeFileSync(webConfig, `${readFileSync(webConfig, 'utf8')}\nbasic_auth_users:\n  ${USER}: '${bcrypt.hashSync(PASSWORD, 4)}'\n`);
    return webConfig;
  }

  /** Starts the exporter in-process with the web config the manifests give it (none: plain HTTP); returns its port. */
  async function serveAsDeployed(manifests: readonly KubernetesObject[], name: string): Promise<number> {
    const webConfigFile = mountWebConfig(manifests, name);
    running = await startExporter({
      config: parseConfig(IDLE_CONFIG, 'config.yaml'),
      logger: silent,
      host: '127.0.0.1',
      port: 0,
      telemetryPath: '/metrics',
      scheduler: manualSchedule,
      ...(webConfigFile === undefined ? {} : { webConfig: await loadWebConfigFile(webConfigFile) }),
    });
    return Number(new URL(running.url).port);
  }

  /** Probes as the kubelet does: the probe's scheme, path and port, no credentials, the certificate not verified. */
  async function probe(container: IContainer, which: 'livenessProbe' | 'readinessProbe', port: number): Promise<{ status: number; body: string }> {
    const { scheme = 'HTTP', path = '', port: portName } = container[which]?.httpGet ?? {};
    const containerPort = container.ports?.find(({ name }) => name === portName)?.containerPort ?? portName;
    expect(containerPort, `${which}: the port the exporter listens on (--web.listen-address)`).to.equal(parseFlags(container.args ?? []).listenPort);
    const reply = await request(`${scheme.toLowerCase()}://127.0.0.1:${port}${path}`, { rejectUnauthorized: false });
    return { status: reply.status, body: reply.body };
  }

  /** The kubelet's verdict: any status from 200 to 399 passes. */
  const passes = ({ status }: { status: number }): boolean => status >= 200 && status < 400;

  for (const resources of ['base', 'sharded']) {
    it(`${resources} + monitoring + tls: the probes pass over HTTPS without credentials, /metrics and / need them, and Prometheus scrapes as its ServiceMonitor says`, async () => {
      const manifests = render(resources, ['monitoring', 'tls']);
      const container = containerOf(workloadOf(manifests));
      const port = await serveAsDeployed(manifests, resources);
      expect(running?.url).to.match(/^https:/);
      for (const which of ['livenessProbe', 'readinessProbe'] as const) expect(container[which]?.httpGet?.scheme, which).to.equal('HTTPS');

      expect(await probe(container, 'livenessProbe', port)).to.deep.equal({ status: 200, body: 'Healthy\n' });
      const notReady = await probe(container, 'readinessProbe', port);
      expect(passes(notReady), 'not ready before the first collection').to.equal(false);
      await running?.collect();
      expect(await probe(container, 'readinessProbe', port)).to.deep.equal({ status: 200, body: 'Ready\n' });

      const endpoint = ofKind(manifests, 'ServiceMonitor')[0]?.spec.endpoints[0] ?? {};
      const ca = endpoint.tlsConfig?.ca?.secret;
      expect(ca?.name, 'the ServiceMonitor\'s CA: the Secret the pods take their certificate from').to.equal('aws-resolution-exporter-tls');
      const scrape = { ca: secret[ca?.key ?? ''], servername: endpoint.tlsConfig?.serverName };
      const url = `${endpoint.scheme ?? 'http'}://127.0.0.1:${port}`;
      expect((await request(`${url}${endpoint.path ?? '/metrics'}`, { ...scrape, auth: `${USER}:${PASSWORD}` })).status, 'scraped with credentials').to.equal(200);
      for (const path of ['/metrics', '/', '/grafana/']) expect((await request(`${url}${path}`, scrape)).status, `${path} without credentials`).to.equal(401);
    });

    it(`${resources}, plain HTTP as before: the probes pass`, async () => {
      const manifests = render(resources, []);
      const container = containerOf(workloadOf(manifests));
      const port = await serveAsDeployed(manifests, resources);
      expect(running?.url).to.match(/^http:/);
      await running?.collect();
      for (const which of ['livenessProbe', 'readinessProbe'] as const) expect(passes(await probe(container, which, port)), which).to.equal(true);
    });
  }

  it('the Docker HEALTHCHECK passes over HTTPS with basic auth, and over plain HTTP, and fails when nothing answers', async () => {
    const port = await serveAsDeployed(render('base', ['tls']), 'docker');
    expect(running?.url).to.match(/^https:/);
    const https = await runHealthcheck(port);
    expect(https, 'HTTPS').to.deep.equal({ code: 0, output: `https://127.0.0.1:${port}/-/healthy: 200\n` });
    await running?.stop();

    const plainPort = await serveAsDeployed(render('base', []), 'docker-plain');
    const plain = await runHealthcheck(plainPort);
    expect(plain, 'plain HTTP').to.deep.equal({ code: 0, output: `http://127.0.0.1:${plainPort}/-/healthy: 200\n` });
    await running?.stop();
    running = undefined;

    const none = await runHealthcheck(plainPort);
    expect(none.code, `nothing listening: ${none.output}`).to.equal(1);
  });
});
