import type { Clock } from '../../base/clock.ts';
import { clone, deepEqual, isObject, type Json, type JsonObject } from './patch.ts';
import type { KubeStore } from './store.ts';

/**
 * The GitOps controllers of a test cluster, reduced to what a load test meets: every few seconds
 * (Argo CD's self-heal, Flux's drift correction) each Deployment managed by an Argo CD Application
 * or a Flux Kustomization/HelmRelease is put back to its state in git — images, resources and
 * (without an HPA) replicas as seeded — unless that controller is paused:
 * - Argo CD: the Application has no `spec.syncPolicy.automated`, `automated.enabled: false` or no `selfHeal`;
 * - Flux Kustomization: the object carries `kustomize.toolkit.fluxcd.io/reconcile: disabled`, or the Kustomization `spec.suspend`;
 * - Flux HelmRelease: the object carries `helm.toolkit.fluxcd.io/driftDetection: disabled`, or the HelmRelease `spec.suspend`.
 * Writes go through the store under the controller's field manager (argocd-controller, kustomize-controller, helm-controller).
 */

interface GitState {
  replicas?: number;
  containers: { name: string; image: Json; resources: Json }[];
}

type Manager = { kind: 'argocd'; app: string; namespace: string } | { kind: 'kustomization' | 'helmrelease'; name: string; namespace: string };

export const ARGOCD_NAMESPACE = 'argocd';

/** Who manages a Deployment, from its metadata, the way the controllers label what they apply. */
function managerOf(dep: JsonObject): Manager | undefined {
  const meta = dep.metadata as JsonObject;
  const labels = (isObject(meta.labels) ? meta.labels : {}) as Record<string, string>;
  const annotations = (isObject(meta.annotations) ? meta.annotations : {}) as Record<string, string>;
  const tracking = annotations['argocd.argoproj.io/tracking-id'];
  if (tracking) {
    const app = tracking.split(':')[0] ?? '';
    const sep = app.indexOf('_');
    return sep > 0 ? { kind: 'argocd', app: app.slice(sep + 1), namespace: app.slice(0, sep) } : { kind: 'argocd', app, namespace: ARGOCD_NAMESPACE };
  }
  if (labels['kustomize.toolkit.fluxcd.io/name']) return { kind: 'kustomization', name: labels['kustomize.toolkit.fluxcd.io/name'], namespace: labels['kustomize.toolkit.fluxcd.io/namespace'] ?? '' };
  if (labels['helm.toolkit.fluxcd.io/name']) return { kind: 'helmrelease', name: labels['helm.toolkit.fluxcd.io/name'], namespace: labels['helm.toolkit.fluxcd.io/namespace'] ?? '' };
  if (labels['app.kubernetes.io/instance']) return { kind: 'argocd', app: labels['app.kubernetes.io/instance'], namespace: ARGOCD_NAMESPACE };
  return undefined;
}

export class GitOpsControllers {
  private readonly git = new Map<string, GitState>();
  /** reverts made, for tests: which Deployment, which controller, when (simulated ms) */
  readonly reverts: { deployment: string; manager: string; t: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly store: KubeStore,
  ) {}

  /** Take every managed Deployment's current state as its state in git (call after seeding). */
  recordGitState(): void {
    const hpaTargets = new Set(this.store.list('horizontalpodautoscalers').map((h) => `${String((h.metadata as JsonObject).namespace)}/${String(((h.spec as JsonObject).scaleTargetRef as JsonObject).name)}`));
    for (const dep of this.store.list('deployments')) {
      if (!managerOf(dep)) continue;
      const meta = dep.metadata as JsonObject;
      const id = `${String(meta.namespace)}/${String(meta.name)}`;
      const spec = dep.spec as JsonObject;
      const containers = ((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[];
      this.git.set(id, {
        ...(hpaTargets.has(id) ? {} : { replicas: spec.replicas as number }),
        containers: containers.map((c) => ({ name: String(c.name), image: clone(c.image ?? null), resources: clone(c.resources ?? {}) })),
      });
    }
  }

  private paused(m: Manager, dep: JsonObject): boolean {
    const annotations = ((dep.metadata as JsonObject).annotations ?? {}) as Record<string, string>;
    if (m.kind === 'argocd') {
      const app = this.store.get('applications', m.namespace, m.app);
      const automated = isObject(app?.spec) && isObject(app.spec.syncPolicy) ? app.spec.syncPolicy.automated : undefined;
      return !isObject(automated) || automated.enabled === false || automated.selfHeal !== true;
    }
    if (m.kind === 'kustomization') {
      if (annotations['kustomize.toolkit.fluxcd.io/reconcile'] === 'disabled') return true;
      const ks = this.store.get('kustomizations', m.namespace, m.name);
      return !ks || (isObject(ks.spec) && ks.spec.suspend === true);
    }
    if (annotations['helm.toolkit.fluxcd.io/driftDetection'] === 'disabled') return true;
    const hr = this.store.get('helmreleases', m.namespace, m.name);
    return !hr || (isObject(hr.spec) && hr.spec.suspend === true);
  }

  /** One self-heal pass over every managed Deployment. */
  reconcile(): void {
    for (const [id, git] of this.git) {
      const [ns, name] = id.split('/') as [string, string];
      const dep = this.store.get('deployments', ns, name);
      if (!dep) continue;
      const m = managerOf(dep);
      if (!m || this.paused(m, dep)) continue;
      const next = clone(dep);
      const spec = next.spec as JsonObject;
      if (git.replicas !== undefined) spec.replicas = git.replicas;
      const containers = ((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[];
      for (const c of containers) {
        const want = git.containers.find((g) => g.name === c.name);
        if (!want) continue;
        c.image = clone(want.image);
        c.resources = clone(want.resources);
      }
      if (deepEqual(next.spec, dep.spec)) continue;
      const manager = m.kind === 'argocd' ? 'argocd-controller' : m.kind === 'kustomization' ? 'kustomize-controller' : 'helm-controller';
      (next.metadata as JsonObject).resourceVersion = '';
      this.store.replace('deployments', ns, name, next, manager);
      this.reverts.push({ deployment: id, manager, t: this.clock.now() });
    }
  }
}
