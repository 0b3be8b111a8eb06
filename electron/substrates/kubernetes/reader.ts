import type { KubeConfig } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/logger.ts';
import type { K8sAppState } from '../../../shared/model/app-state.ts';
import { SubstrateError, errorMessage } from '../../../shared/model/errors.ts';
import type { EnvironmentIdentity, K8sAppRef, KubernetesReader } from '../types.ts';
import { KubeClient } from './client.ts';
import { loadKubeconfig, type KubeconfigLoadOptions } from './kubeconfig-loader.ts';
import { imagesSignature, toAppState, type DeploymentLike, type HpaLike } from './mapping.ts';
import type { RetryPolicy } from './retry.ts';
import { listWatchDeployments } from './watch-loop.ts';

/** Options shared by the reader and the writer. */
export interface KubernetesAdapterOptions {
  /** a loaded KubeConfig, or how to load one (context, explicit path, env for KUBECONFIG/HOME) */
  kubeconfig: KubeConfig | KubeconfigLoadOptions;
  /** the context to use (overrides `kubeconfig.context`); default the current-context */
  context?: string;
  clock: Clock;
  logger?: Logger;
  /** real ms one HTTP request may take; default 30000 */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** namespaces read in parallel; default 16 */
  concurrency?: number;
}

export function createKubeClient(opts: KubernetesAdapterOptions): KubeClient {
  const { kc, target } = loadKubeconfig(opts.kubeconfig, opts.context);
  return new KubeClient({
    kc,
    target,
    clock: opts.clock,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
  });
}

/** ONE list of deployments and ONE list of HPAs per namespace; missing deployments map to null. */
export async function readAppsWith(client: KubeClient, refs: K8sAppRef[], concurrency: number, signal?: AbortSignal): Promise<Map<string, K8sAppState | null>> {
  const byNs = new Map<string, K8sAppRef[]>();
  for (const r of refs) byNs.set(r.namespace, [...(byNs.get(r.namespace) ?? []), r]);
  const limit = pLimit(Math.max(1, concurrency));
  const out = new Map<string, K8sAppState | null>();
  await Promise.all(
    [...byNs].map(([namespace, nsRefs]) =>
      limit(async () => {
        const [deps, hpas] = await Promise.all([
          client.call('list', `deployments ${namespace}`, (o) => client.apps.listNamespacedDeployment({ namespace }, o), { signal }),
          listHpas(client, namespace, signal),
        ]);
        const byName = new Map((deps.items as DeploymentLike[]).map((d) => [d.metadata?.name ?? '', d]));
        for (const ref of nsRefs) {
          const dep = byName.get(ref.deployment);
          out.set(ref.app, dep ? toAppState(ref, dep, hpas) : null);
        }
      }),
    ),
  );
  return out;
}

/** HPAs (autoscaling/v2) of a namespace; a cluster without autoscaling/v2 has none. */
export async function listHpas(client: KubeClient, namespace: string, signal?: AbortSignal): Promise<HpaLike[]> {
  try {
    const list = await client.call('list', `horizontalpodautoscalers ${namespace}`, (o) => client.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, o), { signal });
    return list.items as HpaLike[];
  } catch (err) {
    if (err instanceof SubstrateError && err.status === 404) return [];
    throw err;
  }
}

/** Watch the pod templates of these apps; `onChange` fires when an app's images change. Returns stop(). */
export function watchTemplatesWith(client: KubeClient, refs: K8sAppRef[], onChange: (app: string, state: K8sAppState) => void): () => void {
  const stop = new AbortController();
  const byNs = new Map<string, K8sAppRef[]>();
  for (const r of refs) byNs.set(r.namespace, [...(byNs.get(r.namespace) ?? []), r]);
  for (const [namespace, nsRefs] of byNs) {
    const seen = new Map<string, string>();
    const consider = (dep: DeploymentLike) => {
      for (const ref of nsRefs) {
        if (ref.deployment !== dep.metadata?.name) continue;
        const sig = imagesSignature(ref, dep);
        const before = seen.get(ref.app);
        seen.set(ref.app, sig);
        // a change noticed on an event, or on a relist after a 410 (the change landed while we were away)
        if (before !== undefined && before !== sig) onChange(ref.app, toAppState(ref, dep));
      }
    };
    listWatchDeployments({
      client,
      namespace,
      signal: stop.signal,
      onList: (items) => {
        for (const d of items) consider(d);
      },
      onEvent: (type, obj) => {
        if (type !== 'DELETED') consider(obj);
      },
      onReconnect: (info) => client.logger.debug('template watch reconnect', { context: client.target.context, namespace, ...info }),
    }).catch((err: unknown) => {
      if (!stop.signal.aborted) client.logger.warn('template watch stopped', { context: client.target.context, namespace, error: errorMessage(err) });
    });
  }
  return () => stop.abort();
}

/** The cluster's identity: the UID of its kube-system namespace (asked of the API server, never inferred from its URL). */
export async function clusterIdentity(client: KubeClient, signal?: AbortSignal): Promise<Extract<EnvironmentIdentity, { substrate: 'kubernetes' }>> {
  let ns;
  try {
    ns = await client.call('get', 'namespaces kube-system', (o) => client.core.readNamespace({ name: 'kube-system' }, o), { signal });
  } catch (err) {
    if (err instanceof SubstrateError && (err.status === 401 || err.status === 403 || err.status === 404)) {
      throw new SubstrateError(
        `kubernetes ${client.target.context}: cannot read the cluster's identity (the UID of namespace kube-system): HTTP ${err.status}; the conductor needs "get" on namespaces/kube-system on both sides to tell test from production`,
        { substrate: 'kubernetes', target: client.target.context, resource: 'namespaces kube-system', status: err.status, retryable: false },
      );
    }
    throw err;
  }
  const uid = ns.metadata?.uid;
  if (!uid) throw new SubstrateError(`kubernetes ${client.target.context}: namespace kube-system has no UID; cannot tell this cluster from another`, { substrate: 'kubernetes', target: client.target.context, resource: 'namespaces kube-system', retryable: false });
  return { substrate: 'kubernetes', uid, server: client.target.server, context: client.target.context };
}

/**
 * The production side: reads only. The returned object has no mutating methods at all.
 */
export function createKubernetesReader(opts: KubernetesAdapterOptions): KubernetesReader {
  const client = createKubeClient(opts);
  const concurrency = opts.concurrency ?? 16;
  const reader: KubernetesReader = {
    target: { ...client.target },
    identity: (signal) => clusterIdentity(client, signal),
    readApps: (refs, signal) => readAppsWith(client, refs, concurrency, signal),
    watchTemplates: (refs, onChange) => watchTemplatesWith(client, refs, onChange),
  };
  return Object.freeze(reader);
}
