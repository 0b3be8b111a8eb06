import type { Application, LoadTest } from '../../../shared/spec/schema.ts';
import type { EcsAppRef, K8sAppRef } from '../../substrates/types.ts';

/** The in-scope applications of a spec as the adapters address them: one unit per app, on one substrate. */
export interface AppUnit {
  app: Application;
  name: string;
  substrate: 'kubernetes' | 'ecs';
  k8s?: K8sAppRef;
  ecs?: EcsAppRef;
}

export function k8sRef(app: Application): K8sAppRef | null {
  const k = app.kubernetes;
  return k ? { app: app.name, namespace: k.namespace, deployment: k.deployment, ...(k.containers ? { containers: k.containers } : {}) } : null;
}

export function ecsRef(app: Application): EcsAppRef | null {
  const e = app.ecs;
  return e ? { app: app.name, service: e.service, ...(e.containers ? { containers: e.containers } : {}) } : null;
}

export function unitsOf(apps: Application[]): AppUnit[] {
  return apps.map((app) => {
    const k8s = k8sRef(app);
    const ecs = ecsRef(app);
    return k8s ? { app, name: app.name, substrate: 'kubernetes' as const, k8s } : { app, name: app.name, substrate: 'ecs' as const, ...(ecs ? { ecs } : {}) };
  });
}

/**
 * The Locust workers' Deployment or ECS service as a unit (spec.load.locust.workers): snapshotted
 * with the apps, scaled by the load loop, restored with them. Its name is no application's (not a
 * DNS label), so it never clashes with one.
 */
export const WORKERS_UNIT = 'locust workers';

export function workersUnitOf(spec: LoadTest): AppUnit | null {
  const w = spec.spec.load.locust.workers;
  if (!w) return null;
  const app = { name: WORKERS_UNIT, ...(w.kubernetes ? { kubernetes: { namespace: w.kubernetes.namespace, deployment: w.kubernetes.deployment } } : {}), ...(w.ecs ? { ecs: { service: w.ecs.service } } : {}) } as Application;
  const [unit] = unitsOf([app]);
  return unit ?? null;
}
