import { PatchStrategy, V1MicroTime } from '@kubernetes/client-node';
import type { ContainerResources, K8sAppState, K8sDesiredState, ResourceList, RolloutStatus } from '../../../shared/model/app-state.ts';
import { AbortedError, ConductorError, SubstrateError, TimeoutError, errorMessage } from '../../../shared/model/errors.ts';
import type { K8sAppRef, KubernetesWriter, LeaseRecord, LeaseWrite, WaitOptions } from '../types.ts';
import type { KubeClient } from './client.ts';
import { productionGuard, type ProductionK8sTarget } from './guard.ts';
import { hpaFor, rolloutFailure, rolloutStatusOf, toAppState, type DeploymentLike } from './mapping.ts';
import { clusterIdentity, createKubeClient, listHpas, readAppsWith, watchTemplatesWith, type KubernetesAdapterOptions } from './reader.ts';
import { runJob } from './job-runner.ts';
import { gitOpsHolds } from './gitops.ts';
import { watchChangesWith } from './changes.ts';
import { sleepUntil } from './retry.ts';
import { listWatchDeployments } from './watch-loop.ts';

export interface KubernetesWriterOptions extends KubernetesAdapterOptions {
  /** production's API servers and namespaces: any write resolving to one of them is refused */
  productionTargets?: ProductionK8sTarget[];
  /** server-side timeout of one rollout / Job watch request (it is resumed after); default 300 */
  watchTimeoutSeconds?: number;
  /** how long a finished cleanup Job stays in the cluster for inspection; default 3600 */
  jobTtlSecondsAfterFinished?: number;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const resourceListPatch = (want: ResourceList): { [k: string]: Json } => ({ cpu: want.cpu ?? null, memory: want.memory ?? null });

const sameList = (a: Record<string, unknown> | undefined, b: ResourceList) => (a?.cpu ?? undefined) === b.cpu && (a?.memory ?? undefined) === b.memory;

/**
 * The strategic-merge patch that makes `dep` look like `desired`, or undefined when it already does.
 * Only fields present in `desired` appear; requests/limits replace cpu and memory (absent → removed).
 */
export function deploymentPatch(ref: K8sAppRef, dep: DeploymentLike, desired: K8sDesiredState, context = ''): { [k: string]: Json } | undefined {
  const current = dep.spec?.template?.spec?.containers ?? [];
  const names = new Set([...Object.keys(desired.images ?? {}), ...Object.keys(desired.resources ?? {})]);
  const containers: { [k: string]: Json }[] = [];
  for (const name of names) {
    const cur = current.find((c) => c.name === name);
    if (!cur) {
      throw new SubstrateError(
        `kubernetes ${context}: container "${name}" not found in deployment ${ref.namespace}/${ref.deployment}; expected one of: ${current.map((c) => c.name).join(', ')}`,
        { substrate: 'kubernetes', target: context, resource: `deployments ${ref.namespace}/${ref.deployment}`, retryable: false },
      );
    }
    const entry: { [k: string]: Json } = { name };
    const image = desired.images?.[name];
    if (image !== undefined && image !== cur.image) entry.image = image;
    const res: ContainerResources | undefined = desired.resources?.[name];
    if (res && (!sameList(cur.resources?.requests, res.requests) || !sameList(cur.resources?.limits, res.limits))) {
      entry.resources = { requests: resourceListPatch(res.requests), limits: resourceListPatch(res.limits) };
    }
    if (Object.keys(entry).length > 1) containers.push(entry);
  }
  const spec: { [k: string]: Json } = {};
  if (desired.replicas !== undefined && desired.replicas !== dep.spec?.replicas) spec.replicas = desired.replicas;
  if (containers.length) spec.template = { spec: { containers } };
  return Object.keys(spec).length ? { spec } : undefined;
}

/**
 * The test side: reads like the reader, writes images, replicas, resources and HPA bounds, and
 * runs cleanup Jobs (./job-runner.ts). Every write first passes the production guard.
 */
export function createKubernetesWriter(opts: KubernetesWriterOptions): KubernetesWriter {
  const client = createKubeClient(opts);
  const production = opts.productionTargets ?? [];
  const concurrency = opts.concurrency ?? 16;
  const target = { ...client.target };
  const guard = productionGuard(target, production, () => clusterIdentity(client));
  const writer: KubernetesWriter = {
    target,
    identity: (signal) => clusterIdentity(client, signal),
    readApps: (refs, signal) => readAppsWith(client, refs, concurrency, signal),
    watchTemplates: (refs, onChange) => watchTemplatesWith(client, refs, onChange),
    apply: async (ref, desired, signal) => {
      await guard(ref.namespace, `write deployment ${ref.namespace}/${ref.deployment}`);
      return apply(client, ref, desired, signal);
    },
    waitForRollout: (ref, wait) => waitForRollout(client, ref, wait, opts.watchTimeoutSeconds),
    gitops: gitOpsHolds(client, guard),
    watchChanges: (refs, onChange) => watchChangesWith(client, refs, onChange),
    readLease: (namespace, name, signal) => readLease(client, namespace, name, signal),
    writeLease: async (namespace, name, lease, resourceVersion, signal) => {
      await guard(namespace, `write lease ${namespace}/${name}`);
      return writeLease(client, namespace, name, lease, resourceVersion, signal);
    },
    runJob: (job, run) =>
      runJob(
        client,
        {
          guard,
          ...(opts.watchTimeoutSeconds ? { watchTimeoutSeconds: opts.watchTimeoutSeconds } : {}),
          ...(opts.jobTtlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: opts.jobTtlSecondsAfterFinished } : {}),
        },
        job,
        run,
      ),
  };
  return Object.freeze(writer);
}

