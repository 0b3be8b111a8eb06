import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { createKubernetesReader, createKubernetesWriter, openKubernetesReader } from '../../electron/substrates/kubernetes/index.ts';
import { createKubeClient } from '../../electron/substrates/kubernetes/reader.ts';
import { listWatch, type ListWatchKind } from '../../electron/substrates/kubernetes/watch-loop.ts';
import type { DeploymentLike } from '../../electron/substrates/kubernetes/mapping.ts';
import type { K8sAppRef } from '../../electron/substrates/types.ts';
import type { KubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { ProductionWriteRefused, SubstrateError } from '../../shared/model/errors.ts';
import { compactEtcd, kubeOk, kubeRequest, type JsonObj } from './kube-http.ts';
import { deleteNamespaces, deploymentsPath, hpasPath, seedCluster } from './kube-seed.ts';
import { adapterOptions, usePlane } from './plane-kit.ts';
import { PLANE_CONTEXTS } from './plane.ts';
import { PRODUCTION_CHECKOUT } from '../support/shop-expectations.ts';

/**
 * The Kubernetes adapter against a real kube-apiserver with the real Deployment, ReplicaSet and
 * HPA controllers (pods Ready through kwok): bulk reads, patches read back from the server,
 * rollout waits on the real status and conditions, 409 on a stale write, watches resumed and
 * relisted after 410, and production's audit log showing reads only.
 */

const plane = usePlane();
const clock = new ScaledClock(1);
const NS = 'conformance-adapter';
const started = new Date().toISOString();
const test = plane.clusters.test.admin;

const SHOP: K8sAppRef[] = [
  { app: 'checkout', namespace: 'shop', deployment: 'checkout-api' },
  { app: 'cart', namespace: 'shop', deployment: 'cart' },
  { app: 'catalog', namespace: 'shop', deployment: 'catalog' },
  { app: 'payment-gateway', namespace: 'payments', deployment: 'payment-gateway' },
  { app: 'fraud-check', namespace: 'payments', deployment: 'fraud-check' },
  { app: 'ledger', namespace: 'payments', deployment: 'ledger' },
];
const WEB: K8sAppRef = { app: 'web', namespace: NS, deployment: 'web' };
const STUCK: K8sAppRef = { app: 'stuck', namespace: NS, deployment: 'stuck' };
const WATCHED: K8sAppRef = { app: 'watched', namespace: NS, deployment: 'watched' };

const seed: KubeSeed = {
  namespaces: [NS],
  deployments: [
    {
      namespace: NS,
      name: 'web',
      replicas: 2,
      containers: [
        { name: 'web', image: 'registry.example/web:1.0.0', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
        { name: 'envoy', image: 'registry.example/envoy:1.28.0', resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } } },
      ],
      hpa: { minReplicas: 2, maxReplicas: 5 },
    },
    { namespace: NS, name: 'stuck', replicas: 1, containers: [{ name: 'stuck', image: 'registry.example/stuck:1.0.0', resources: { requests: { cpu: '100m' } } }] },
    { namespace: NS, name: 'watched', replicas: 1, containers: [{ name: 'watched', image: 'registry.example/watched:1.0.0' }] },
  ],
};

const writer = () =>
  createKubernetesWriter({
    ...adapterOptions(plane, 'test', clock),
    productionTargets: [{ server: plane.clusters.production.server, context: 'real-prod', namespaces: ['shop', 'payments'] }],
  });
const getDeployment = (ns: string, name: string) => kubeOk<JsonObj & DeploymentLike & { metadata: { generation: number; resourceVersion: string } }>(test, 'GET', deploymentsPath(ns, name));

beforeAll(async () => {
  // `stuck` makes no progress for 5 s and the deployment controller calls it failed
  await seedCluster(test, seed, { progressDeadlineSeconds: 5 });
});

afterAll(async () => {
  await deleteNamespaces(test, [NS]);
});

