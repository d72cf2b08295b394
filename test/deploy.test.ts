/**
 * The deployment files under deploy/ and the IAM policies under docs/, checked without a cluster or a container
 * engine: the Kubernetes manifests as the real kustomize renders them (`kubectl kustomize`), each object valid for
 * the schema of its kind (test/probes.test.ts also probes a running exporter as they say), the compose stack's
 * Prometheus and Alertmanager configurations with promtool and amtool, and the IAM policy against the AWS calls the
 * code makes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { IContainer, IPodSpec, IVolume } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { DEFAULT_SELECTOR, defaultOptions } from '../monitoring/options.js';
import { ALERTS_FILE, PROMETHEUS_RULE_FILE, RECORDING_RULES_FILE, renderMonitoring } from '../monitoring/render.js';
import { imageEnv } from '../bench/runtime.js';
import { podMemory } from '../bench/sizing.js';
import { imageRun, readBenchResults } from '../scripts/benchReference.js';
import { parseFlags } from '../src/cli/flags.js';
import { parseConfig } from '../src/config/load.js';
import { awsCallsIn, awsCallsInSrc, IAM_POLICY, list, policyGrants, readPolicy } from './support/iamPolicy.js';
import { kustomize, ofKind, validateObject, type Kinds, type KubernetesObject } from './support/kustomize.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KUBERNETES_DIR = join(ROOT, 'deploy', 'kubernetes');
const COMPOSE_FILE = join(ROOT, 'deploy', 'docker-compose.yml');
const PROMETHEUS_CONFIG = join(ROOT, 'deploy', 'prometheus', 'prometheus.yml');
const IAM_TRUST_POLICY = join(ROOT, 'docs', 'iam-trust-policy.json');

/** The scrape job every rule selects, `aws-resolution-exporter`: the job name each deployment must give the exporter. */
const JOB_NAME = /job="([^"]+)"/.exec(DEFAULT_SELECTOR)?.[1] ?? '';
/** The rule files a Prometheus loads, as the repository holds them. */
const RULE_FILES: readonly string[] = [RECORDING_RULES_FILE, ALERTS_FILE];
const METRICS_PORT = 10102;
const METRICS_PORT_NAME = 'http-metrics';
const CONFIG_DIR = '/etc/aws-resolution-exporter';
/** The image's `node` user. */
const IMAGE_UID = 1000;
const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** The kubernetes.io/tls Secret deploy/kubernetes/tls takes the exporter's certificate from. */
const TLS_SECRET = 'aws-resolution-exporter-tls';

const rel = (path: string): string => relative(ROOT, path).split(sep).join('/');
const readYaml = (path: string): unknown => parse(readFileSync(path, 'utf8'));

// ---------------------------------------------------------------------------------------------------------------
// deploy/kubernetes, as kustomize renders it.

type Labels = Readonly<Record<string, string>>;
type Workload = Kinds['Deployment'] | Kinds['StatefulSet'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Every directory under `root` that holds a kustomization.yaml, by its kind. */
function kustomizationDirs(root: string): { kustomizations: string[]; components: string[] } {
  const files = filesUnder(root).filter((file) => basename(file) === 'kustomization.yaml').sort();
  const isComponent = (file: string): boolean => (readYaml(file) as { kind?: string }).kind === 'Component';
  return { kustomizations: files.filter((file) => !isComponent(file)).map(dirname), components: files.filter(isComponent).map(dirname) };
}

/** `path` under `root` (deploy/kubernetes or a copy of it), named as in the repository. */
const underKubernetesDir = (root: string, path: string): string => posix.join('deploy/kubernetes', ...relative(root, path).split(sep));

/** An overlay a user would write: one kustomization and the components it adds. */
interface Variant {
  readonly name: string;
  readonly resources: string;
  readonly components: readonly string[];
}

/**
 * Each kustomization alone, with each component added, and with all of them, in the order of their names: the order
 * the README lists them in (tls after monitoring, whose ServiceMonitor it switches to HTTPS).
 */
function variants(root: string): Variant[] {
  const { kustomizations, components } = kustomizationDirs(root);
  const name = (dirs: readonly string[]): string => dirs.map((dir) => underKubernetesDir(root, dir)).join(' + ');
  return kustomizations.flatMap((dir) => [[], ...components.map((component) => [component]), components]
    .map((added) => ({ name: name([dir, ...added]), resources: dir, components: added })));
}

interface Rendered extends Variant {
  readonly objects: KubernetesObject[];
}

let renderedOnce: Rendered[] | undefined;
/** Every variant of deploy/kubernetes, rendered once: each kubectl run takes a while. */
const rendered = (): Rendered[] => (renderedOnce ??= variants(KUBERNETES_DIR).map((variant) => ({ ...variant, objects: kustomize(variant.resources, variant.components) })));
function renderedVariant(name: string): Rendered {
  const variant = rendered().find((candidate) => candidate.name === name);
  if (!variant) throw new Error(`no variant ${name}`);
  return variant;
}

/** The names of a StatefulSet's volume claim templates: each pod mounts its own claim by that name. */
const volumeClaimsOf = (workload: Workload): string[] =>
  (workload.kind === 'StatefulSet' ? workload.spec?.volumeClaimTemplates ?? [] : []).map((claim) => claim.metadata?.name ?? '');
const workloadsOf = (objects: readonly KubernetesObject[]): Workload[] => [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')];
const nameOf = (object: KubernetesObject): string => `${object.kind} ${object.metadata?.name ?? ''}`;
const matches = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

function podSpecOf(workload: Workload): IPodSpec {
  const spec = workload.spec?.template.spec;
  if (!spec) throw new Error(`${nameOf(workload)}: no pod template`);
  return spec;
}
function exporterContainer(workload: Workload): IContainer {
  const { containers } = podSpecOf(workload);
  expect(containers.map((container) => container.name), `${nameOf(workload)}: containers`).to.deep.equal(['exporter']);
  return containers[0]!;
}
const podLabels = (workload: Workload): Labels => workload.spec?.template.metadata?.labels ?? {};
const flagValue = (args: readonly string[], flag: string): string | undefined =>
  args.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);

/** The volume mounted at the directory of `file` in the exporter's container. */
function volumeHolding(workload: Workload, file: string): IVolume | undefined {
  const mount = exporterContainer(workload).volumeMounts?.find((candidate) => candidate.mountPath === posix.dirname(file));
  return podSpecOf(workload).volumes?.find((volume) => volume.name === mount?.name);
}

interface WebConfigFile {
  tls_server_config?: { cert_file?: string; key_file?: string };
}

/** The workload's --web.config.file, read from the ConfigMap projected into its volume; undefined without the flag. */
function webConfigOf(variant: Rendered, workload: Workload): WebConfigFile | undefined {
  const file = flagValue(exporterContainer(workload).args ?? [], '--web.config.file');
  if (file === undefined) return undefined;
  const names = (volumeHolding(workload, file)?.projected?.sources ?? []).map((source) => source.configMap?.name);
  const text = ofKind(variant.objects, 'ConfigMap').find(({ metadata }) => names.includes(metadata?.name))?.data?.[posix.basename(file)];
  if (text === undefined) throw new Error(`${variant.name}: ${nameOf(workload)}: --web.config.file=${file} is in no ConfigMap projected into a volume at ${posix.dirname(file)}`);
  return (parse(text) ?? {}) as WebConfigFile;
}

/** The Secrets projected beside the web config (its certificate and key). */
const projectedSecrets = (volume: IVolume | undefined): string[] => (volume?.projected?.sources ?? []).flatMap((source) => source.secret?.name ?? []);
const servesHttps = (variant: Rendered, workload: Workload): boolean => webConfigOf(variant, workload)?.tls_server_config !== undefined;

/** The Dockerfile's WORKDIR and ENTRYPOINT (exec form) of its final stage. */
function imageEntrypoint(): { workdir: string; entrypoint: string[] } {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n');
  const finalStage = lines.slice(lines.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true));
  const workdir = finalStage.filter((line) => /^WORKDIR\s/i.test(line)).map((line) => line.replace(/^WORKDIR\s+/i, '').trim()).pop() ?? '/';
  const entrypoint = finalStage.filter((line) => /^ENTRYPOINT\s/i.test(line)).map((line) => JSON.parse(line.replace(/^ENTRYPOINT\s+/i, '')) as string[]).pop();
  if (!entrypoint) throw new Error('Dockerfile: no ENTRYPOINT in exec form');
  return { workdir, entrypoint };
}

