import { afterEach, describe, expect, it } from 'vitest';
import { shopKubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { deploymentOf, ecsImagesOf, imagesOf, startKit, type Kit } from './realities-kit.ts';

/**
 * A feature-branch override on apps with sidecars (a pod with envoy, an ECS task with
 * aws-appmesh-envoy): the image lands on the app's own container only, the sidecars run
 * production's versions, and the run status names the override per container.
 */
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const REGISTRY = '000000000000.dkr.ecr.eu-central-1.amazonaws.com';

describe('the feature-branch override and sidecars', () => {
  it("goes to the app's own container of a pod and of a task; the sidecars keep production's versions", async () => {
    kit = await startKit({
      apps: ['checkout', 'payment-processor'],
      edit: (t) =>
        t.replace(
          '    productionVersions: true',
          `    productionVersions: true\n    overrides:\n      checkout: { image: registry.example/checkout-api:feature-x }\n      payment-processor: { image: ${REGISTRY}/payment-processor:feature-x }`,
        ),
    });
    const { sandbox } = kit;
    let during: { pod: Record<string, string>; task: Record<string, string> } | undefined;
    const r = await kit.run({
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'ramp' && e.state === 'running') during = { pod: imagesOf(sandbox, 'test', 'shop', 'checkout-api'), task: ecsImagesOf(sandbox, 'payment-processor') };
      },
    });
    expect(r.verdict.status, r.verdict.reasons.join('; ')).toBe('passed');
    expect(during!.pod).toEqual({ 'checkout-api': 'registry.example/checkout-api:feature-x', envoy: imagesOf(sandbox, 'production', 'shop', 'checkout-api').envoy });
    expect(during!.pod.envoy).toBe('registry.example/envoy:1.29.1');
    expect(during!.task).toEqual({ app: `${REGISTRY}/payment-processor:feature-x`, envoy: ecsImagesOf(sandbox, 'payment-processor', sandbox.clusters.production).envoy });
    expect(r.report.status.overrides).toEqual([
      { app: 'checkout', container: 'checkout-api', image: 'registry.example/checkout-api:feature-x', productionImage: 'registry.example/checkout-api:2.14.1', via: 'repository' },
      { app: 'payment-processor', container: 'app', image: `${REGISTRY}/payment-processor:feature-x`, productionImage: `${REGISTRY}/payment-processor:2.14.1`, via: 'repository' },
    ]);
    // restored afterwards
    expect(imagesOf(sandbox, 'test', 'shop', 'checkout-api')).toEqual({ 'checkout-api': 'registry.example/checkout-api:2.13.0', envoy: 'registry.example/envoy:1.28.0' });
    expect(sandbox.productionMutatingRequests()).toBe(0);
  });

  it('an override no container can be told apart for is refused before any write, naming the containers', async () => {
    kit = await startKit({ apps: ['checkout'], edit: (t) => t.replace('    productionVersions: true', '    productionVersions: true\n    overrides:\n      checkout: { image: registry.example/renamed-checkout:feature-x }') });
    const r = await kit.run();
    expect(r.verdict.status).toBe('error');
    expect(r.verdict.reasons.join(' ')).toMatch(/spec\.deploy\.overrides\.checkout\.image: .*containers checkout-api, envoy/);
    expect(kit.sandbox.requestSummary().kubernetesTest.mutating).toBe(0);
    expect(r.status.phases.find((p) => p.phase === 'deploy')?.state).toBe('skipped');
  });
});

describe('a paused Deployment', () => {
  it('is refused before any write, naming the app and how to resume it', async () => {
    const test = shopKubeSeed('test');
    test.deployments.find((d) => d.name === 'cart')!.paused = true;
    kit = await startKit({ sandbox: { seed: { kubernetes: { production: shopKubeSeed('production'), test } } } });
    const r = await kit.run();
    expect(r.verdict.status).toBe('error');
    expect(r.verdict.reasons.join(' ')).toMatch(/cart \(deployment shop\/cart is paused: resume it with `kubectl rollout resume deployment\/cart -n shop --context sandbox-test`/);
    expect(kit.sandbox.requestSummary().kubernetesTest.mutating).toBe(0);
    expect(kit.sandbox.ecs.mutatingRequests()).toBe(0);
    expect(deploymentOf(kit.sandbox, 'test', 'shop', 'cart').spec.paused).toBe(true);
  });
});
