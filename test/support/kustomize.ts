/**
 * The Kubernetes manifests of deploy/kubernetes as the real kustomize renders them (`kubectl kustomize`), and each
 * rendered object checked against the schema of its kind (kubernetes-models, and @kubernetes-models/prometheus-operator
 * for the operator's kinds), so the tests read what `kubectl apply -k` would send to a cluster.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { IPrometheusRule, IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IDeployment, IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService, IServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

/** What every rendered object has (every kind's metadata is the same ObjectMeta); the rest is its kind's (see {@link ofKind}). */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: IConfigMap['metadata'];
}

/** The kinds the tests read, by name, with their schemas' types. */
export interface Kinds {
  ConfigMap: IConfigMap;
  Service: IService;
  ServiceAccount: IServiceAccount;
  Deployment: IDeployment;
  StatefulSet: IStatefulSet;
  ServiceMonitor: IServiceMonitor;
  PrometheusRule: IPrometheusRule;
}

/** The objects of one kind, as its schema types them: the schema {@link validateObject} holds them to. */
export const ofKind = <K extends keyof Kinds>(objects: readonly KubernetesObject[], kind: K): Kinds[K][] =>
  objects.filter((object) => object.kind === kind) as unknown as Kinds[K][];

/**
 * What `kubectl kustomize` renders for an overlay of the kustomization in `resources` with `components` added (all
 * directories); throws with kustomize's message when it fails, as it does for a file that is listed but missing.
 */
export function kustomize(resources: string, components: readonly string[] = []): KubernetesObject[] {
  const overlay = mkdtempSync(join(tmpdir(), 'are-overlay-'));
  try {
    // kustomize takes no absolute path.
    const path = (dir: string): string => relative(overlay, dir);
    writeFileSync(join(overlay, 'kustomization.yaml'), `resources: [${path(resources)}]\ncomponents: [${components.map(path).join(', ')}]\n`);
    const result = spawnSync('kubectl', ['kustomize', overlay], { encoding: 'utf8', timeout: 60_000 });
    if (result.error) throw new Error(`kubectl 1.24 or later is needed for this test (its kustomize renders the components): ${result.error.message}`);
    if (result.status !== 0) throw new Error(`kubectl kustomize ${[resources, ...components].join(' + ')}: ${result.stderr}`);
    return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubernetesObject);
  } finally {
    rmSync(overlay, { recursive: true, force: true });
  }
}

interface Model {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  new (data: KubernetesObject): { validate(): void };
}

/**
 * Throws unless `object` is valid for the schema of its apiVersion and kind. The model is loaded by name, only the
 * kinds rendered (each API group's index loads hundreds); one neither package has fails, as a cluster without its
 * CRD would refuse it.
 */
export async function validateObject(object: KubernetesObject): Promise<void> {
  const { apiVersion, kind } = object;
  const pkg = apiVersion.startsWith('monitoring.coreos.com/') ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const unknown = `${kind} ${apiVersion}: neither kubernetes-models nor @kubernetes-models/prometheus-operator has a schema of this kind`;
  const module = await import(`${pkg}/${apiVersion}/${kind}`).catch((err: unknown) => {
    throw new Error(`${unknown} (${String(err)})`);
  }) as Record<string, Model | undefined>;
  const model = module[kind];
  // The packages also hold models of objects' parts (Container, PodSpec…), which no apiVersion and kind name.
  if (model?.apiVersion !== apiVersion || model.kind !== kind) throw new Error(unknown);
  new model(object).validate();
}