/** `$(NAME)` in a container's command and args, as the kubelet expands it (`$$` escapes a `$`). */
function expandKubernetesVars(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => (name === undefined ? '$' : (env[name] ?? match)));
}

/** The container's environment as the kubelet would give it to the pod `podName` with StatefulSet ordinal `ordinal`. */
function containerEnv(container: IContainer, podName: string, ordinal: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    if (variable.value !== undefined) env[variable.name] = expandKubernetesVars(variable.value, env);
    else if (fieldPath === 'metadata.name') env[variable.name] = podName;
    else if (fieldPath === "metadata.labels['apps.kubernetes.io/pod-index']") env[variable.name] = String(ordinal);
    else throw new Error(`env ${variable.name}: the test does not know how the kubelet fills it: teach it`);
  }
  return env;
}

/**
 * Runs the container's command (a shell wrapper) as the kubelet would start it in the pod `podName`, with a fake
 * `node` first on PATH that prints its arguments; returns what node would have been started with.
 */
function runContainerCommand(container: IContainer, podName: string, ordinal: number): { status: number | null; argv: string[]; stderr: string } {
  const command = container.command ?? [];
  const env = containerEnv(container, podName, ordinal);
  const argv = [...command, ...(container.args ?? [])].map((arg) => expandKubernetesVars(arg, env));
  const [shell, ...shellArgs] = argv;
  if (shell === undefined || !/^\/bin\/(?:ba)?sh$/.test(shell)) throw new Error(`the container's command is not a shell wrapper: ${JSON.stringify(command)}`);
  const bin = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  try {
    const fakeNode = join(bin, 'node');
    writeFileSync(fakeNode, '#!/bin/sh\nfor arg in "$@"; do printf \'%s\\n\' "$arg"; done\n');
    chmodSync(fakeNode, 0o755);
    const result = spawnSync(shell, shellArgs, { encoding: 'utf8', env: { ...env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
    if (result.error) throw result.error;
    return { status: result.status, argv: result.stdout.split('\n').filter((line) => line !== ''), stderr: result.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The resource types of the IAM actions.

const DOMAINS = 'arn:aws:profile:*:*:domains/*';
const MATCHING_WORKFLOWS = 'arn:aws:entityresolution:*:*:matchingworkflow/*';
const ID_MAPPING_WORKFLOWS = 'arn:aws:entityresolution:*:*:idmappingworkflow/*';
/**
 * The resources each action may be granted on (the Service Authorization Reference's resource type for it; `*` for
 * the List actions that take no resource). An action the code starts calling needs its row here.
 */
const ACTION_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  'profile:ListIdentityResolutionJobs': [DOMAINS],
  'profile:GetIdentityResolutionJob': [DOMAINS],
  'profile:GetDomain': [DOMAINS],
  'profile:ListDomains': ['*'],
  'entityresolution:GetMatchingWorkflow': [MATCHING_WORKFLOWS],
  'entityresolution:ListMatchingJobs': [MATCHING_WORKFLOWS],
  'entityresolution:GetMatchingJob': [MATCHING_WORKFLOWS],
  'entityresolution:GetIdMappingWorkflow': [ID_MAPPING_WORKFLOWS],
  'entityresolution:ListIdMappingJobs': [ID_MAPPING_WORKFLOWS],
  'entityresolution:GetIdMappingJob': [ID_MAPPING_WORKFLOWS],
  'entityresolution:ListMatchingWorkflows': ['*'],
  'entityresolution:ListIdMappingWorkflows': ['*'],
};

// ---------------------------------------------------------------------------------------------------------------
// docker compose

interface ComposeService {
  build?: string | { context?: string };
  image?: string;
  command?: string | string[];
  ports?: string[];
  volumes?: (string | Record<string, unknown>)[];
  environment?: Record<string, string> | string[];
  depends_on?: string[] | Record<string, unknown>;
}
interface Mount {
  readonly host: string;
  readonly container: string;
}
const COMPOSE_DIR = dirname(COMPOSE_FILE);
const composeServices = (): Record<string, ComposeService> => (readYaml(COMPOSE_FILE) as { services?: Record<string, ComposeService> }).services ?? {};
function composeService(name: string): ComposeService {
  const service = composeServices()[name];
  if (!service) throw new Error(`${rel(COMPOSE_FILE)}: no service ${name}`);
  return service;
}
/** A service's bind mounts (short syntax), host paths resolved against the compose file's directory. */
function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') throw new Error(`${rel(COMPOSE_FILE)}: the test reads only the short volume syntax, got ${JSON.stringify(volume)}`);
    const [host = '', container = ''] = volume.split(':');
    if (!/^\.{1,2}(?:\/|$)/.test(host)) throw new Error(`${rel(COMPOSE_FILE)}: ${volume}: expected a bind mount of a path relative to the compose file`);
    return { host: resolve(COMPOSE_DIR, host), container };
  });
}
/** The host path a container path comes from, through the deepest bind mount holding it. */
function hostPathOf(mounts: readonly Mount[], containerPath: string): string | undefined {
  const mount = mounts
    .filter(({ container }) => containerPath === container || containerPath.startsWith(`${container}/`))
    .sort((a, b) => b.container.length - a.container.length)[0];
  return mount && join(mount.host, posix.relative(mount.container, containerPath));
}
const commandOf = (service: ComposeService): string[] => (typeof service.command === 'string' ? service.command.split(/\s+/) : (service.command ?? []));
function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  return Array.isArray(env) ? Object.fromEntries(env.map((entry) => [entry.split('=')[0] ?? '', entry.slice(entry.indexOf('=') + 1)])) : env;
}

function tool(name: string, args: readonly string[], cwd = ROOT): { status: number | null; output: string } {
  const result = spawnSync(name, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`${name} is needed for this test (apt-get install prometheus prometheus-alertmanager): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface PrometheusConfig {
  rule_files?: string[];
  alerting?: { alertmanagers?: { static_configs?: { targets?: string[] }[] }[] };
  scrape_configs?: { job_name?: string; metrics_path?: string; static_configs?: { targets?: string[] }[] }[];
}

// ===============================================================================================================

describe('deployment: Kubernetes manifests (deploy/kubernetes)', () => {
  it('renders base and sharded, alone and with the monitoring and tls components, every object named and valid for the schema of its kind', async () => {
    const { kustomizations, components } = kustomizationDirs(KUBERNETES_DIR);
    expect(kustomizations.map(rel)).to.include.members(['deploy/kubernetes/base', 'deploy/kubernetes/sharded']);
    expect(components.map(rel)).to.include.members(['deploy/kubernetes/monitoring', 'deploy/kubernetes/tls']);
    const problems: string[] = [];
    for (const variant of rendered()) {
      expect(variant.objects.length, variant.name).to.be.greaterThan(0);
      for (const object of variant.objects) {
        expect(object.metadata?.name, `${variant.name}: ${object.kind}`).to.be.a('string').and.not.equal('');
        await validateObject(object).catch((err: unknown) => { problems.push(`${variant.name}: ${nameOf(object)}: ${String(err)}`); });
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('holds every object to its schema: an invalid one, and one of a kind no schema knows, fail', async () => {
    const failure = (object: KubernetesObject): Promise<string> => validateObject(object).then(() => 'valid', String);
    const [deployment] = ofKind(renderedVariant('deploy/kubernetes/base').objects, 'Deployment');
    const invalid: Kinds['Deployment'] = { ...deployment!, spec: { ...deployment!.spec!, replicas: 'three' as unknown as number } };
    expect(await failure(invalid)).to.match(/replicas must be integer/);
    expect(await failure({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'widget' } })).to.match(/has a schema of this kind/);
    expect(await failure({ apiVersion: 'v1', kind: 'Container' })).to.match(/has a schema of this kind/);
  });

  it('uses every YAML file under deploy/kubernetes: without any one of them, some kustomization no longer renders', function () {
    this.timeout(120_000);
    const copy = mkdtempSync(join(tmpdir(), 'deploy-test-'));
    try {
      cpSync(KUBERNETES_DIR, copy, { recursive: true });
      // With all the components, a kustomization reads every file any of its variants reads.
      const { kustomizations, components } = kustomizationDirs(copy);
      const renders = (): boolean => kustomizations.every((dir) => {
        try {
          kustomize(dir, components);
          return true;
        } catch {
          return false;
        }
      });
      expect(renders(), 'the copy renders, as deploy/kubernetes does').to.equal(true);
      const unused = filesUnder(copy).filter((file) => /\.ya?ml$/.test(file)).filter((file) => {
        const text = readFileSync(file);
        rmSync(file);
        try {
          return renders();
        } finally {
          writeFileSync(file, text);
        }
      });
      expect(unused.map((file) => underKubernetesDir(copy, file)), 'files no kustomization needs').to.deep.equal([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('runs the exporter as a Deployment in base and as a StatefulSet, without the Deployment, in sharded', () => {
    const kinds = (name: string): string[] => workloadsOf(renderedVariant(name).objects).map(nameOf);
    expect(kinds('deploy/kubernetes/base')).to.deep.equal(['Deployment aws-resolution-exporter']);
    expect(kinds('deploy/kubernetes/sharded')).to.deep.equal(['StatefulSet aws-resolution-exporter']);
  });

  it('probes /-/healthy (liveness) and /-/ready (readiness) on the port named http-metrics, 10102, over HTTPS when the web config turns TLS on', () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const container = exporterContainer(workload);
        const where = `${variant.name}: ${nameOf(workload)}`;
        expect(container.ports?.filter((port) => port.name === METRICS_PORT_NAME).map((port) => port.containerPort), `${where}: ports`).to.deep.equal([METRICS_PORT]);
        expect(container.livenessProbe?.httpGet, `${where}: livenessProbe`).to.deep.include({ path: '/-/healthy', port: METRICS_PORT_NAME });
        expect(container.readinessProbe?.httpGet, `${where}: readinessProbe`).to.deep.include({ path: '/-/ready', port: METRICS_PORT_NAME });
        const scheme = servesHttps(variant, workload) ? 'HTTPS' : 'HTTP';
        expect(container.livenessProbe?.httpGet?.scheme ?? 'HTTP', `${where}: livenessProbe scheme`).to.equal(scheme);
        expect(container.readinessProbe?.httpGet?.scheme ?? 'HTTP', `${where}: readinessProbe scheme`).to.equal(scheme);
      }
    }
  });

  it('runs as the image\'s non-root user with a read-only root filesystem, no privilege escalation, no capabilities and RuntimeDefault seccomp', () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const pod = podSpecOf(workload).securityContext ?? {};
        const container = exporterContainer(workload).securityContext ?? {};
        expect(container.runAsNonRoot ?? pod.runAsNonRoot, `${where}: runAsNonRoot`).to.equal(true);
        expect(container.runAsUser ?? pod.runAsUser, `${where}: runAsUser`).to.equal(IMAGE_UID);
        expect((container.seccompProfile ?? pod.seccompProfile)?.type, `${where}: seccompProfile`).to.equal('RuntimeDefault');
        expect(container.readOnlyRootFilesystem, `${where}: readOnlyRootFilesystem`).to.equal(true);
        expect(container.allowPrivilegeEscalation, `${where}: allowPrivilegeEscalation`).to.equal(false);
        expect(container.privileged ?? false, `${where}: privileged`).to.equal(false);
        expect(container.capabilities?.drop, `${where}: capabilities.drop`).to.deep.equal(['ALL']);
        expect(container.capabilities?.add ?? [], `${where}: capabilities.add`).to.deep.equal([]);
        expect(podSpecOf(workload).initContainers ?? [], `${where}: initContainers`).to.deep.equal([]);
      }
    }
  });

  it('sets CPU and memory requests and limits, and mounts only emptyDirs, volume claims, and ConfigMaps and Secrets (read-only, projected or not)', () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const container = exporterContainer(workload);
        for (const kind of ['requests', 'limits'] as const) expect(container.resources?.[kind], `${where}: resources.${kind}`).to.have.all.keys('cpu', 'memory');
        const volumes = new Map((podSpecOf(workload).volumes ?? []).map((volume) => [volume.name, volume]));
        const claims = new Set(volumeClaimsOf(workload));
        for (const mount of container.volumeMounts ?? []) {
          const volume = volumes.get(mount.name);
          if (claims.has(mount.name)) continue;
          expect(volume, `${where}: volume ${mount.name}`).to.not.equal(undefined);
          if (volume?.emptyDir === undefined) {
            const sources: { configMap?: unknown; secret?: unknown }[] = volume?.projected?.sources ?? [volume ?? {}];
            for (const { configMap, secret } of sources) expect(configMap ?? secret, `${where}: volume ${mount.name} is an emptyDir, or ConfigMaps and Secrets`).to.not.equal(undefined);
            expect(mount.readOnly, `${where}: ${mount.mountPath} read-only`).to.equal(true);
          }
        }
      }
    }
  });

  it('asks for the memory the bench measured for the quota fleet under the image\'s runtime settings, which it leaves to the image', () => {
    const results = readBenchResults(ROOT);
    const image = imageEnv();
    expect(results.runtime.node_options, 'bench/results.json was measured under the Dockerfile\'s NODE_OPTIONS').to.equal(image.NODE_OPTIONS);
    expect(results.runtime.allocator, 'and its allocator').to.equal(image.LD_PRELOAD === undefined ? 'glibc' : 'jemalloc');
    const quota = imageRun(results).scenarios.quota;
    if (!quota) throw new Error('bench/results.json has no quota scenario');
    const pod = podMemory(quota);
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const container = exporterContainer(workload);
        expect(container.resources?.requests?.memory, `${where}: memory request`).to.equal(`${pod.requestMi}Mi`);
        expect(container.resources?.limits?.memory, `${where}: memory limit`).to.equal(`${pod.limitMi}Mi`);
        expect((container.env ?? []).map((variable) => variable.name), `${where}: NODE_OPTIONS is the image's, as measured`).to.not.include('NODE_OPTIONS');
      }
    }
  });

  it('mounts a writable volume where config.yaml\'s state_file goes: an emptyDir in base, a claim per pod in sharded (kept across reschedules)', () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const configMapName = podSpecOf(workload).volumes?.find((volume) => volume.configMap !== undefined)?.configMap?.name;
        const configMap = ofKind(variant.objects, 'ConfigMap').find(({ metadata }) => metadata?.name === configMapName);
        const stateFile = parseConfig(configMap?.data?.['config.yaml'] ?? '', 'config.yaml').stateFile;
        expect(stateFile, `${where}: config.yaml sets state_file`).to.equal('/var/lib/aws-resolution-exporter/state.json');
        const mount = exporterContainer(workload).volumeMounts?.find((candidate) => candidate.mountPath === posix.dirname(stateFile ?? ''));
        expect(mount, `${where}: a volume mounted at ${posix.dirname(stateFile ?? '')}`).to.not.equal(undefined);
        expect(mount?.readOnly ?? false, `${where}: writable`).to.equal(false);
        if (workload.kind === 'StatefulSet') {
          expect(volumeClaimsOf(workload), `${where}: a volume claim per pod`).to.include(mount?.name);
        } else {
          expect(podSpecOf(workload).volumes?.find((volume) => volume.name === mount?.name)?.emptyDir, `${where}: an emptyDir`).to.not.equal(undefined);
        }
      }
    }
  });

  it(`reads --config.file from a ConfigMap mounted at ${CONFIG_DIR}, holding a configuration the exporter accepts`, () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const container = exporterContainer(workload);
        const configFile = flagValue(container.args ?? [], '--config.file');
        expect(configFile, `${where}: --config.file`).to.equal(`${CONFIG_DIR}/config.yaml`);
        const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === posix.dirname(configFile ?? ''));
        expect(mount, `${where}: a volume mounted at ${CONFIG_DIR}`).to.not.equal(undefined);
        // A subPath mount would not see an edited ConfigMap.
        expect(mount?.subPath, `${where}: subPath`).to.equal(undefined);
        const configMapName = podSpecOf(workload).volumes?.find((volume) => volume.name === mount?.name)?.configMap?.name;
        const configMap = ofKind(variant.objects, 'ConfigMap').find(({ metadata }) => metadata?.name === configMapName);
        expect(configMap, `${where}: ConfigMap ${String(configMapName)}`).to.not.equal(undefined);
        const text = configMap?.data?.[posix.basename(configFile ?? '')];
        expect(text, `${where}: ConfigMap ${String(configMapName)} key config.yaml`).to.be.a('string');
        expect(() => parseConfig(text ?? '', `${String(configMapName)}/config.yaml`), where).to.not.throw();
        expect(parseConfig(text ?? '', 'config.yaml').targets.length, `${where}: example targets`).to.be.greaterThan(0);
      }
    }
  });

  it('with deploy/kubernetes/tls, serves HTTPS with the certificate and key of the Secret projected beside the web config', () => {
    const https = rendered().filter((variant) => workloadsOf(variant.objects).some((workload) => servesHttps(variant, workload)));
    expect(https.map((variant) => variant.name)).to.include.members(['deploy/kubernetes/base + deploy/kubernetes/tls', 'deploy/kubernetes/sharded + deploy/kubernetes/tls']);
    for (const variant of https) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const tls = webConfigOf(variant, workload)?.tls_server_config ?? {};
        const volume = volumeHolding(workload, flagValue(exporterContainer(workload).args ?? [], '--web.config.file') ?? '');
        expect(projectedSecrets(volume), `${where}: the Secret projected beside the web config`).to.deep.equal([TLS_SECRET]);
        const secretFiles = (volume?.projected?.sources ?? []).flatMap((source) => source.secret?.items ?? []).map((item) => item.path);
        expect([tls.cert_file, tls.key_file], `${where}: cert_file and key_file, files of the Secret`).to.deep.equal(secretFiles);
      }
    }
  });

  it('passes the exporter only flags it knows (the shard flags aside), and runs the image of this version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const container = exporterContainer(workload);
        // --shard.index and --shard.count are checked by the StatefulSet's own test.
        const args = (container.args ?? []).filter((arg) => !arg.startsWith('--shard.'));
        expect(() => parseFlags(args), `${where}: ${args.join(' ')}`).to.not.throw();
        expect(parseFlags(args).listenPort, `${where}: --web.listen-address`).to.equal(METRICS_PORT);
        expect(container.image, `${where}: image`).to.match(new RegExp(`^aws-resolution-exporter:${version.replaceAll('.', '\\.')}$`));
      }
    }
  });

  it('runs under a ServiceAccount annotated with an IAM role for IRSA, without the Kubernetes API token', () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const pod = podSpecOf(workload);
        const account = ofKind(variant.objects, 'ServiceAccount').find(({ metadata }) => metadata?.name === pod.serviceAccountName);
        expect(account, `${where}: ServiceAccount ${String(pod.serviceAccountName)}`).to.not.equal(undefined);
        expect(account?.metadata?.annotations?.[IRSA_ROLE_ANNOTATION], where).to.equal('arn:aws:iam::111122223333:role/aws-resolution-exporter');
        expect(pod.automountServiceAccountToken, `${where}: automountServiceAccountToken`).to.equal(false);
      }
    }
  });

  it('exposes each workload through exactly one Service, on the port named http-metrics', () => {
    for (const variant of rendered()) {
      for (const workload of workloadsOf(variant.objects)) {
        const where = `${variant.name}: ${nameOf(workload)}`;
        const selector = workload.spec?.selector.matchLabels;
        expect(matches(selector, podLabels(workload)), `${where}: its selector matches its pods`).to.equal(true);
        const services = ofKind(variant.objects, 'Service').filter((service) => matches(service.spec?.selector, podLabels(workload)));
        expect(services.map(nameOf), `${where}: Services selecting its pods`).to.have.length(1);
        const ports = services[0]!.spec?.ports ?? [];
        expect(ports.find((port) => port.name === METRICS_PORT_NAME), `${where}: Service port ${METRICS_PORT_NAME}`).to.deep.include({ port: METRICS_PORT, targetPort: METRICS_PORT_NAME });
      }
    }
  });

  describe('sharded', () => {
    const sharded = (): KubernetesObject[] => renderedVariant('deploy/kubernetes/sharded').objects;
    const statefulSet = (): Kinds['StatefulSet'] => {
      const [found] = ofKind(sharded(), 'StatefulSet');
      if (!found) throw new Error('deploy/kubernetes/sharded: no StatefulSet');
      return found;
    };

    it('runs as many replicas as --shard.count, with 0-based ordinals, under a headless governing Service', () => {
      const workload = statefulSet();
      const spec = workload.spec;
      const shardCount = Number(flagValue(exporterContainer(workload).args ?? [], '--shard.count'));
      expect(shardCount, '--shard.count').to.be.greaterThan(1);
      expect(spec?.replicas, 'replicas').to.equal(shardCount);
      expect(spec?.ordinals?.start ?? 0, 'ordinals.start').to.equal(0);
      expect(spec?.podManagementPolicy, 'podManagementPolicy').to.equal('Parallel');
      const governing = ofKind(sharded(), 'Service').find(({ metadata }) => metadata?.name === spec?.serviceName);
      expect(governing, `Service ${String(spec?.serviceName)}`).to.not.equal(undefined);
      expect(governing?.spec?.clusterIP, 'clusterIP').to.equal('None');
      expect(matches(governing?.spec?.selector, podLabels(workload)), 'the headless Service selects the shards').to.equal(true);
      expect(ofKind(sharded(), 'Deployment'), 'Deployments').to.deep.equal([]);
    });

    it('starts pod N as node <the image\'s main script> --config.file=... --shard.count=3 --shard.index=N', () => {
      const workload = statefulSet();
      const container = exporterContainer(workload);
      const { workdir, entrypoint } = imageEntrypoint();
      expect(entrypoint[0], 'ENTRYPOINT').to.equal('node');
      const mainScript = posix.resolve(workdir, entrypoint[1] ?? '');
      const replicas = workload.spec?.replicas ?? 0;
      for (let ordinal = 0; ordinal < replicas; ordinal++) {
        const podName = `${workload.metadata?.name ?? ''}-${ordinal}`;
        const { status, argv, stderr } = runContainerCommand(container, podName, ordinal);
        expect(status, `${podName}: exit status (${stderr})`).to.equal(0);
        expect(argv[0], `${podName}: main script`).to.equal(mainScript);
        const flags = argv.slice(1);
        expect(flags.filter((arg) => arg.startsWith('--shard.')), podName).to.deep.equal([`--shard.count=${replicas}`, `--shard.index=${ordinal}`]);
        expect(flagValue(flags, '--config.file'), podName).to.equal(`${CONFIG_DIR}/config.yaml`);
        expect(() => parseFlags(flags.filter((arg) => !arg.startsWith('--shard.'))), podName).to.not.throw();
      }
    });

    it('refuses to start a shard whose pod name ends in no ordinal, instead of collecting a wrong share', () => {
      const container = exporterContainer(statefulSet());
      for (const podName of ['aws-resolution-exporter', 'aws-resolution-exporter-x1', '']) {
        const { status, argv, stderr } = runContainerCommand(container, podName, 0);
        expect(status, `pod name "${podName}"`).to.equal(2);
        expect(argv, `pod name "${podName}": node started`).to.deep.equal([]);
        expect(stderr, `pod name "${podName}"`).to.contain('shard index');
      }
    });
  });

  describe('monitoring (Prometheus Operator)', () => {
    const monitored = (): Rendered[] => rendered().filter((variant) => ofKind(variant.objects, 'ServiceMonitor').length > 0);

    it('adds a ServiceMonitor that scrapes every exporter pod through one Service, by its labels and port name, as job aws-resolution-exporter', () => {
      expect(monitored().map((variant) => variant.name)).to.include.members(['deploy/kubernetes/base + deploy/kubernetes/monitoring', 'deploy/kubernetes/sharded + deploy/kubernetes/monitoring']);
      for (const variant of monitored()) {
        for (const monitor of ofKind(variant.objects, 'ServiceMonitor')) {
          const where = `${variant.name}: ${nameOf(monitor)}`;
          const { spec } = monitor;
          expect(spec.namespaceSelector, `${where}: namespaceSelector (its own namespace)`).to.equal(undefined);
          expect(spec.selector.matchExpressions, `${where}: matchExpressions`).to.equal(undefined);
          const services = ofKind(variant.objects, 'Service').filter((service) => matches(spec.selector.matchLabels, service.metadata?.labels));
          expect(services.map(nameOf), `${where}: Services selected`).to.have.length(1);
          const service = services[0]!;
          const workloads = workloadsOf(variant.objects).filter((workload) => matches(service.spec?.selector, podLabels(workload)));
          expect(workloads.map(nameOf), `${where}: workloads behind ${nameOf(service)}`).to.have.length(1);
          const portNames = (service.spec?.ports ?? []).map((port) => port.name);
          expect(spec.endpoints.map((endpoint) => endpoint.port), `${where}: endpoint ports`).to.deep.equal([METRICS_PORT_NAME]);
          const [endpoint] = spec.endpoints;
          expect(portNames, `${where}: ${nameOf(service)} ports`).to.include(METRICS_PORT_NAME);
          expect(endpoint?.path ?? '/metrics', `${where}: path`).to.equal(parseFlags([]).telemetryPath);
          const https = servesHttps(variant, workloads[0]!);
          expect(endpoint?.scheme ?? 'http', `${where}: scheme`).to.equal(https ? 'https' : 'http');
          if (https) expect(endpoint?.tlsConfig?.ca?.secret?.name, `${where}: the CA that verifies the exporter`).to.equal(TLS_SECRET);
          // The operator's job label: the value of the Service's label named by jobLabel, else the Service's name.
          const job = (spec.jobLabel !== undefined ? service.metadata?.labels?.[spec.jobLabel] : undefined) ?? service.metadata?.name;
          expect(job, `${where}: the job label the rules select`).to.equal(JOB_NAME);
        }
      }
    });

    it(`holds ${PROMETHEUS_RULE_FILE}, byte for byte what npm run render-monitoring renders`, () => {
      const committed = readFileSync(join(ROOT, PROMETHEUS_RULE_FILE), 'utf8');
      expect(committed === renderMonitoring(defaultOptions()).get(PROMETHEUS_RULE_FILE), `${PROMETHEUS_RULE_FILE} is out of date: npm run render-monitoring`).to.equal(true);
      for (const variant of monitored()) expect(ofKind(variant.objects, 'PrometheusRule'), `${variant.name}: ${PROMETHEUS_RULE_FILE} as kustomize renders it`).to.deep.equal([parse(committed)]);
    });

    it('holds in the PrometheusRule\'s spec.groups the groups of rules.yml, then alerts.yml, unchanged', () => {
      const rule = readYaml(join(ROOT, PROMETHEUS_RULE_FILE)) as Kinds['PrometheusRule'];
      expect(rule).to.deep.include({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
      const groups = [RECORDING_RULES_FILE, ALERTS_FILE].flatMap((file) => (readYaml(join(ROOT, file)) as { groups: unknown[] }).groups);
      expect(groups.length).to.be.greaterThan(1);
      expect(rule.spec.groups).to.deep.equal(groups);
    });
  });
});

