import type { Application } from '../../../shared/spec/schema.ts';
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