async function apply(client: KubeClient, ref: K8sAppRef, desired: K8sDesiredState, signal?: AbortSignal): Promise<void> {
  const resource = `deployments ${ref.namespace}/${ref.deployment}`;
  const wantsDeployment = desired.replicas !== undefined || Object.keys(desired.images ?? {}).length > 0 || Object.keys(desired.resources ?? {}).length > 0;
  // The HPA's bounds first, then the deployment: the HPA controller keeps replicas within its
  // bounds whenever it syncs, so replicas written first could be pulled back to the old bounds
  // (restoring 6 → 2 under min 6 ends at the new max) before the bounds change.
  if (desired.hpa) {
    const want = desired.hpa;
    for (let attempt = 1; ; attempt++) {
      const hpa = hpaFor(ref.deployment, await listHpas(client, ref.namespace, signal));
      if (!hpa || (hpa.minReplicas === want.minReplicas && hpa.maxReplicas === want.maxReplicas)) break;
      try {
        await client.call(
          'patch',
          `horizontalpodautoscalers ${ref.namespace}/${hpa.name}`,
          (o) =>
            client.autoscaling.patchNamespacedHorizontalPodAutoscaler(
              { name: hpa.name, namespace: ref.namespace, body: { spec: { minReplicas: want.minReplicas, maxReplicas: want.maxReplicas } }, fieldManager: 'conductor' },
              o,
            ),
          { signal, contentType: PatchStrategy.MergePatch },
        );
        break;
      } catch (err) {
        if (err instanceof SubstrateError && err.status === 409 && attempt < client.retryPolicy.attempts) continue;
        throw err;
      }
    }
  }
  if (wantsDeployment) {
    // read, patch only what differs, and on 409 read again and retry (bounded)
    for (let attempt = 1; ; attempt++) {
      const dep = (await client.call('get', resource, (o) => client.apps.readNamespacedDeployment({ name: ref.deployment, namespace: ref.namespace }, o), {
        signal,
      })) as DeploymentLike;
      const patch = deploymentPatch(ref, dep, desired, client.target.context);
      if (!patch) break;
      try {
        const body = patch;
        await client.call('patch', resource, (o) => client.apps.patchNamespacedDeployment({ name: ref.deployment, namespace: ref.namespace, body, fieldManager: 'conductor' }, o), {
          signal,
          contentType: PatchStrategy.StrategicMergePatch,
        });
        client.logger.info('patched deployment', { context: client.target.context, namespace: ref.namespace, deployment: ref.deployment, patch: body });
        break;
      } catch (err) {
        if (err instanceof SubstrateError && err.status === 409 && attempt < client.retryPolicy.attempts) {
          client.logger.debug('conflict on deployment patch, re-reading', { context: client.target.context, resource, attempt });
          continue;
        }
        throw err;
      }
    }
  }
}

const rolloutDetailOf = (s: RolloutStatus) => `${s.updated} updated, ${s.ready} ready, ${s.available} available of ${s.desired}`;

interface LeaseLike {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string | null; leaseDurationSeconds?: number | null; acquireTime?: Date | string | null; renewTime?: Date | string | null };
}

const isoOf = (t: Date | string | null | undefined): string | null => (t == null ? null : t instanceof Date ? t.toISOString() : String(t));

function toLeaseRecord(l: LeaseLike): LeaseRecord {
  return {
    holderIdentity: l.spec?.holderIdentity ?? null,
    leaseDurationSeconds: l.spec?.leaseDurationSeconds ?? 0,
    acquireTime: isoOf(l.spec?.acquireTime),
    renewTime: isoOf(l.spec?.renewTime),
    annotations: { ...(l.metadata?.annotations ?? {}) },
    resourceVersion: l.metadata?.resourceVersion ?? '',
  };
}