describe('deployment: docker compose (deploy/docker-compose.yml)', () => {
  it('has the services exporter, prometheus, alertmanager and grafana, the exporter built from the repository and run with --demo', () => {
    expect(composeServices()).to.include.all.keys('exporter', 'prometheus', 'alertmanager', 'grafana');
    const exporter = composeService('exporter');
    const context = typeof exporter.build === 'string' ? exporter.build : exporter.build?.context;
    expect(resolve(COMPOSE_DIR, context ?? '.'), 'build context').to.equal(resolve(ROOT));
    expect(existsSync(join(ROOT, 'Dockerfile'))).to.equal(true);
    expect(parseFlags(commandOf(exporter)).demo, 'command').to.equal(true);
    expect(exporter.ports).to.include(`${METRICS_PORT}:${METRICS_PORT}`);
    expect(composeService('prometheus').ports).to.include('9090:9090');
    expect(composeService('alertmanager').ports).to.include('9093:9093');
    expect(composeService('grafana').ports).to.include('3000:3000');
  });

  it('mounts only paths that exist in the repository', () => {
    for (const [name, service] of Object.entries(composeServices())) {
      for (const { host, container } of mountsOf(service)) {
        expect(rel(host), `${name}: ${container}`).to.not.match(/^\.\./);
        expect(existsSync(host), `${name}: ${rel(host)} (mounted at ${container})`).to.equal(true);
      }
    }
  });

  it('gives Prometheus deploy/prometheus/prometheus.yml, whose rule files resolve to rules.yml and alerts.yml in the container as in the repository', () => {
    const prometheus = composeService('prometheus');
    const mounts = mountsOf(prometheus);
    const configInContainer = flagValue(commandOf(prometheus), '--config.file') ?? '/etc/prometheus/prometheus.yml';
    expect(hostPathOf(mounts, configInContainer), '--config.file').to.equal(PROMETHEUS_CONFIG);
    const config = readYaml(PROMETHEUS_CONFIG) as PrometheusConfig;
    const ruleFiles = config.rule_files ?? [];
    expect(ruleFiles.map((file) => rel(resolve(dirname(PROMETHEUS_CONFIG), file))).sort()).to.deep.equal([...RULE_FILES].sort());
    for (const file of ruleFiles) {
      expect(posix.isAbsolute(file), `${file}: relative to prometheus.yml`).to.equal(false);
      const inContainer = posix.resolve(posix.dirname(configInContainer), file);
      expect(hostPathOf(mounts, inContainer), `${file} in the container (${inContainer})`).to.equal(resolve(dirname(PROMETHEUS_CONFIG), file));
    }
  });

  it('has a Prometheus configuration promtool accepts, its rule files found from any working directory', () => {
    const { status, output } = tool('promtool', ['check', 'config', PROMETHEUS_CONFIG], tmpdir());
    expect(status, output).to.equal(0);
    expect(output).to.contain(`SUCCESS: ${RULE_FILES.length} rule files found`);
  });

  it('scrapes the exporter service as job aws-resolution-exporter and alerts to the alertmanager service', () => {
    const config = readYaml(PROMETHEUS_CONFIG) as PrometheusConfig;
    const jobs = (config.scrape_configs ?? []).filter((job) => job.job_name === JOB_NAME);
    expect(jobs, `scrape job ${JOB_NAME}`).to.have.length(1);
    expect(jobs[0]?.metrics_path ?? '/metrics').to.equal(parseFlags([]).telemetryPath);
    expect(jobs[0]?.static_configs?.flatMap((static_) => static_.targets ?? [])).to.deep.equal([`exporter:${METRICS_PORT}`]);
    const alertmanagers = (config.alerting?.alertmanagers ?? []).flatMap((am) => am.static_configs ?? []).flatMap((static_) => static_.targets ?? []);
    expect(alertmanagers).to.deep.equal(['alertmanager:9093']);
  });

  it('gives Alertmanager a configuration amtool accepts, which takes every shipped alert', () => {
    const alertmanager = composeService('alertmanager');
    const configInContainer = flagValue(commandOf(alertmanager), '--config.file') ?? '/etc/alertmanager/alertmanager.yml';
    const config = hostPathOf(mountsOf(alertmanager), configInContainer);
    expect(config && rel(config), '--config.file').to.equal('deploy/alertmanager/alertmanager.yml');
    const check = tool('amtool', ['check-config', config ?? '']);
    expect(check.status, check.output).to.equal(0);
    expect(check.output).to.contain('SUCCESS');
    const routed = tool('amtool', ['config', 'routes', 'test', `--config.file=${config ?? ''}`, 'alertname=AWSResolutionMatchingJobFailed', 'severity=critical']);
    expect(routed.status, routed.output).to.equal(0);
  });

  it('provisions Grafana with the repository\'s data source and dashboards, for anonymous viewers', () => {
    const grafana = composeService('grafana');
    const mounts = mountsOf(grafana);
    expect(hostPathOf(mounts, '/etc/grafana/provisioning'), 'provisioning').to.equal(join(ROOT, 'grafana', 'provisioning'));
    const providerFiles = readdirSync(join(ROOT, 'grafana', 'provisioning', 'dashboards')).map((file) => join(ROOT, 'grafana', 'provisioning', 'dashboards', file));
    const providerPaths = providerFiles.flatMap((file) => ((readYaml(file) as { providers?: { options?: { path?: string } }[] }).providers ?? []).map((provider) => provider.options?.path ?? ''));
    expect(providerPaths).to.have.length.greaterThan(0);
    for (const path of providerPaths) expect(hostPathOf(mounts, path), `dashboards at ${path}`).to.equal(join(ROOT, 'grafana', 'dashboards'));
    const env = environmentOf(grafana);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED, 'GF_AUTH_ANONYMOUS_ENABLED').to.equal('true');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'GF_AUTH_ANONYMOUS_ORG_ROLE').to.equal('Viewer');
    const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home !== undefined) expect(existsSync(hostPathOf(mounts, home) ?? ''), `home dashboard ${home}`).to.equal(true);

    const sources = readdirSync(join(ROOT, 'grafana', 'provisioning', 'datasources'))
      .flatMap((file) => (readYaml(join(ROOT, 'grafana', 'provisioning', 'datasources', file)) as { datasources?: { type?: string; url?: string }[] }).datasources ?? [])
      .filter((source) => source.type === 'prometheus');
    expect(sources).to.have.length.greaterThan(0);
    for (const source of sources) {
      const url = new URL(source.url ?? '');
      expect(composeServices(), `data source ${source.url ?? ''}: a service of that name`).to.have.property(url.hostname);
      expect(composeService(url.hostname).ports ?? [], `data source ${source.url ?? ''}: port`).to.include(`${url.port}:${url.port}`);
    }
  });
});

