import { describe, expect, it } from 'vitest';
import { diffEcs, diffK8s, equalsSnapshot, planK8s, restoreDesired } from '../../../electron/core/rules/plan.ts';
import type { EcsAppState, K8sAppState } from '../../../shared/model/app-state.ts';
import { makeSpec } from './lifecycle-fakes.ts';

const k8s = (over: Partial<K8sAppState> = {}): K8sAppState => ({
  kind: 'kubernetes',
  namespace: 'shop',
  deployment: 'checkout-api',
  replicas: 2,
  containers: [
    { name: 'api', image: 'reg/api:1', resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } },
    { name: 'envoy', image: 'reg/envoy:1', resources: { requests: {}, limits: {} } },
  ],
  hpa: { name: 'api', minReplicas: 1, maxReplicas: 3 },
  rollout: { observed: true, desired: 2, updated: 2, ready: 2, available: 2, complete: true },
  ...over,
});
const app = makeSpec().spec.applications[0]!;

describe('planning', () => {
  it('per-container override wins, then the app-wide override, then production', () => {
    const spec = makeSpec((s) => void (s.spec.deploy = { overrides: { checkout: { image: 'reg/api:x', containers: { envoy: 'reg/envoy:feature' } } } }));
    const prod = k8s({ containers: k8s().containers.map((c) => ({ ...c, image: c.image.replace(':1', ':2') })) });
    expect(planK8s(app, spec, prod, k8s()).deploy).toEqual({ images: { api: 'reg/api:x', envoy: 'reg/envoy:feature' } });
    expect(planK8s(app, makeSpec(), prod, k8s()).deploy).toEqual({ images: { api: 'reg/api:2', envoy: 'reg/envoy:2' } });
  });

  it("an app-wide override goes to the app's own container; the sidecar keeps production's version", () => {
    const spec = makeSpec((s) => void (s.spec.deploy = { overrides: { checkout: { image: 'reg/api:feature-x' } } }));
    const prod = k8s({ containers: k8s().containers.map((c) => ({ ...c, image: c.image.replace(':1', ':2') })) });
    const plan = planK8s(app, spec, prod, k8s());
    expect(plan.deploy).toEqual({ images: { api: 'reg/api:feature-x', envoy: 'reg/envoy:2' } });
    expect(plan.overrides).toEqual([{ app: 'checkout', container: 'api', image: 'reg/api:feature-x', productionImage: 'reg/api:2', via: 'repository' }]);
  });

  it('an ambiguous app-wide override is a spec error naming the containers to choose from', () => {
    const spec = makeSpec((s) => void (s.spec.deploy = { overrides: { checkout: { image: 'reg/renamed:feature-x' } } }));
    expect(() => planK8s(app, spec, k8s(), k8s())).toThrow(/spec\.deploy\.overrides\.checkout\.image: .*containers api, envoy/);
  });

  it('a container production lacks keeps its image, with a note', () => {
    const prod = k8s({ containers: [k8s().containers[0]!] });
    const plan = planK8s(app, makeSpec(), prod, k8s());
    expect(plan.deploy).toEqual({ images: { api: 'reg/api:1' } });
    expect(plan.notes[0]).toMatch(/container envoy not found in production/);
  });

  it('caps replicas and quantities by value', () => {
    const spec = makeSpec((s) => void (s.spec.scale = { caps: { checkout: { maxReplicas: 4, maxCpu: '0.5', maxMemory: '1Gi' } } }));
    const prod = k8s({ replicas: 10, hpa: { name: 'api', minReplicas: 6, maxReplicas: 30 }, containers: [{ name: 'api', image: 'reg/api:2', resources: { requests: { cpu: '2', memory: '512Mi' }, limits: { cpu: '4000m', memory: '2Gi' } } }] });
    const plan = planK8s(app, spec, prod, k8s());
    expect(plan.scale).toEqual({ replicas: 4, resources: { api: { requests: { cpu: '0.5', memory: '512Mi' }, limits: { cpu: '0.5', memory: '1Gi' } } }, hpa: { minReplicas: 4, maxReplicas: 4 } });
  });
});

describe('diffs', () => {
  it('only what differs, quantities compared by value', () => {
    const cur = k8s();
    expect(diffK8s(cur, { replicas: 2, images: { api: 'reg/api:1' }, resources: { api: { requests: { cpu: '0.25', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } } } })).toBeNull();
    expect(diffK8s(cur, { replicas: 3, images: { api: 'reg/api:1', envoy: 'reg/envoy:2' }, hpa: { minReplicas: 1, maxReplicas: 3 } })).toEqual({ replicas: 3, images: { envoy: 'reg/envoy:2' } });
    // no HPA in test: HPA bounds are not written
    expect(diffK8s(k8s({ hpa: undefined }), { hpa: { minReplicas: 5, maxReplicas: 9 } })).toBeNull();
  });

  it('ECS: task definition ARN and desired count', () => {
    const cur: EcsAppState = { kind: 'ecs', cluster: 'c', service: 's', desiredCount: 1, runningCount: 1, taskDefinitionArn: 'arn:td/s:2', taskCpu: '256', taskMemory: '512', containers: [{ name: 's', image: 'i:1', cpu: 256 }], steady: true };
    expect(diffEcs(cur, { taskDefinitionArn: 'arn:td/s:2', desiredCount: 1 })).toBeNull();
    expect(diffEcs(cur, { taskDefinitionArn: 'arn:td/s:1', desiredCount: 1, taskCpu: '256' })).toEqual({ taskDefinitionArn: 'arn:td/s:1' });
    expect(diffEcs(cur, { images: { s: 'i:2' }, containerSizes: { s: { cpu: 256 } } })).toEqual({ images: { s: 'i:2' } });
  });
});

describe('restore', () => {
  it('restores every field of the snapshot; versions only when scale is not restored', () => {
    const snap = k8s();
    const now = k8s({ replicas: 6, containers: k8s().containers.map((c) => ({ ...c, image: 'reg/x:9', resources: { requests: { cpu: '1' }, limits: {} } })), hpa: { name: 'api', minReplicas: 6, maxReplicas: 20 } });
    expect(equalsSnapshot(snap, now)).toBe(false);
    const full = diffK8s(now, restoreDesired(snap, now, true) as never);
    expect(full).toMatchObject({ replicas: 2, images: { api: 'reg/api:1', envoy: 'reg/envoy:1' }, hpa: { minReplicas: 1, maxReplicas: 3 } });
    expect(Object.keys(full!.resources!)).toEqual(['api', 'envoy']);
    expect(diffK8s(now, restoreDesired(snap, now, false) as never)).toEqual({ images: { api: 'reg/api:1', envoy: 'reg/envoy:1' } });
    expect(equalsSnapshot(snap, snap)).toBe(true);
  });
});
