import { waitFor } from '../fixtures/shop/processes.ts';
import { kubeOk, kubeRequest, type JsonObj, type KubeEndpoint } from './kube-http.ts';
import { deploymentsPath } from './kube-seed.ts';

/**
 * GitOps in a real test cluster without the controllers: the CustomResourceDefinitions of the
 * objects Conductor reads and patches (Flux's Kustomization, Argo CD's Application and
 * ApplicationSet — as small as the API server takes them, with the fields we touch typed as the
 * real CRDs type them), and a reverter that does what their self-heal does to a managed
 * Deployment — puts its images and replicas back to the state "in git" — unless it is paused the
 * way that controller honours:
 * - Flux kustomize-controller: the in-cluster object carries `kustomize.toolkit.fluxcd.io/reconcile:
 *   disabled` (kustomize-controller docs, "Suspending and resuming": the controller no longer
 *   applies changes to it), or its Kustomization has `spec.suspend: true`;
 * - Argo CD: its Application's `spec.syncPolicy.automated` is absent, `enabled: false` or without
 *   `selfHeal` (self-heal only reverts live changes with automated sync and selfHeal on).
 * It polls (Argo CD's self-heal and Flux's drift detection also act on their own interval),
 * writes with the controller's field manager and records every revert, so a run that forgot the
 * pause fails its test.
 */

export const APPLICATIONS = (ns: string, name = '') => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/applications${name ? `/${name}` : ''}`;
export const APPLICATIONSETS = (ns: string, name = '') => `/apis/argoproj.io/v1alpha1/namespaces/${ns}/applicationsets${name ? `/${name}` : ''}`;
export const KUSTOMIZATIONS = (ns: string, name = '') => `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations${name ? `/${name}` : ''}`;
export const FLUX_RECONCILE = 'kustomize.toolkit.fluxcd.io/reconcile';

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function crd(group: string, version: string, kind: string, plural: string, shortNames: string[], spec: JsonObj): JsonObj {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List`, shortNames },
      versions: [{ name: version, served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec, status: open } } } }],
    },
  };
}

/** Argo CD's automated sync policy, typed as its CRD types it (v3) */
const syncPolicy = {
  type: 'object',
  'x-kubernetes-preserve-unknown-fields': true,
  properties: {
    automated: { type: 'object', properties: { allowEmpty: { type: 'boolean' }, enabled: { type: 'boolean' }, prune: { type: 'boolean' }, selfHeal: { type: 'boolean' } } },
    syncOptions: { type: 'array', items: { type: 'string' } },
  },
};

const CRDS = [
  crd('kustomize.toolkit.fluxcd.io', 'v1', 'Kustomization', 'kustomizations', ['ks'], { ...open, properties: { suspend: { type: 'boolean' }, interval: { type: 'string' }, path: { type: 'string' } } }),
  crd('argoproj.io', 'v1alpha1', 'Application', 'applications', ['app', 'apps'], { ...open, properties: { syncPolicy } }),
  crd('argoproj.io', 'v1alpha1', 'ApplicationSet', 'applicationsets', ['appset', 'appsets'], open),
];

/** Install the CRDs (once per cluster: a second call finds them) and wait until each is Established. */
export async function installGitOpsCrds(admin: KubeEndpoint): Promise<void> {
  for (const c of CRDS) {
    const a = await kubeRequest(admin, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', c);
    if (a.status !== 201 && a.status !== 409) throw new Error(`create CRD ${String((c.metadata as JsonObj).name)}: HTTP ${a.status}: ${a.text}`);
  }
  for (const c of CRDS) {
    const name = String((c.metadata as JsonObj).name);
    await waitFor(
      `CRD ${name} established`,
      async () => {
        const got = await kubeOk<{ status?: { conditions?: { type: string; status: string }[] } }>(admin, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
        return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
      },
      30_000,
      100,
    );
  }
  // the API server serves a new group a moment after Established; a list answering 200 says it does
  await waitFor('the GitOps APIs served', async () => (await Promise.all([KUSTOMIZATIONS('default'), APPLICATIONS('default'), APPLICATIONSETS('default')].map((p) => kubeRequest(admin, 'GET', p)))).every((a) => a.status === 200), 30_000, 100);
}

type Managed = { kind: 'flux'; kustomization: { namespace: string; name: string } } | { kind: 'argocd'; application: { namespace: string; name: string } };

export interface ManagedDeployment {
  namespace: string;
  name: string;
  manager: Managed;
  /** its state in git: each container's image, and replicas unless an HPA owns them */
  git: { replicas?: number; images: Record<string, string> };
}

export interface Revert {
  deployment: string;
  manager: string;
  images: Record<string, string>;
  replicas: number;
}

type Dep = { metadata: { annotations?: Record<string, string> }; spec: { replicas?: number; template: { spec: { containers: { name: string; image: string }[] } } } };

export class GitOpsReverter {
  readonly reverts: Revert[] = [];
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;
  private error: unknown;

  constructor(
    private readonly admin: KubeEndpoint,
    private readonly managed: ManagedDeployment[],
    private readonly everyMs = 300,
  ) {}

  start(): this {
    this.loop = (async () => {
      while (!this.stopped.signal.aborted) {
        try {
          for (const m of this.managed) await this.heal(m);
        } catch (err) {
          this.error = err;
        }
        await new Promise((r) => setTimeout(r, this.everyMs));
      }
    })();
    return this;
  }

  /** stop; throws what a pass failed with (a reverter that silently stopped working would prove nothing) */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    if (this.error) throw this.error;
  }

  private async paused(m: ManagedDeployment, dep: Dep): Promise<boolean> {
    if (m.manager.kind === 'flux') {
      if (dep.metadata.annotations?.[FLUX_RECONCILE] === 'disabled') return true;
      const ks = await kubeOk<{ spec?: { suspend?: boolean } }>(this.admin, 'GET', KUSTOMIZATIONS(m.manager.kustomization.namespace, m.manager.kustomization.name));
      return ks.spec?.suspend === true;
    }
    const app = await kubeRequest(this.admin, 'GET', APPLICATIONS(m.manager.application.namespace, m.manager.application.name));
    if (app.status === 404) return true;
    const automated = (app.body as { spec?: { syncPolicy?: { automated?: { enabled?: boolean; selfHeal?: boolean } } } }).spec?.syncPolicy?.automated;
    return !automated || automated.enabled === false || automated.selfHeal !== true;
  }

  private async heal(m: ManagedDeployment): Promise<void> {
    const got = await kubeRequest(this.admin, 'GET', deploymentsPath(m.namespace, m.name));
    if (got.status === 404) return;
    const dep = got.body as Dep;
    const images = Object.fromEntries(dep.spec.template.spec.containers.map((c) => [c.name, c.image]));
    const drifted = (m.git.replicas !== undefined && dep.spec.replicas !== m.git.replicas) || Object.entries(m.git.images).some(([c, image]) => images[c] !== image);
    if (!drifted || (await this.paused(m, dep))) return;
    const manager = m.manager.kind === 'flux' ? 'kustomize-controller' : 'argocd-application-controller';
    const patch = { spec: { ...(m.git.replicas !== undefined ? { replicas: m.git.replicas } : {}), template: { spec: { containers: Object.entries(m.git.images).map(([name, image]) => ({ name, image })) } } } };
    await kubeOk(this.admin, 'PATCH', `${deploymentsPath(m.namespace, m.name)}?fieldManager=${manager}`, patch, 'application/strategic-merge-patch+json');
    this.reverts.push({ deployment: `${m.namespace}/${m.name}`, manager, images, replicas: dep.spec.replicas ?? 1 });
  }
}
