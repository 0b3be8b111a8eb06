import { seedToDeployment, seedToHpa, type KubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { rolloutStatusOf, type DeploymentLike } from '../../electron/substrates/kubernetes/mapping.ts';
import { waitFor } from '../fixtures/shop/processes.ts';
import { kubeOk, kubeRequest, type JsonObj, type KubeEndpoint } from './kube-http.ts';

/**
 * Puts a sandbox topology (electron/sandbox/kubernetes/topology.ts) into a real cluster as an
 * admin — the same namespaces, Deployments and HPAs the sandbox seeds — and waits until the real
 * controllers have rolled every Deployment out, so both kinds of server start from one description.
 */

export const deploymentsPath = (ns: string, name = '') => `/apis/apps/v1/namespaces/${ns}/deployments${name ? `/${name}` : ''}`;
export const hpasPath = (ns: string, name = '') => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers${name ? `/${name}` : ''}`;

/** a seed deployment as a real API server takes it on create (the seed's own annotations, none the deployment controller writes) */
export function deploymentObject(d: KubeSeed['deployments'][number], spec: Partial<{ progressDeadlineSeconds: number }> = {}): JsonObj {
  const obj = seedToDeployment(d) as JsonObj & { metadata: JsonObj; spec: JsonObj };
  if (d.annotations) obj.metadata.annotations = { ...d.annotations };
  else delete obj.metadata.annotations;
  Object.assign(obj.spec, spec);
  return obj;
}

export async function createNamespace(admin: KubeEndpoint, ns: string): Promise<void> {
  const a = await kubeRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (a.status !== 201 && a.status !== 409) throw new Error(`create namespace ${ns}: HTTP ${a.status}: ${a.text}`);
  // pods are admitted only once the namespace's default service account exists
  await waitFor(`service account ${ns}/default`, async () => (await kubeRequest(admin, 'GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200, 30_000, 100);
}

/** Seed namespaces, Deployments and HPAs; resolves once every Deployment's rollout is complete. */
export async function seedCluster(admin: KubeEndpoint, seed: KubeSeed, spec: Partial<{ progressDeadlineSeconds: number }> = {}): Promise<void> {
  for (const ns of new Set([...seed.namespaces, ...seed.deployments.map((d) => d.namespace)])) await createNamespace(admin, ns);
  for (const d of seed.deployments) {
    await kubeOk(admin, 'POST', deploymentsPath(d.namespace), deploymentObject(d, spec));
    const hpa = seedToHpa(d);
    if (hpa) await kubeOk(admin, 'POST', hpasPath(d.namespace), hpa);
  }
  await waitRolledOut(
    admin,
    seed.deployments.map((d) => [d.namespace, d.name]),
  );
}

/** wait until each Deployment's rollout is complete (kubectl's rule, as the adapter reads it) */
export async function waitRolledOut(admin: KubeEndpoint, deployments: [string, string][], timeoutMs = 120_000): Promise<void> {
  await Promise.all(
    deployments.map(([ns, name]) =>
      waitFor(
        `rollout of ${ns}/${name}`,
        async () => rolloutStatusOf(await kubeOk<DeploymentLike>(admin, 'GET', deploymentsPath(ns, name))).complete,
        timeoutMs,
        200,
      ),
    ),
  );
}

/** delete namespaces and wait until they are gone (the namespace controller empties them first) */
export async function deleteNamespaces(admin: KubeEndpoint, namespaces: string[], timeoutMs = 120_000): Promise<void> {
  for (const ns of namespaces) await kubeRequest(admin, 'DELETE', `/api/v1/namespaces/${ns}`);
  await Promise.all(namespaces.map((ns) => waitFor(`namespace ${ns} deleted`, async () => (await kubeRequest(admin, 'GET', `/api/v1/namespaces/${ns}`)).status === 404, timeoutMs, 250)));
}
