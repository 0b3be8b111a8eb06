import { inject } from 'vitest';
import type { KubernetesAdapterOptions } from '../../electron/substrates/kubernetes/reader.ts';
import type { Clock } from '../../electron/base/clock.ts';
import { PLANE_CONTEXTS, planeAudit, type PlaneAudit, type PlaneInfo, type Side } from './plane.ts';

/** The running plane as a test file sees it (started by ./global-setup.ts), and adapter options for its contexts. */

export type PlaneHandle = PlaneInfo & PlaneAudit;

export function usePlane(): PlaneHandle {
  const info = inject('plane');
  if (!info) throw new Error('the conformance plane is not running: run the suite with `npm run test:conformance`');
  return { ...info, ...planeAudit(info) };
}

/** options for createKubernetesReader / createKubernetesWriter on one side, as Conductor's user there */
export function adapterOptions(plane: PlaneInfo, side: Side, clock: Clock): KubernetesAdapterOptions {
  return { kubeconfig: { env: { KUBECONFIG: plane.kubeconfig } }, context: PLANE_CONTEXTS[side], clock };
}
