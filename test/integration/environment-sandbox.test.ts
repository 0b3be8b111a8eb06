import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnvironment, type Environment } from '../../electron/core/service/environment.ts';
import { startSandbox, type Sandbox } from '../../electron/sandbox/index.ts';
import { loadTestSchema, type LoadTest } from '../../shared/spec/schema.ts';

/**
 * The environment factory on a shared sandbox (as `conductor serve` and the desktop app use it):
 * production is read from the production server, every write goes to the test server, and a
 * production watch sees only production — even though both adapters come from one kubeconfig.
 */
const spec: LoadTest = loadTestSchema.parse({
  apiVersion: 'conductor/v1',
  kind: 'LoadTest',
  metadata: { name: 'env-test' },
  spec: {
    sandbox: { timeScale: 1 },
    applications: [
      { name: 'cart', kubernetes: { namespace: 'shop', deployment: 'cart' } },
      { name: 'notifications', ecs: { service: 'notifications' } },
    ],
    load: { locust: {}, kpi: { locustRequest: 'POST /orders' }, targetOrdersPerMinute: 100, rampUp: '1m', plateau: '1m', controlInterval: '5s' },
  },
});

describe('openEnvironment on a shared sandbox', () => {
  let sandbox: Sandbox;
  let env: Environment;
  beforeAll(async () => {
    sandbox = await startSandbox({ timeScale: 100 });
    env = await openEnvironment(spec, { sandbox });
  });
  afterAll(async () => {
    await env.close();
    await sandbox.close();
  });

  it('points production at the production servers and test at the test servers', () => {
    expect(env.substrates.production.kubernetes?.target.server).toBe(sandbox.endpoints.kubernetesProduction);
    expect(env.substrates.test.kubernetes?.target.server).toBe(sandbox.endpoints.kubernetesTest);
    expect(env.substrates.production.ecs?.target.cluster).toBe('payments-prod');
    expect(env.substrates.test.ecs?.target.cluster).toBe('payments-loadtest');
    expect(env.clock).toBe(sandbox.clock);
  });

  it('a production template watch does not report writes to the test cluster', async () => {
    const ref = { app: 'cart', namespace: 'shop', deployment: 'cart' };
    const seen: string[] = [];
    const stop = env.substrates.production.kubernetes!.watchTemplates!([ref], (app) => seen.push(app));
    try {
      await new Promise((r) => setTimeout(r, 200)); // the watch lists first
      await env.substrates.test.kubernetes!.apply(ref, { images: { cart: 'registry.example/cart:9.9.9' } });
      await env.substrates.test.kubernetes!.waitForRollout(ref, { timeoutMs: 600_000 });
      await new Promise((r) => setTimeout(r, 300)); // any (wrong) watch event would have arrived by now
      expect(seen).toEqual([]);
      const [prod, test] = await Promise.all([
        env.substrates.production.kubernetes!.readApps([ref]),
        env.substrates.test.kubernetes!.readApps([ref]),
      ]);
      expect(test.get('cart')?.containers[0]?.image).toBe('registry.example/cart:9.9.9');
      expect(prod.get('cart')?.containers[0]?.image).toBe('registry.example/cart:3.2.0');
      expect(sandbox.productionMutatingRequests()).toBe(0);
    } finally {
      stop();
    }
  });
});
