import { describe, expect, it } from 'vitest';
import { compareAndSet, mergeWritten, UNKNOWN_REVISION } from '../../../electron/core/rules/compare-and-set.ts';
import { restoreDesired } from '../../../electron/core/rules/plan.ts';
import type { EcsAppState, K8sAppState } from '../../../shared/model/app-state.ts';

const res = (cpu: string) => ({ requests: { cpu }, limits: {} });
const k8s = (over: Partial<K8sAppState>): K8sAppState => ({
  kind: 'kubernetes',
  namespace: 'shop',
  deployment: 'cart',
  replicas: 2,
  containers: [{ name: 'cart', image: 'reg/cart:1', resources: res('250m') }],
  rollout: { observed: true, desired: 2, updated: 2, ready: 2, available: 2, complete: true },
  ...over,
});

describe('restore as compare-and-set', () => {
  const snapshot = k8s({});
  const written = mergeWritten(undefined, { replicas: 4, images: { cart: 'reg/cart:2' }, resources: { cart: res('500m') } });

  it('writes back every field that still holds what the run wrote', () => {
    const now = k8s({ replicas: 4, containers: [{ name: 'cart', image: 'reg/cart:2', resources: res('500m') }] });
    const r = compareAndSet('cart', restoreDesired(snapshot, now, true), now, written);
    expect(r.left).toEqual([]);
    expect(r.desired).toEqual({ images: { cart: 'reg/cart:1' }, resources: { cart: res('250m') }, replicas: 2 });
  });

  it('leaves and reports a field someone else changed since', () => {
    const now = k8s({ replicas: 7, containers: [{ name: 'cart', image: 'reg/cart:hotfix', resources: res('500m') }] });
    const r = compareAndSet('cart', restoreDesired(snapshot, now, true), now, written);
    expect(r.desired).toEqual({ resources: { cart: res('250m') } });
    expect(r.left).toEqual([
      { app: 'cart', field: 'image[cart]', now: 'reg/cart:hotfix', wrote: 'reg/cart:2' },
      { app: 'cart', field: 'replicas', now: 7, wrote: 4 },
    ]);
  });

  it('replicas under an HPA go back whatever the autoscaler did', () => {
    const hpa = { name: 'cart', minReplicas: 4, maxReplicas: 8 };
    const now = k8s({ replicas: 6, hpa, containers: [{ name: 'cart', image: 'reg/cart:2', resources: res('500m') }] });
    const r = compareAndSet('cart', restoreDesired(k8s({ hpa: { ...hpa, minReplicas: 1, maxReplicas: 3 } }), now, true), now, mergeWritten(written, { hpa: { minReplicas: 4, maxReplicas: 8 } }));
    expect(r.left).toEqual([]);
    expect(r.desired).toMatchObject({ replicas: 2, hpa: { minReplicas: 1, maxReplicas: 3 } });
  });

  it('ECS: the task definition goes back only from the revision the run registered (or one it could not journal)', () => {
    const ecs = (arn: string, count: number): EcsAppState => ({ kind: 'ecs', cluster: 'c', service: 's', desiredCount: count, runningCount: count, taskDefinitionArn: arn, containers: [], steady: true });
    const snap = ecs('td:1', 2);
    const ours = mergeWritten(undefined, { images: { app: 'x' }, desiredCount: 6 }, 'td:2');
    expect(compareAndSet('s', restoreDesired(snap, ecs('td:2', 6), true), ecs('td:2', 6), ours)).toEqual({ desired: { taskDefinitionArn: 'td:1', desiredCount: 2 }, left: [] });
    expect(compareAndSet('s', restoreDesired(snap, ecs('td:3', 6), true), ecs('td:3', 6), ours).left).toEqual([{ app: 's', field: 'taskDefinition', now: 'td:3', wrote: 'td:2' }]);
    const crashed = mergeWritten(undefined, { images: { app: 'x' } });
    expect(crashed.taskDefinitionArn).toBe(UNKNOWN_REVISION);
    expect(compareAndSet('s', restoreDesired(snap, ecs('td:9', 2), true), ecs('td:9', 2), crashed).desired).toEqual({ taskDefinitionArn: 'td:1' });
  });
});