describe('the Kubernetes adapter on a real API server', () => {
  it("reads through the conductor's own kubeconfig loader (KUBECONFIG, TLS with the CA from the file, a token): bounded, asynchronous, the same answer", async () => {
    const viaLoader = await openKubernetesReader({ kubeconfig: { env: { KUBECONFIG: plane.kubeconfig } }, context: PLANE_CONTEXTS.test, clock });
    expect(await viaLoader.readApps(SHOP)).toEqual(await createKubernetesReader(adapterOptions(plane, 'test', clock)).readApps(SHOP));
  });

  it('reads every shop app of both sides in bulk: one list of deployments and one of HPAs per namespace', async () => {
    const p = await createKubernetesReader(adapterOptions(plane, 'production', clock)).readApps(SHOP);
    const t = await createKubernetesReader(adapterOptions(plane, 'test', clock)).readApps(SHOP);
    expect(p.get('checkout')).toEqual(PRODUCTION_CHECKOUT);
    expect(t.get('checkout')?.containers[0]?.image).toBe('registry.example/checkout-api:2.13.0');
    expect(t.get('checkout')?.hpa).toEqual({ name: 'checkout-api', minReplicas: 2, maxReplicas: 5 });
    expect(t.get('ledger')).toBeNull();
    expect(p.get('ledger')?.rollout.complete).toBe(true);

    // production's audit log: Conductor's reader listed each kind once per namespace, and wrote nothing
    const reads = plane
      .productionAudit()
      .filter((e) => e.user.username === 'conductor-reader' && e.stageTimestamp >= started)
      .map((e) => `${e.verb} ${e.requestURI.split('?')[0]}`)
      .sort();
    expect(reads).toEqual([
      'list /apis/apps/v1/namespaces/payments/deployments',
      'list /apis/apps/v1/namespaces/shop/deployments',
      'list /apis/autoscaling/v2/namespaces/payments/horizontalpodautoscalers',
      'list /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers',
    ]);
    expect(plane.productionMutations(started)).toEqual([]);
  });

  it('patches images, replicas, resources and HPA bounds; the server has exactly them, and the rollout completes on the real status', async () => {
    const w = writer();
    const before = await getDeployment(NS, 'web');
    await w.apply(WEB, {
      replicas: 4,
      images: { web: 'registry.example/web:2.0.0' },
      resources: { web: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
      hpa: { minReplicas: 4, maxReplicas: 8 },
    });
    const progress: string[] = [];
    const state = await w.waitForRollout(WEB, { timeoutMs: 120_000, onProgress: (s) => progress.push(`${s.updated}/${s.ready}/${s.available} of ${s.desired}`) });
    expect(state.rollout).toMatchObject({ complete: true, observed: true, desired: 4, updated: 4, available: 4 });
    expect(progress.at(-1)).toBe('4/4/4 of 4');

    const after = await getDeployment(NS, 'web');
    // one spec change from Conductor's patch; the HPA controller may add one, scaling to the new minimum first
    expect(after.metadata.generation).toBeGreaterThan(before.metadata.generation);
    const containers = (after.spec as { template: { spec: { containers: JsonObj[] } } }).template.spec.containers;
    expect(containers.map((c) => [c.name, c.image, c.resources])).toEqual([
      ['web', 'registry.example/web:2.0.0', { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }],
      ['envoy', 'registry.example/envoy:1.28.0', { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } }],
    ]);
    expect((after.spec as { replicas: number }).replicas).toBe(4);
    const hpa = await kubeOk<{ spec: { minReplicas: number; maxReplicas: number } }>(test, 'GET', hpasPath(NS, 'web'));
    expect(hpa.spec).toMatchObject({ minReplicas: 4, maxReplicas: 8 });

    // the pods kwok made Ready run the new template
    const pods = await kubeOk<{ items: { spec: { containers: { image: string }[] }; status: { phase: string } }[] }>(test, 'GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
    const running = pods.items.filter((p) => p.status.phase === 'Running');
    expect(running.map((p) => p.spec.containers[0]!.image)).toEqual(Array(4).fill('registry.example/web:2.0.0'));

    // the adapter reads back what the server has; the same desired state again writes nothing
    const read = (await w.readApps([WEB])).get('web')!;
    expect(read).toMatchObject({ replicas: 4, hpa: { minReplicas: 4, maxReplicas: 8 }, containers: [{ image: 'registry.example/web:2.0.0' }, { image: 'registry.example/envoy:1.28.0' }] });
    const rv = (await getDeployment(NS, 'web')).metadata.resourceVersion;
    await w.apply(WEB, { replicas: 4, images: { web: 'registry.example/web:2.0.0' }, hpa: { minReplicas: 4, maxReplicas: 8 } });
    expect((await getDeployment(NS, 'web')).metadata.resourceVersion).toBe(rv);
  });

  it('removes a resource the desired state leaves out (strategic merge with null)', async () => {
    const w = writer();
    await w.apply(WEB, { resources: { web: { requests: { cpu: '300m' }, limits: { memory: '1Gi' } } } });
    const dep = await getDeployment(NS, 'web');
    const web = (dep.spec as { template: { spec: { containers: JsonObj[] } } }).template.spec.containers[0]!;
    expect(web.resources).toEqual({ requests: { cpu: '300m' }, limits: { memory: '1Gi' } });
    await w.waitForRollout(WEB, { timeoutMs: 120_000 });
  });

  it('a rollout past progressDeadlineSeconds fails at the deadline, not at the wait timeout', async () => {
    const w = writer();
    // more CPU than the node has: the new pod stays Pending, the rollout makes no progress
    await w.apply(STUCK, { resources: { stuck: { requests: { cpu: '5000' }, limits: {} } } });
    const t0 = Date.now();
    const err = await w.waitForRollout(STUCK, { timeoutMs: 180_000 }).catch((e: unknown) => e);
    const waited = Date.now() - t0;
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as Error).message).toMatch(/rollout of conformance-adapter\/stuck failed: progress deadline exceeded \(ReplicaSet "stuck-\w+" has timed out progressing\./);
    // the deadline is 5 s; the controller notices it on its next sync — far from the 180 s timeout
    expect(waited).toBeLessThan(90_000);
    const dep = await getDeployment(NS, 'stuck');
    const conditions = (dep.status as { conditions: { type: string; status: string; reason: string }[] }).conditions;
    expect(conditions.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });

  it('a stale write gets 409 Conflict with the real Status body, and the adapter names it', async () => {
    const stale = await getDeployment(NS, 'watched');
    await kubeOk(test, 'PATCH', deploymentsPath(NS, 'watched'), { metadata: { labels: { touched: 'yes' } } }, 'application/merge-patch+json');
    const put = await kubeRequest(test, 'PUT', deploymentsPath(NS, 'watched'), stale);
    expect(put.status).toBe(409);
    expect(put.body).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Conflict',
      code: 409,
      details: { name: 'watched', group: 'apps', kind: 'deployments' },
      message: 'Operation cannot be fulfilled on deployments.apps "watched": the object has been modified; please apply your changes to the latest version and try again',
    });

    const client = createKubeClient(adapterOptions(plane, 'test', clock));
    const err = await client
      .call('replace', `deployments ${NS}/watched`, (o) => client.apps.replaceNamespacedDeployment({ name: 'watched', namespace: NS, body: stale as never }, o), { retry: false })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect(err).toMatchObject({ status: 409, retryable: false });
    expect((err as Error).message).toContain('replace deployments conformance-adapter/watched failed (409): Operation cannot be fulfilled on deployments.apps "watched"');

    // Conductor's own writes are patches of the fields it sets: another writer's change survives them
    await writer().apply(WATCHED, { replicas: 2 });
    const now = await getDeployment(NS, 'watched');
    expect((now.metadata as unknown as { labels: Record<string, string> }).labels.touched).toBe('yes');
    expect((now.spec as { replicas: number }).replicas).toBe(2);
  });

  it('a watch from a compacted resourceVersion gets 410 Gone and is relisted; a watch the server closes is resumed', async () => {
    const client = createKubeClient({ ...adapterOptions(plane, 'test', clock), retry: { attempts: 4, baseDelayMs: 50, maxDelayMs: 200 } });
    // compact etcd's history up to now: older resourceVersions are gone (the API server compacts every 5 min by itself)
    await compactEtcd(plane.etcd, (await getDeployment(NS, 'watched')).metadata.resourceVersion);
    let lists = 0;
    const kind: ListWatchKind = {
      plural: 'deployments',
      path: (ns) => deploymentsPath(ns),
      list: async (c, ns, fieldSelector, signal) => {
        const list = await c.call('list', `deployments ${ns}`, (o) => c.apps.listNamespacedDeployment({ namespace: ns, ...(fieldSelector ? { fieldSelector } : {}) }, o), { signal });
        // the first list hands the watch a resourceVersion from before the compaction
        return ++lists === 1 ? { ...list, metadata: { ...list.metadata, resourceVersion: '1' } } : list;
      },
    };
    const reconnects: string[] = [];
    const images: string[] = [];
    const stop = new AbortController();
    let patched = false;
    const loop = listWatch<DeploymentLike>(kind, {
      client,
      namespace: NS,
      fieldSelector: 'metadata.name=watched',
      signal: stop.signal,
      watchTimeoutSeconds: 1,
      onList: () => undefined,
      onEvent: (_type, dep) => {
        const image = dep.spec?.template?.spec?.containers?.[0]?.image ?? '';
        images.push(image);
        return image === 'registry.example/watched:2.0.0';
      },
      onReconnect: (info) => {
        reconnects.push(`${info.how}: ${info.reason}`);
        // once the loop has relisted and resumed after the server closed a watch, change the deployment
        if (info.how === 'resume' && !patched) {
          patched = true;
          void writer().apply(WATCHED, { images: { watched: 'registry.example/watched:2.0.0' } });
        }
      },
    });
    const timer = setTimeout(() => stop.abort(), 60_000);
    await loop.finally(() => clearTimeout(timer));
    expect(reconnects[0]).toBe('relist: 410 Gone: resourceVersion expired');
    expect(reconnects).toContain('resume: watch closed by the server');
    expect(lists).toBe(2);
    expect(images.at(-1)).toBe('registry.example/watched:2.0.0');
  });

  it('production: the writer refuses its namespaces with nothing sent; its read-only user cannot write either', async () => {
    const prodWriter = createKubernetesWriter({
      ...adapterOptions(plane, 'production', clock),
      productionTargets: [{ server: plane.clusters.production.server, context: 'real-prod', namespaces: ['shop', 'payments'] }],
    });
    const mark = new Date().toISOString();
    const refused = await prodWriter.apply(SHOP[1]!, { replicas: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProductionWriteRefused);
    expect(plane.productionAudit().filter((e) => e.stageTimestamp >= mark && e.user.username === 'conductor-reader')).toEqual([]);

    // past the guard, RBAC still says no — and the audit log records the attempt
    const forbidden = await kubeRequest(plane.clusters.production.conductor, 'PATCH', deploymentsPath('shop', 'cart'), { spec: { replicas: 1 } }, 'application/merge-patch+json');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    expect(plane.productionMutations(mark).map((e) => [e.verb, e.user.username, e.responseStatus?.code])).toEqual([['patch', 'conductor-reader', 403]]);
  });
});
