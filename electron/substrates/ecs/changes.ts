import type { Service } from '@aws-sdk/client-ecs';
import { suspendedText, type EcsAppState } from '../../../shared/model/app-state.ts';
import { ECS_AUTOSCALER, ECS_UNKNOWN_WRITER, type EcsAppRef, type EcsChangePoller, type ObjectChange } from '../types.ts';
import { primaryDeployment } from './mapping.ts';
import type { EcsInternals } from './reader.ts';

/**
 * Changes to ECS services, field by field, found by polling (ECS has no watch): the desired
 * count, the task definition and what it sets (images, task and container sizes), and the
 * Application Auto Scaling target (min, max, suspended). ECS does not record who made a change:
 * a new task definition is attributed to the deployment it started (its id and time); a desired
 * count that moved inside the scalable target's bounds in a direction the target does not suspend
 * is the autoscaler's (ECS_AUTOSCALER); anything else is ECS_UNKNOWN_WRITER.
 */

type Value = string | number | null;

/** the fields compared, and which of them the task definition sets */
function fieldsOf(s: EcsAppState): Map<string, { value: Value; fromTaskDefinition: boolean }> {
  const out = new Map<string, { value: Value; fromTaskDefinition: boolean }>();
  const td = (value: Value) => ({ value, fromTaskDefinition: true });
  out.set('desiredCount', { value: s.desiredCount, fromTaskDefinition: false });
  out.set('taskDefinition', td(s.taskDefinitionArn.split('/').pop() ?? s.taskDefinitionArn));
  out.set('cpu', td(s.taskCpu ?? null));
  out.set('memory', td(s.taskMemory ?? null));
  for (const c of s.containers) {
    out.set(`image[${c.name}]`, td(c.image));
    out.set(`resources[${c.name}]`, td(`cpu ${c.cpu ?? '-'}, memory ${c.memory ?? '-'}, memoryReservation ${c.memoryReservation ?? '-'}`));
  }
  const a = s.autoscaling;
  const other = (value: Value) => ({ value, fromTaskDefinition: false });
  out.set('autoscaling.minCapacity', other(a?.minCapacity ?? null));
  out.set('autoscaling.maxCapacity', other(a?.maxCapacity ?? null));
  out.set('autoscaling.suspended', other(suspendedText(a)));
  return out;
}

/** could Application Auto Scaling have moved the count from `from` to `to` under the target as it is now? */
export function autoscalerCould(now: EcsAppState, from: number, to: number): boolean {
  const t = now.autoscaling;
  if (!t || to < t.minCapacity || to > t.maxCapacity) return false;
  const dynamic = to > from ? !t.suspended.dynamicScalingOut : !t.suspended.dynamicScalingIn;
  return dynamic || !t.suspended.scheduledScaling;
}

interface Seen {
  state: EcsAppState;
  deployment: string | undefined;
}

/** who started the service's primary deployment, as far as ECS says: a new one since the last poll is named */
function deploymentWriter(service: Service, before: Seen): string {
  const primary = primaryDeployment(service);
  if (!primary?.id || primary.id === before.deployment) return ECS_UNKNOWN_WRITER;
  const at = primary.createdAt ? ` created ${primary.createdAt.toISOString()}` : '';
  return `${ECS_UNKNOWN_WRITER}: deployment ${primary.id}${at}`;
}

/** The changes between two reads of one service. */
export function diffService(ref: EcsAppRef, object: string, before: Seen, service: Service, now: EcsAppState): ObjectChange[] {
  const out: ObjectChange[] = [];
  const was = fieldsOf(before.state);
  for (const [field, cur] of fieldsOf(now)) {
    const prev = was.get(field);
    if (!prev || prev.value === cur.value) continue;
    let manager = ECS_UNKNOWN_WRITER;
    if (cur.fromTaskDefinition) manager = deploymentWriter(service, before);
    else if (field === 'desiredCount' && autoscalerCould(now, Number(prev.value), Number(cur.value))) manager = ECS_AUTOSCALER;
    out.push({ app: ref.app, object, field, from: prev.value, to: cur.value, manager });
  }
  return out;
}

export function createChangePoller(internals: EcsInternals, refs: EcsAppRef[]): EcsChangePoller {
  const seen = new Map<string, Seen>();
  const cluster = internals.target.cluster;
  return {
    async poll(signal?: AbortSignal): Promise<ObjectChange[]> {
      const read = await internals.readServices(refs, signal);
      const out: ObjectChange[] = [];
      for (const ref of refs) {
        const r = read.get(ref.app);
        if (!r) continue; // a deleted service: restore says so
        const before = seen.get(ref.app);
        if (before) out.push(...diffService(ref, `services ${cluster}/${ref.service}`, before, r.service, r.state));
        seen.set(ref.app, { state: r.state, deployment: primaryDeployment(r.service)?.id });
      }
      return out;
    },
  };
}
