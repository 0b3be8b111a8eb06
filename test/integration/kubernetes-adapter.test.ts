import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { ManualClock } from '../support/clocks.ts';
import { generatedKubeSeed, shopKubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { createKubernetesReader, createKubernetesWriter } from '../../electron/substrates/kubernetes/index.ts';
import type { K8sAppRef } from '../../electron/substrates/types.ts';
import type { RolloutStatus } from '../../shared/model/app-state.ts';
import { AbortedError, ProductionWriteRefused, SubstrateError, TimeoutError } from '../../shared/model/errors.ts';
import { api, startSandboxClusters, startShopClusters, type SandboxCluster } from '../unit/substrates/kubernetes/sandbox-fixture.ts';
import { PRODUCTION_CHECKOUT } from '../support/shop-expectations.ts';

/** The Kubernetes adapter over real HTTP against the sandbox API servers, faults included. */

const SHOP_REFS: K8sAppRef[] = [
  { app: 'checkout', namespace: 'shop', deployment: 'checkout-api' },
  { app: 'cart', namespace: 'shop', deployment: 'cart' },
  { app: 'catalog', namespace: 'shop', deployment: 'catalog' },
  { app: 'payment-gateway', namespace: 'payments', deployment: 'payment-gateway' },
  { app: 'fraud-check', namespace: 'payments', deployment: 'fraud-check' },
  { app: 'ledger', namespace: 'payments', deployment: 'ledger' },
];
const CART: K8sAppRef = { app: 'cart', namespace: 'shop', deployment: 'cart' };

describe('Kubernetes adapter against the sandbox', () => {
  // 1 real ms = 50 simulated ms: a rollout step (2 simulated s) takes 40 real ms
  let clock: ScaledClock;
  let sb: SandboxCluster;
  const retry = { attempts: 4, baseDelayMs: 200, maxDelayMs: 2000 };
  const reader = (context: string) => createKubernetesReader({ kubeconfig: sb.kubeconfig, context, clock, retry });
  const writer = (context = 'sandbox-test', extra: Partial<Parameters<typeof createKubernetesWriter>[0]> = {}) =>
    createKubernetesWriter({
      kubeconfig: sb.kubeconfig,
      context,
      clock,
      retry,
      productionTargets: [{ server: sb.servers['sandbox-prod']!.url, context: 'sandbox-prod', namespaces: ['shop', 'payments'] }],
      ...extra,
    });
  const test = () => sb.servers['sandbox-test']!;
  const prod = () => sb.servers['sandbox-prod']!;

  beforeEach(async () => {
    clock = new ScaledClock(50);
    sb = await startShopClusters(clock);
  });
  afterEach(async () => {
    // production is never written to
    expect(prod().mutatingRequests()).toBe(0);
    await sb.close();
  });

  it('reads every app of both sides in bulk, mapping images, replicas, resources, HPA and rollout; missing → null', async () => {
    const p = await reader('sandbox-prod').readApps(SHOP_REFS);
    const t = await reader('sandbox-test').readApps(SHOP_REFS);
    expect(p.get('checkout')).toEqual(PRODUCTION_CHECKOUT);
    expect(t.get('checkout')?.containers[0]?.image).toBe('registry.example/checkout-api:2.13.0');
    expect(t.get('checkout')?.hpa).toEqual({ name: 'checkout-api', minReplicas: 2, maxReplicas: 5 });
    expect(p.get('ledger')?.replicas).toBe(2);
    expect(t.get('ledger')).toBeNull();
    expect(t.get('cart')?.hpa).toBeUndefined();
    const only = await reader('sandbox-prod').readApps([{ ...SHOP_REFS[0]!, containers: ['envoy'] }]);
    expect(only.get('checkout')?.containers.map((c) => c.name)).toEqual(['envoy']);
  });

  it('needs at most 2 requests per namespace, whatever the number of apps', async () => {
    const before = prod().log.total;
    await reader('sandbox-prod').readApps(SHOP_REFS);
    const reqs = prod().log.entries.slice(before);
    expect(reqs.map((e) => e.operation).sort()).toEqual(['list deployments', 'list deployments', 'list horizontalpodautoscalers', 'list horizontalpodautoscalers']);

    const big = await startSandboxClusters(clock, { big: { name: 'production', seed: generatedKubeSeed(150, 10) } });
    try {
      const refs = generatedKubeSeed(150, 10).deployments.map((d) => ({ app: d.name, namespace: d.namespace, deployment: d.name }));
      const r = createKubernetesReader({ kubeconfig: big.kubeconfig, context: 'big', clock });
      const out = await r.readApps(refs);
      expect([...out.values()].filter((s) => s !== null)).toHaveLength(150);
      expect(big.servers.big!.log.total).toBe(20);
      expect(big.servers.big!.mutatingRequests()).toBe(0);
    } finally {
      await big.close();
    }
  });

  it('the production reader has no mutating methods', () => {
    const r = reader('sandbox-prod');
    expect(Object.keys(r).sort()).toEqual(['identity', 'readApps', 'target', 'watchTemplates']);
    expect('apply' in r).toBe(false);
    expect(Object.isFrozen(r)).toBe(true);
    expect(r.target).toEqual({ context: 'sandbox-prod', server: prod().url });
  });

  it('applies replicas, images and resources in one patch, touching nothing else, then waits for the rollout with honest progress', async () => {
    const w = writer();
    const depBefore = (await api(test(), '/apis/apps/v1/namespaces/shop/deployments/checkout-api')).body as { metadata: { labels: unknown } };
    const before = test().log.total;
    await w.apply(
      { app: 'checkout', namespace: 'shop', deployment: 'checkout-api' },
      {
        replicas: 6,
        images: { 'checkout-api': 'registry.example/checkout-api:2.14.1' },
        resources: { 'checkout-api': { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } },
        hpa: { minReplicas: 6, maxReplicas: 20 },
      },
    );
    const ops = test()
      .log.entries.slice(before)
      .map((e) => `${e.operation} ${e.status}`);
    // the HPA's bounds before the replicas, or the HPA controller could pull replicas back to the old bounds
    expect(ops).toEqual(['list horizontalpodautoscalers 200', 'patch horizontalpodautoscalers 200', 'get deployments 200', 'patch deployments 200']);

    const state = await w.waitForRollout({ app: 'checkout', namespace: 'shop', deployment: 'checkout-api' }, { timeoutMs: 600_000 });
    expect(state.rollout.complete).toBe(true);
    expect(state.replicas).toBe(6);
    expect(state.containers.map((c) => c.image)).toEqual(['registry.example/checkout-api:2.14.1', 'registry.example/envoy:1.28.0']);
    expect(state.containers[1]!.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } });
    const depAfter = (await api(test(), '/apis/apps/v1/namespaces/shop/deployments/checkout-api')).body as { metadata: { labels: unknown } };
    expect(depAfter.metadata.labels).toEqual(depBefore.metadata.labels);

    // applying the same desired state again sends no patch at all
    const again = test().log.total;
    await w.apply({ app: 'checkout', namespace: 'shop', deployment: 'checkout-api' }, { replicas: 6, hpa: { minReplicas: 6, maxReplicas: 20 } });
    expect(test().log.entries.slice(again).filter((e) => e.mutating)).toEqual([]);
  });

  it('reports rollout progress honestly, one report per step of the sandbox clock', async () => {
    const manual = new ManualClock(Date.parse('2026-11-01T10:00:00Z'));
    const mc = await startSandboxClusters(manual, { 'sandbox-test': { name: 'test', seed: shopKubeSeed('test') } });
    try {
      const w = createKubernetesWriter({ kubeconfig: mc.kubeconfig, context: 'sandbox-test', clock: manual });
      const ref = { app: 'checkout', namespace: 'shop', deployment: 'checkout-api' };
      await w.apply(ref, { replicas: 6, images: { 'checkout-api': 'registry.example/checkout-api:2.14.1' } });
      const progress: RolloutStatus[] = [];
      let done = false;
      const waiting = w.waitForRollout(ref, { timeoutMs: 600_000, onProgress: (p) => progress.push(p) }).finally(() => (done = true));
      const until = async (cond: () => boolean) => {
        for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
      };
      await until(() => progress.length === 1);
      for (let step = 0; step < 10 && !done; step++) {
        const n = progress.length;
        await manual.advance(2000);
        await until(() => progress.length > n || done);
      }
      const state = await waiting;
      expect(state.rollout.complete).toBe(true);
      // first the spec change is not yet observed; then one new replica per step, old ones going as new ones come
      expect(progress.map((p) => [p.observed, p.updated, p.available, p.complete])).toEqual([
        [false, 2, 2, false],
        [true, 1, 3, false],
        [true, 2, 4, false],
        [true, 3, 5, false],
        [true, 4, 6, false],
        [true, 5, 6, false],
        [true, 6, 6, true],
      ]);
      expect(progress.every((p) => p.desired === 6)).toBe(true);
    } finally {
      await mc.close();
    }
  });

  it('refuses an unknown container or a missing deployment without writing', async () => {
    const before = test().mutatingRequests();
    const err = await writer()
      .apply(CART, { images: { sidecar: 'x:1' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as Error).message).toMatch(/container "sidecar" not found in deployment shop\/cart; expected one of: cart/);
    expect(test().mutatingRequests()).toBe(before);
    const missing = await writer()
      .apply({ app: 'ledger', namespace: 'payments', deployment: 'ledger' }, { replicas: 2 })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'SUBSTRATE', details: { status: 404, retryable: false, target: 'sandbox-test', resource: 'deployments payments/ledger' } });
    expect((missing as Error).message).toBe('kubernetes sandbox-test: get deployments payments/ledger failed (404): deployments.apps "ledger" not found');
  });

  it('resumes the rollout watch from the last resourceVersion when the server drops it', async () => {
    const w = writer();
    await w.apply(CART, { replicas: 8, images: { cart: 'registry.example/cart:4.0.0' } });
    test().faults.set({ dropWatchesAfterMs: 15 });
    const state = await w.waitForRollout(CART, { timeoutMs: 600_000 });
    expect(state.rollout).toMatchObject({ complete: true, updated: 8, available: 8 });
    const watches = test().log.entries.filter((e) => e.operation === 'watch deployments');
    const lists = test().log.entries.filter((e) => e.operation === 'list deployments' && e.path.includes('fieldSelector'));
    expect(watches.length).toBeGreaterThan(1);
    expect(lists).toHaveLength(1);
    expect(watches.every((e) => /resourceVersion=\d+/.test(e.path) && /fieldSelector=metadata.name%3Dcart/.test(e.path))).toBe(true);
  });

  it('relists when resuming answers 410 Gone', async () => {
    const w = writer();
    await w.apply(CART, { replicas: 6, images: { cart: 'registry.example/cart:4.0.0' } });
    let calls = 0;
    const state = await w.waitForRollout(CART, {
      timeoutMs: 600_000,
      onProgress: () => {
        // the first call comes from the list, the second from the watch: expire its history and drop it
        if (++calls !== 2) return;
        test().store.compact();
        test().dropWatches();
      },
    });
    expect(state.rollout.complete).toBe(true);
    const lists = test().log.entries.filter((e) => e.operation === 'list deployments' && e.path.includes('fieldSelector'));
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });

  it('retries a 5xx burst with backoff, and gives up after the bounded attempts', async () => {
    test().faults.set({ fail5xx: 2 });
    const out = await reader('sandbox-test').readApps([CART]);
    expect(out.get('cart')?.replicas).toBe(2);
    expect(test().log.entries.filter((e) => e.status === 503)).toHaveLength(2);

    test().faults.set({ fail5xx: 1000, match: '/deployments' });
    const mark = test().log.total;
    const err = await reader('sandbox-test')
      .readApps([CART])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect(err).toMatchObject({ details: { substrate: 'kubernetes', target: 'sandbox-test', resource: 'deployments shop', status: 503, retryable: true } });
    expect((err as Error).message).toContain('kubernetes sandbox-test: list deployments shop failed (503)');
    expect(test().log.entries.slice(mark).filter((e) => e.status === 503 && e.operation === 'list deployments')).toHaveLength(retry.attempts);
  });

  it('re-reads and retries a write that meets 409 Conflict', async () => {
    test().faults.set({ conflicts: 1 });
    const before = test().log.total;
    await writer().apply(CART, { replicas: 3 });
    expect(
      test()
        .log.entries.slice(before)
        .map((e) => `${e.operation} ${e.status}`),
    ).toEqual(['get deployments 200', 'patch deployments 409', 'get deployments 200', 'patch deployments 200']);
    expect((await reader('sandbox-test').readApps([CART])).get('cart')?.replicas).toBe(3);
  });

  it('times out on the clock with a TimeoutError naming the progress, and aborts promptly', async () => {
    await sb.close();
    sb = await startShopClusters(clock, { rolloutStepMs: Infinity }); // rollouts never progress on this test server
    const w = writer();
    await w.apply(CART, { replicas: 5 });
    const err = await w.waitForRollout(CART, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('rollout of shop/cart on sandbox-test did not complete within 10000 ms (2 updated, 2 ready, 2 available of 5, spec change not yet observed)');

    const ac = new AbortController();
    const waiting = w.waitForRollout(CART, { timeoutMs: 1e12, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
  });

  it('refuses writes that resolve to production’s API server and namespace, and sends nothing', async () => {
    const misconfigured = writer('sandbox-prod');
    await expect(misconfigured.apply(CART, { replicas: 1 })).rejects.toBeInstanceOf(ProductionWriteRefused);
    await expect(misconfigured.apply(CART, { replicas: 1 })).rejects.toThrow(/namespace "shop" on http:\/\/127\.0\.0\.1:\d+ \(context sandbox-prod\) is production/);
    // the same server under another name (localhost) is still production
    const viaLocalhost = createKubernetesWriter({
      kubeconfig: sb.kubeconfig,
      context: 'sandbox-test',
      clock,
      productionTargets: [{ server: test().url.replace('127.0.0.1', 'localhost') + '/', namespaces: ['payments'] }],
    });
    await expect(viaLocalhost.apply({ app: 'fraud-check', namespace: 'payments', deployment: 'fraud-check' }, { replicas: 2 })).rejects.toBeInstanceOf(ProductionWriteRefused);
    // another namespace on that server is not production
    await viaLocalhost.apply(CART, { replicas: 3 });
    expect((await reader('sandbox-test').readApps([CART])).get('cart')?.replicas).toBe(3);
  });

  it('watchTemplates calls back when an app’s images change, across a dropped watch', async () => {
    const changes: string[] = [];
    const r = reader('sandbox-test');
    const stop = r.watchTemplates!(SHOP_REFS, (app, state) => changes.push(`${app} ${state.containers.map((c) => c.image).join(',')}`));
    try {
      // let the initial lists land
      for (let i = 0; i < 100 && test().log.entries.filter((e) => e.operation === 'watch deployments').length < 2; i++) await new Promise((res) => setTimeout(res, 10));
      test().faults.set({ dropWatchesAfterMs: 20 });
      await api(test(), '/apis/apps/v1/namespaces/shop/deployments/cart/scale', { method: 'PATCH', contentType: 'application/merge-patch+json', json: { spec: { replicas: 4 } } });
      await new Promise((res) => setTimeout(res, 60));
      await api(test(), '/apis/apps/v1/namespaces/payments/deployments/fraud-check', {
        method: 'PATCH',
        contentType: 'application/strategic-merge-patch+json',
        json: { spec: { template: { spec: { containers: [{ name: 'fraud-check', image: 'registry.example/fraud-check:0.9.7' }] } } } },
      });
      for (let i = 0; i < 200 && changes.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    } finally {
      stop();
    }
    expect(changes).toEqual(['fraud-check registry.example/fraud-check:0.9.7']);
  });
});
