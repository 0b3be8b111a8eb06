import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clocks.ts';
import { shopKubeSeed, startKubernetesApiServer, type KubeApiServer } from '../../electron/sandbox/kubernetes/index.ts';
import { api } from '../unit/substrates/kubernetes/sandbox-fixture.ts';

/** The sandbox Kubernetes API server over real HTTP: protocol details a real client relies on. */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DEP = '/apis/apps/v1/namespaces/shop/deployments';

/** Read a watch stream until `count` events arrived or the server ended it. */
async function watchEvents(server: KubeApiServer, path: string, count: number, until?: () => Promise<void>): Promise<{ events: Obj[]; ended: boolean }> {
  const ac = new AbortController();
  const res = await fetch(server.url + path, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const events: Obj[] = [];
  let buf = '';
  let ended = false;
  const pending = until?.();
  for (let i = 0; i < 10_000 && events.length < count; i++) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buf += new TextDecoder().decode(value);
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)) as Obj);
      buf = buf.slice(nl + 1);
    }
  }
  await pending;
  ac.abort();
  return { events, ended };
}

describe('sandbox Kubernetes API server', () => {
  let clock: ManualClock;
  let server: KubeApiServer;

  beforeEach(async () => {
    clock = new ManualClock(Date.parse('2026-11-01T10:00:00Z'));
    server = await startKubernetesApiServer({ clock, name: 'test', seed: shopKubeSeed('test'), rolloutStepMs: 2000 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('binds loopback and serves the discovery kubectl needs', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await api(server, '/version')).body).toMatchObject({ major: '1', minor: '32' });
    expect((await api(server, '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await api(server, '/apis')).body as Obj;
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: Obj) => g.preferredVersion.groupVersion)).toEqual(['apps/v1', 'coordination.k8s.io/v1', 'autoscaling/v2', 'batch/v1', 'argoproj.io/v1alpha1', 'kustomize.toolkit.fluxcd.io/v1', 'helm.toolkit.fluxcd.io/v2']);
    const apps = (await api(server, '/apis/apps/v1')).body as Obj;
    expect(apps.resources.map((r: Obj) => r.name)).toEqual(['deployments', 'deployments/scale', 'deployments/status']);
    expect((await api(server, '/apis/autoscaling/v2')).body).toMatchObject({ groupVersion: 'autoscaling/v2' });
    expect((await api(server, '/api/v1')).body).toMatchObject({ groupVersion: 'v1' });
    // aggregated discovery is not served: the answer stays a plain APIGroupList, so clients fall back
    const agg = await fetch(server.url + '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    expect(agg.headers.get('content-type')).toBe('application/json');
    expect(((await agg.json()) as Obj).kind).toBe('APIGroupList');
  });

  it('lists deployments per namespace and across namespaces with a resourceVersion', async () => {
    const shop = (await api(server, DEP)).body as Obj;
    expect(shop.kind).toBe('DeploymentList');
    expect(shop.items.map((d: Obj) => d.metadata.name)).toEqual(['cart', 'catalog', 'checkout-api']);
    expect(Number(shop.metadata.resourceVersion)).toBeGreaterThan(0);
    const all = (await api(server, '/apis/apps/v1/deployments')).body as Obj;
    expect(all.items.map((d: Obj) => `${d.metadata.namespace}/${d.metadata.name}`)).toContain('payments/fraud-check');
    expect(all.items.some((d: Obj) => d.metadata.name === 'ledger')).toBe(false);
    const one = (await api(server, `${DEP}?fieldSelector=metadata.name%3Dcart`)).body as Obj;
    expect(one.items).toHaveLength(1);
    expect((await api(server, '/apis/apps/v1/namespaces/nowhere/deployments')).body).toMatchObject({ items: [] });
  });

  it('answers errors with real Status objects (404, 409, 422, 415)', async () => {
    const missing = await api(server, '/apis/apps/v1/namespaces/payments/deployments/ledger');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "ledger" not found',
      reason: 'NotFound',
      details: { name: 'ledger', group: 'apps', kind: 'deployments' },
      code: 404,
    });
    const bad = await api(server, `${DEP}/cart`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: -1 } } });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422, details: { causes: [{ field: 'spec.replicas' }] } });
    const cur = (await api(server, `${DEP}/cart`)).body as Obj;
    const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' } };
    const put = await api(server, `${DEP}/cart`, { method: 'PUT', json: stale });
    expect(put.status).toBe(409);
    expect(put.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    const testOp = await api(server, `${DEP}/cart`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      json: [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/spec/replicas', value: 9 },
      ],
    });
    expect(testOp.status).toBe(409);
    const unsupported = await api(server, `${DEP}/cart`, { method: 'PATCH', contentType: 'text/plain', json: {} });
    expect(unsupported.status).toBe(415);
    expect(((await api(server, `${DEP}/cart`)).body as Obj).spec.replicas).toBe(2);
  });

  it('applies merge, strategic-merge (containers by name) and JSON patches; bumps resourceVersion and generation', async () => {
    const before = (await api(server, `${DEP}/checkout-api`)).body as Obj;
    const rv0 = Number(before.metadata.resourceVersion);
    const smp = await api(server, `${DEP}/checkout-api`, {
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      json: { spec: { template: { spec: { $setElementOrder: undefined, containers: [{ name: 'envoy', image: 'registry.example/envoy:1.29.1' }] } } } },
    });
    expect(smp.status).toBe(200);
    const after = smp.body as Obj;
    expect(after.spec.template.spec.containers.map((c: Obj) => [c.name, c.image])).toEqual([
      ['checkout-api', 'registry.example/checkout-api:2.13.0'],
      ['envoy', 'registry.example/envoy:1.29.1'],
    ]);
    expect(after.spec.template.spec.containers[1].resources).toEqual(before.spec.template.spec.containers[1].resources);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(rv0);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);

    // a merge patch replaces lists wholesale; the API server then validates what is left
    const merge = await api(server, `${DEP}/catalog`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { metadata: { labels: { tier: 'web' } } } });
    expect((merge.body as Obj).metadata.labels).toEqual({ app: 'catalog', tier: 'web' });
    expect((merge.body as Obj).metadata.generation).toBe(1); // metadata-only change: no new generation

    const jp = await api(server, `${DEP}/catalog`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      json: [
        { op: 'test', path: '/metadata/resourceVersion', value: (merge.body as Obj).metadata.resourceVersion },
        { op: 'replace', path: '/spec/replicas', value: 5 },
      ],
    });
    expect(jp.status).toBe(200);
    expect((jp.body as Obj).spec.replicas).toBe(5);

    // a no-op patch keeps the resourceVersion
    const noop = await api(server, `${DEP}/catalog`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: 5 } } });
    expect((noop.body as Obj).metadata.resourceVersion).toBe((jp.body as Obj).metadata.resourceVersion);
  });

  it('serves the scale subresource (get, patch, put) and status', async () => {
    const scale = (await api(server, `${DEP}/cart/scale`)).body as Obj;
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 2, selector: 'app=cart' } });
    const patched = await api(server, `${DEP}/cart/scale`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: 4 } } });
    expect((patched.body as Obj).spec.replicas).toBe(4);
    const put = await api(server, `${DEP}/cart/scale`, { method: 'PUT', json: { ...(patched.body as Obj), spec: { replicas: 3 } } });
    expect((put.body as Obj).spec.replicas).toBe(3);
    const stalePut = await api(server, `${DEP}/cart/scale`, { method: 'PUT', json: { ...scale, spec: { replicas: 7 } } });
    expect(stalePut.status).toBe(409);
    const status = (await api(server, `${DEP}/cart/status`)).body as Obj;
    expect(status.spec.replicas).toBe(3);
    expect(status.status).toHaveProperty('observedGeneration');
  });

  it('progresses a rollout one replica per step on the sandbox clock, with conditions', async () => {
    await api(server, `${DEP}/cart`, {
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      json: { spec: { replicas: 3, template: { spec: { containers: [{ name: 'cart', image: 'registry.example/cart:9.9.9' }] } } } },
    });
    const seen: Obj[] = [];
    for (let i = 0; i < 10; i++) {
      const d = (await api(server, `${DEP}/cart`)).body as Obj;
      seen.push({ gen: d.metadata.generation, obs: d.status.observedGeneration, upd: d.status.updatedReplicas, total: d.status.replicas, avail: d.status.availableReplicas ?? 0 });
      await clock.advance(2000);
    }
    expect(seen[0]).toEqual({ gen: 2, obs: 1, upd: 2, total: 2, avail: 2 });
    // a surge pod of the new template first, then one old pod goes for each new one
    expect(seen[1]).toEqual({ gen: 2, obs: 2, upd: 1, total: 3, avail: 3 });
    expect(seen[2]).toEqual({ gen: 2, obs: 2, upd: 2, total: 3, avail: 3 });
    expect(seen[3]).toEqual({ gen: 2, obs: 2, upd: 3, total: 3, avail: 3 });
    expect(seen.at(-1)).toEqual({ gen: 2, obs: 2, upd: 3, total: 3, avail: 3 });
    const done = (await api(server, `${DEP}/cart`)).body as Obj;
    expect(done.status.conditions.map((c: Obj) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const pods = (await api(server, '/api/v1/namespaces/shop/pods?labelSelector=app%3Dcart')).body as Obj;
    expect(pods.kind).toBe('PodList');
    expect(pods.items).toHaveLength(3);
    expect(pods.items.every((p: Obj) => p.spec.containers[0].image === 'registry.example/cart:9.9.9' && p.status.phase === 'Running')).toBe(true);
  });

  it('watches with resourceVersion and fieldSelector, resumes from a resourceVersion, and answers 410 when it expired', async () => {
    const list = (await api(server, `${DEP}?fieldSelector=metadata.name%3Dcart`)).body as Obj;
    const rv = list.metadata.resourceVersion as string;
    const first = await watchEvents(server, `${DEP}?watch=1&fieldSelector=metadata.name%3Dcart&resourceVersion=${rv}`, 1, async () => {
      await api(server, `${DEP}/catalog/scale`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: 1 } } });
      await api(server, `${DEP}/cart/scale`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: 6 } } });
    });
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({ type: 'MODIFIED', object: { metadata: { name: 'cart' }, spec: { replicas: 6 } } });
    // resuming from the old resourceVersion replays what happened since, for that object only
    const replay = await watchEvents(server, `${DEP}?watch=true&fieldSelector=metadata.name%3Dcart&resourceVersion=${rv}`, 1);
    expect(replay.events[0]).toMatchObject({ type: 'MODIFIED', object: { spec: { replicas: 6 } } });
    // without a resourceVersion, a watch starts with the current state
    const initial = await watchEvents(server, `${DEP}?watch=1`, 3);
    expect(initial.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED cart', 'ADDED catalog', 'ADDED checkout-api']);
    server.store.compact();
    const gone = await watchEvents(server, `${DEP}?watch=1&resourceVersion=${rv}`, 5);
    expect(gone.events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);
    expect(gone.ended).toBe(true);
  });

  it('serves Tables for kubectl get, pods derived from deployments, namespaces and HPAs', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const t = (await api(server, DEP, { headers: { accept } })).body as Obj;
    expect(t.kind).toBe('Table');
    expect(t.columnDefinitions.map((c: Obj) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(t.rows[0].cells.slice(0, 4)).toEqual(['cart', '2/2', 2, 2]);
    const ns = (await api(server, '/api/v1/namespaces')).body as Obj;
    expect(ns.items.map((n: Obj) => n.metadata.name)).toEqual(['default', 'kube-system', 'loadtest', 'payments', 'shop']);
    expect((await api(server, '/api/v1/namespaces/shop')).body).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    const hpa = (await api(server, '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers')).body as Obj;
    expect(hpa.items).toHaveLength(1);
    expect(hpa.items[0].spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'checkout-api' }, minReplicas: 2, maxReplicas: 5 });
    const hp = await api(server, '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/checkout-api', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      json: { spec: { minReplicas: 6, maxReplicas: 20 } },
    });
    expect((hp.body as Obj).spec).toMatchObject({ minReplicas: 6, maxReplicas: 20 });
    // the HPA keeps its target within bounds
    expect(((await api(server, `${DEP}/checkout-api`)).body as Obj).spec.replicas).toBe(6);
    const badHpa = await api(server, '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/checkout-api', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      json: { spec: { maxReplicas: 1 } },
    });
    expect(badHpa.status).toBe(422);
    const pods = (await api(server, '/api/v1/pods')).body as Obj;
    expect(pods.items.length).toBe(2 + 3 + 2 + 4 + 1 + 1) // the shop's apps, and one Locust worker in loadtest;
    expect(pods.items.filter((p: Obj) => p.metadata.namespace === 'shop' && p.metadata.labels.app === 'checkout-api')).toHaveLength(2);
  });

  it('creates and deletes deployments; a new deployment rolls out from zero', async () => {
    const body = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'search' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'search' } }, template: { metadata: { labels: { app: 'search' } }, spec: { containers: [{ name: 'search', image: 'registry.example/search:1.0.0' }] } } },
    };
    const created = await api(server, DEP, { method: 'POST', json: body });
    expect(created.status).toBe(201);
    expect((created.body as Obj).metadata).toMatchObject({ name: 'search', namespace: 'shop', generation: 1 });
    expect((await api(server, DEP, { method: 'POST', json: body })).body).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect((await api(server, '/apis/apps/v1/namespaces/nowhere/deployments', { method: 'POST', json: body })).status).toBe(404);
    await clock.advance(4000);
    expect(((await api(server, `${DEP}/search`)).body as Obj).status).toMatchObject({ observedGeneration: 1, updatedReplicas: 2, availableReplicas: 2 });
    const rv = server.store.resourceVersion;
    const del = await api(server, `${DEP}/search`, { method: 'DELETE' });
    expect(del.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'search' } });
    expect((await api(server, `${DEP}/search`)).status).toBe(404);
    const events = await watchEvents(server, `${DEP}?watch=1&resourceVersion=${rv}`, 1);
    expect(events.events[0]).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'search' } } });
  });

  it('injects faults and logs every request, flagging mutating ones', async () => {
    server.faults.set({ fail5xx: 2 });
    expect((await api(server, DEP)).status).toBe(503);
    expect((await api(server, DEP)).body).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable' });
    expect((await api(server, DEP)).status).toBe(200);
    server.faults.set({ conflicts: 1 });
    expect((await api(server, DEP)).status).toBe(200); // reads are not conflicted
    const c = await api(server, `${DEP}/cart/scale`, { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: 3 } } });
    expect(c.status).toBe(409);
    server.faults.set({ dropWatchesAfterMs: 50 });
    const dropped = await watchEvents(server, `${DEP}?watch=1&resourceVersion=${server.store.resourceVersion}`, 1);
    expect(dropped).toEqual({ events: [], ended: true });
    server.faults.set({ latencyMs: 30 });
    await api(server, '/version');
    const entries = server.log.entries;
    expect(entries.filter((e) => e.status === 503)).toHaveLength(2);
    expect(entries.filter((e) => e.mutating).map((e) => [e.method, e.status])).toEqual([['PATCH', 409]]);
    expect(server.mutatingRequests()).toBe(1);
    expect(entries.find((e) => e.method === 'PATCH')?.operation).toBe('patch deployments/scale');
  });
});