async function readLease(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<LeaseRecord | null> {
  try {
    const l = await client.call('get', `leases ${namespace}/${name}`, (o) => client.coordination.readNamespacedLease({ name, namespace }, o), { signal });
    return toLeaseRecord(l as LeaseLike);
  } catch (err) {
    if (err instanceof SubstrateError && err.status === 404) return null;
    throw err;
  }
}

/** Create the Lease (resourceVersion null) or replace it if it still has that resourceVersion (else a 409 SubstrateError). Never retried blindly. */
async function writeLease(client: KubeClient, namespace: string, name: string, lease: LeaseWrite, resourceVersion: string | null, signal?: AbortSignal): Promise<LeaseRecord> {
  const body = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, annotations: lease.annotations, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: lease.holderIdentity ?? undefined,
      leaseDurationSeconds: lease.leaseDurationSeconds,
      // MicroTime: the API server refuses a time without exactly six fraction digits (400)
      ...(lease.acquireTime ? { acquireTime: new V1MicroTime(lease.acquireTime) } : {}),
      ...(lease.renewTime ? { renewTime: new V1MicroTime(lease.renewTime) } : {}),
    },
  };
  const written = resourceVersion
    ? await client.call('update', `leases ${namespace}/${name}`, (o) => client.coordination.replaceNamespacedLease({ name, namespace, body, fieldManager: 'conductor' }, o), { signal, retry: false })
    : await client.call('create', `leases ${namespace}/${name}`, (o) => client.coordination.createNamespacedLease({ namespace, body, fieldManager: 'conductor' }, o), { signal, retry: false });
  return toLeaseRecord(written as LeaseLike);
}

const sameStatus = (a: RolloutStatus | undefined, b: RolloutStatus) =>
  !!a && a.observed === b.observed && a.desired === b.desired && a.updated === b.updated && a.ready === b.ready && a.available === b.available && a.complete === b.complete;

/**
 * Wait for a rollout through a watch on that one deployment: resumes from the last
 * resourceVersion when the watch drops, relists on 410, reports progress when it changes, and
 * rejects with a SubstrateError as soon as the deployment controller reports the progress deadline
 * exceeded, TimeoutError after `timeoutMs` on the clock, AbortedError when `signal` aborts.
 * The returned state carries no HPA (use readApps for that).
 */
function waitForRollout(client: KubeClient, ref: K8sAppRef, wait: WaitOptions, watchTimeoutSeconds?: number): Promise<K8sAppState> {
  const resource = `deployments ${ref.namespace}/${ref.deployment}`;
  return new Promise<K8sAppState>((resolve, reject) => {
    const internal = new AbortController();
    let settled = false;
    let last: RolloutStatus | undefined;
    const finish = (err: Error | undefined, state?: K8sAppState) => {
      if (settled) return;
      settled = true;
      wait.signal?.removeEventListener('abort', onAbort);
      internal.abort();
      if (err) reject(err);
      else resolve(state as K8sAppState);
    };
    const onAbort = () => finish(new AbortedError(`aborted: waiting for rollout of ${ref.namespace}/${ref.deployment} on ${client.target.context}`, { target: client.target.context, resource }));
    if (wait.signal?.aborted) return onAbort();
    wait.signal?.addEventListener('abort', onAbort, { once: true });

    sleepUntil(client.clock, client.clock.now() + wait.timeoutMs, internal.signal).then(
      () => {
        const where = last ? ` (${rolloutDetailOf(last)}${last.observed ? '' : ', spec change not yet observed'})` : '';
        finish(
          new TimeoutError(`rollout of ${ref.namespace}/${ref.deployment} on ${client.target.context} did not complete within ${wait.timeoutMs} ms${where}`, {
            target: client.target.context,
            resource,
            timeoutMs: wait.timeoutMs,
            ...(last ? { last } : {}),
          }),
        );
      },
      () => undefined,
    );

    const observe = (dep: DeploymentLike | undefined): boolean => {
      if (!dep) {
        finish(new SubstrateError(`kubernetes ${client.target.context}: deployment ${ref.namespace}/${ref.deployment} not found`, { substrate: 'kubernetes', target: client.target.context, resource, status: 404, retryable: false }));
        return true;
      }
      const status = rolloutStatusOf(dep);
      if (!sameStatus(last, status)) {
        last = status;
        try {
          wait.onProgress?.(status);
        } catch (err) {
          client.logger.warn('rollout progress callback threw', { error: errorMessage(err) });
        }
      }
      if (status.complete) {
        finish(undefined, toAppState(ref, dep));
        return true;
      }
      const failure = rolloutFailure(dep);
      if (failure) {
        finish(
          new SubstrateError(`kubernetes ${client.target.context}: rollout of ${ref.namespace}/${ref.deployment} failed: progress deadline exceeded (${failure}; ${rolloutDetailOf(status)})`, {
            substrate: 'kubernetes',
            target: client.target.context,
            resource,
            retryable: false,
          }),
        );
        return true;
      }
      return false;
    };

    listWatchDeployments({
      client,
      namespace: ref.namespace,
      fieldSelector: `metadata.name=${ref.deployment}`,
      signal: internal.signal,
      ...(watchTimeoutSeconds ? { watchTimeoutSeconds } : {}),
      onList: (items) => observe(items.find((d) => d.metadata?.name === ref.deployment)),
      onEvent: (type, obj) => (type === 'DELETED' ? observe(undefined) : observe(obj)),
      onReconnect: (info) => client.logger.debug('rollout watch reconnect', { context: client.target.context, resource, ...info }),
    }).then(
      () => undefined,
      (err: unknown) => {
        if (settled) return;
        finish(err instanceof ConductorError ? err : new SubstrateError(String(err), { substrate: 'kubernetes', target: client.target.context, resource }));
      },
    );
  });
}
