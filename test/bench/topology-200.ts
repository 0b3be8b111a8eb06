import { loadTestSchema, type LoadTest } from '../../shared/spec/schema.ts';
import { generatedEcsSeed, generatedEcsServiceName } from '../../electron/sandbox/ecs/index.ts';
import { generatedKubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import type { SandboxOptions } from '../../electron/sandbox/index.ts';

/** The 200-app topology of the benchmarks: 150 deployments in 10 namespaces and 50 ECS services. */
export const BIG = { deployments: 150, namespaces: 10, ecsServices: 50 } as const;

export function bigSandboxOptions(timeScale = 1): SandboxOptions {
  return {
    timeScale,
    seed: {
      kubernetes: {
        production: generatedKubeSeed(BIG.deployments, BIG.namespaces, 'production'),
        test: generatedKubeSeed(BIG.deployments, BIG.namespaces, 'test'),
      },
      ecs: generatedEcsSeed(BIG.ecsServices),
    },
  };
}

export function bigSpec(overrides: { rampUp?: string; plateau?: string; controlInterval?: string; targetOrdersPerMinute?: number } = {}): LoadTest {
  const k8s = generatedKubeSeed(BIG.deployments, BIG.namespaces, 'production').deployments.map((d) => ({
    name: d.name,
    kubernetes: { namespace: d.namespace, deployment: d.name },
  }));
  const ecs = Array.from({ length: BIG.ecsServices }, (_, i) => ({ name: `ecs-${generatedEcsServiceName(i)}`, ecs: { service: generatedEcsServiceName(i) } }));
  return loadTestSchema.parse({
    apiVersion: 'conductor/v1',
    kind: 'LoadTest',
    metadata: { name: 'bench-200-apps' },
    spec: {
      sandbox: { timeScale: 1 },
      applications: [...k8s, ...ecs],
      deploy: { concurrency: 32 },
      load: {
        kpi: { locustRequest: 'POST /orders' },
        locust: {},
        targetOrdersPerMinute: overrides.targetOrdersPerMinute ?? 1200,
        rampUp: overrides.rampUp ?? '5m',
        plateau: overrides.plateau ?? '5m',
        controlInterval: overrides.controlInterval ?? '15s',
      },
    },
  });
}
