import { stringify } from 'yaml';
import { formatDurationExact } from './duration.ts';
import type { LoadTest, LoadTestInput } from './schema.ts';

/** One line naming where a run would write: for confirmations ("about to scale …"). */
export function describeTestEnvironment(spec: LoadTest): string {
  if (spec.spec.sandbox) return 'the embedded sandbox';
  const test = spec.spec.test ?? {};
  const parts: string[] = [];
  if (test.kubernetes) parts.push(`kubernetes context ${test.kubernetes.context}${test.kubernetes.kubeconfig ? ` (kubeconfig ${test.kubernetes.kubeconfig})` : ''}`);
  if (test.ecs) parts.push(`ECS cluster ${test.ecs.cluster} (${test.ecs.region}${test.ecs.endpoint ? `, ${test.ecs.endpoint}` : ''}${test.ecs.profile ? `, profile ${test.ecs.profile}` : ''})`);
  return parts.length ? parts.join(', ') : 'no test environment';
}

/** The resolved spec in the shape it is written: defaults filled in, durations as strings again. */
export function resolvedSpecInput(spec: LoadTest): LoadTestInput {
  const d = formatDurationExact;
  const s = spec.spec;
  return {
    ...spec,
    spec: {
      ...s,
      deploy: { ...s.deploy, rolloutTimeout: d(s.deploy.rolloutTimeout) },
      load: { ...s.load, rampUp: d(s.load.rampUp), plateau: d(s.load.plateau), controlInterval: d(s.load.controlInterval) },
      guards: { ...s.guards, gracePeriod: d(s.guards.gracePeriod) },
      cleanup: s.cleanup.map((hook) => {
        const out: NonNullable<LoadTestInput['spec']['cleanup']>[number] = {};
        if (hook.http) out.http = { ...hook.http, timeout: d(hook.http.timeout) };
        if (hook.kubernetesJob) out.kubernetesJob = { ...hook.kubernetesJob, timeout: d(hook.kubernetesJob.timeout) };
        return out;
      }),
    },
  };
}

/** `conductor validate --print`: the resolved spec as YAML, itself a valid spec. */
export function resolvedSpecYaml(spec: LoadTest): string {
  return stringify(resolvedSpecInput(spec), { lineWidth: 0, aliasDuplicateObjects: false });
}
