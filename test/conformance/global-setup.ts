import type { TestProject } from 'vitest/node';
import { shopKubeSeed } from '../../electron/sandbox/kubernetes/index.ts';
import { seedCluster } from './kube-seed.ts';
import { startPlane, type Plane, type PlaneInfo } from './plane.ts';

/**
 * Starts the real control plane once for the whole conformance suite and seeds both clusters
 * with the sandbox shop (production and test sides, the same topology the sandbox serves).
 * Test files reach it with `inject('plane')` (./plane-kit.ts) and use their own namespaces
 * beside the shop's.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    plane: PlaneInfo;
  }
}

let plane: Plane | undefined;

export async function setup(project: TestProject): Promise<void> {
  plane = await startPlane();
  const t0 = Date.now();
  await Promise.all([seedCluster(plane.clusters.production.admin, shopKubeSeed('production')), seedCluster(plane.clusters.test.admin, shopKubeSeed('test'))]);
  console.log(`conformance: Kubernetes plane up in ${(plane.startMs / 1000).toFixed(1)} s, shop seeded and rolled out in ${((Date.now() - t0) / 1000).toFixed(1)} s (${plane.dir})`);
  const { dir, kubeconfig, etcd, clusters, startMs } = plane;
  project.provide('plane', { dir, kubeconfig, etcd, clusters, startMs });
}

export async function teardown(): Promise<void> {
  await plane?.stop();
}
