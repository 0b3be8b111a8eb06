import { DEFAULT_TEST_LOCK, type LoadTest } from '../../../shared/spec/schema.ts';

/**
 * Which test environment a spec runs on, as this server's queue keys it: one run at a time per
 * key. The key is what launchRun locks, as the spec spells it — the test Kubernetes context (and
 * kubeconfig) with the lock's Lease, else the ECS cluster (region, name, endpoint), else the
 * embedded sandbox this server shares between its runs. Two spellings of one cluster get two
 * keys: then launchRun's lock, which asks the servers who they are, still keeps them apart (the
 * second waits for the lock).
 */
export function testEnvironmentKey(spec: LoadTest): string {
  if (spec.spec.sandbox) return 'sandbox (embedded)';
  const k8s = spec.spec.test?.kubernetes;
  if (k8s) {
    const lock = spec.spec.test?.lock ?? DEFAULT_TEST_LOCK;
    return `kubernetes context ${k8s.context}${k8s.kubeconfig ? ` (${k8s.kubeconfig})` : ''}, Lease ${lock.namespace}/${lock.name}`;
  }
  const ecs = spec.spec.test?.ecs;
  if (ecs) return `ecs cluster ${ecs.cluster} in ${ecs.region}${ecs.endpoint ? ` at ${ecs.endpoint}` : ''}`;
  return `spec ${spec.metadata.name}`;
}