describe('deployment: IAM policies (docs/iam-policy.json, docs/iam-trust-policy.json)', () => {
  it('finds the AWS calls of a file: commands and paginators, imported by name, renamed or as a namespace', () => {
    const code = [
      "import { GetDomainCommand as GetDomain, type ListDomainsCommand, CustomerProfilesClient } from '@aws-sdk/client-customer-profiles';",
      "import * as er from '@aws-sdk/client-entityresolution';",
      "import { paginateListMatchingWorkflows } from '@aws-sdk/client-entityresolution';",
      "import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';",
      'declare const client: CustomerProfilesClient;',
      "await client.send(new GetDomain({ DomainName: 'retail' }));",
      'await client.send(new er.ListIdMappingWorkflowsCommand({}));',
      'new GetCallerIdentityCommand({});',
      'new CustomerProfilesClient({});',
      'for await (const page of paginateListMatchingWorkflows({ client }, {})) void page;',
      '// new ListDomainsCommand({}) in a comment is no call',
      'export type Unused = ListDomainsCommand;',
    ].join('\n');
    const { calls, problems } = awsCallsIn('example.ts', code);
    expect(calls).to.deep.equal([
      { action: 'profile:GetDomain', at: 'example.ts:6' },
      { action: 'entityresolution:ListIdMappingWorkflows', at: 'example.ts:7' },
      { action: 'entityresolution:ListMatchingWorkflows', at: 'example.ts:10' },
    ]);
    expect(problems).to.deep.equal([]);
    const hidden = awsCallsIn('hidden.ts', "import { CustomerProfiles } from '@aws-sdk/client-customer-profiles';\nawait import('@aws-sdk/client-entityresolution');\n");
    expect(hidden.problems).to.have.length(2);
  });

  it('allows exactly the operations the code calls (from src/**/*.ts), no more, no fewer', () => {
    const { calls, problems } = awsCallsInSrc();
    expect(problems, 'AWS calls the scan cannot see').to.deep.equal([]);
    const called = new Map<string, string[]>();
    for (const { action, at } of calls) called.set(action, [...(called.get(action) ?? []), at]);
    const allowed = new Set(policyGrants(readPolicy(IAM_POLICY)).keys());
    const missing = [...called].filter(([action]) => !allowed.has(action)).map(([action, where]) => `${action} (called at ${where.join(', ')})`);
    const unused = [...allowed].filter((action) => !called.has(action));
    expect(missing, `called by the code but not allowed by ${rel(IAM_POLICY)}`).to.deep.equal([]);
    expect(unused, `allowed by ${rel(IAM_POLICY)} but called nowhere in src/`).to.deep.equal([]);
    expect(called.size).to.be.greaterThan(0);
  });

  it('grants each action on exactly its resource type, in Allow statements without wildcards or Not* elements', () => {
    const policy = readPolicy(IAM_POLICY);
    expect(policy.Version).to.equal('2012-10-17');
    for (const [index, statement] of (policy.Statement ?? []).entries()) {
      const where = `statement ${statement.Sid ?? index}`;
      expect(statement.Effect, where).to.equal('Allow');
      expect(statement.NotAction, where).to.equal(undefined);
      expect(statement.NotResource, where).to.equal(undefined);
      expect(statement.Principal, where).to.equal(undefined);
      for (const action of list(statement.Action)) expect(action, where).to.match(/^(?:profile|entityresolution):[A-Z][A-Za-z]+$/);
      expect(list(statement.Resource), `${where}: Resource`).to.have.length.greaterThan(0);
    }
    for (const [action, resources] of policyGrants(policy)) {
      const expected = ACTION_RESOURCES[action];
      expect(expected, `${action}: no row in ACTION_RESOURCES (test/deploy.test.ts): add its resource type from the Service Authorization Reference`).to.not.equal(undefined);
      expect([...resources].sort(), `${action}: resources`).to.deep.equal([...(expected ?? [])].sort());
    }
  });

  it('has a trust policy that lets the exporter\'s role assume a target account\'s role with an external ID', () => {
    const trust = readPolicy(IAM_TRUST_POLICY);
    expect(trust.Version).to.equal('2012-10-17');
    expect(trust.Statement).to.have.length(1);
    const [statement] = trust.Statement ?? [];
    expect(statement?.Effect).to.equal('Allow');
    expect(list(statement?.Action)).to.deep.equal(['sts:AssumeRole']);
    const serviceAccounts = ofKind(renderedVariant('deploy/kubernetes/base').objects, 'ServiceAccount');
    const irsaRoles = serviceAccounts.map(({ metadata }) => metadata?.annotations?.[IRSA_ROLE_ANNOTATION]);
    expect(list(statement?.Principal?.AWS), 'the principal: the exporter\'s (IRSA) role').to.deep.equal(irsaRoles);
    const externalId = statement?.Condition?.StringEquals?.['sts:ExternalId'];
    expect(externalId, 'Condition.StringEquals sts:ExternalId').to.be.a('string').and.match(/^[\w+=,.@:/-]{2,1224}$/);
  });
});

describe('deployment: docs/deployment.md', () => {
  it('names only files and directories of the repository that exist', () => {
    const paths = [...readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8').matchAll(/(?<![\w./-])((?:deploy|docs|scripts|grafana|prometheus)\/[\w./-]*[\w/])/g)].map((match) => match[1] ?? '');
    expect(paths.length).to.be.greaterThan(5);
    for (const path of new Set(paths)) expect(existsSync(join(ROOT, path)), path).to.equal(true);
  });
});
