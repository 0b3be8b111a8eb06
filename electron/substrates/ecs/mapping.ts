import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { EcsAppState, EcsContainerState, EcsDesiredState } from '../../../shared/model/app-state.ts';

/** Pure mapping between ECS API shapes and the conductor's model. */

export function primaryDeployment(svc: Service) {
  return svc.deployments?.find((d) => d.status === 'PRIMARY');
}

/**
 * The task definition the service runs: the service's own `taskDefinition` (set by CreateService
 * and UpdateService; on AWS the primary deployment's), else the primary deployment's. Reading the
 * service's field first also holds on moto, whose deployments keep the task definition they were
 * created with whatever UpdateService sets.
 */
export function serviceTaskDefinitionArn(svc: Service): string | undefined {
  return svc.taskDefinition ?? primaryDeployment(svc)?.taskDefinition;
}

/** primary deployment complete, no other deployment left, running == desired */
export function isSteady(svc: Service): boolean {
  const primary = primaryDeployment(svc);
  if (!primary) return false;
  const deployments = svc.deployments ?? [];
  const rolloutDone = primary.rolloutState === undefined || primary.rolloutState === 'COMPLETED';
  return deployments.length === 1 && rolloutDone && primary.runningCount === primary.desiredCount && svc.runningCount === svc.desiredCount;
}

export function isMissing(svc: Service | undefined): boolean {
  return !svc || svc.status === 'INACTIVE';
}

export function toEcsAppState(cluster: string, svc: Service, td: TaskDefinition | undefined, containers?: string[]): EcsAppState {
  const wanted = containers && containers.length > 0 ? new Set(containers) : undefined;
  const defs = (td?.containerDefinitions ?? []).filter((c) => !wanted || (c.name !== undefined && wanted.has(c.name)));
  const state: EcsAppState = {
    kind: 'ecs',
    cluster,
    service: svc.serviceName ?? '',
    desiredCount: svc.desiredCount ?? 0,
    runningCount: svc.runningCount ?? 0,
    taskDefinitionArn: serviceTaskDefinitionArn(svc) ?? '',
    containers: defs.map(toContainerState),
    steady: isSteady(svc),
  };
  if (td?.cpu !== undefined) state.taskCpu = td.cpu;
  if (td?.memory !== undefined) state.taskMemory = td.memory;
  return state;
}

function toContainerState(c: ContainerDefinition): EcsContainerState {
  const out: EcsContainerState = { name: c.name ?? '', image: c.image ?? '' };
  if (c.cpu !== undefined) out.cpu = c.cpu;
  if (c.memory !== undefined) out.memory = c.memory;
  if (c.memoryReservation !== undefined) out.memoryReservation = c.memoryReservation;
  return out;
}

/** every field RegisterTaskDefinition accepts; read-only fields (revision, status, ARNs, registeredAt, compatibilities, requiresAttributes…) are left out */
const REGISTERABLE = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

export class DesiredStateMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DesiredStateMismatch';
  }
}

/**
 * A RegisterTaskDefinition input derived from `td` with the desired images and sizes, and whether
 * anything differs from `td`. Throws DesiredStateMismatch when a desired container does not exist.
 */
export function deriveTaskDefinition(td: TaskDefinition, tags: Tag[] | undefined, desired: EcsDesiredState): { input: RegisterTaskDefinitionCommandInput; changed: boolean } {
  const input = { family: td.family, containerDefinitions: [] } as RegisterTaskDefinitionCommandInput;
  const bag = input as unknown as Record<string, unknown>;
  for (const key of REGISTERABLE) {
    const v = td[key];
    if (v !== undefined && v !== null) bag[key] = structuredClone(v);
  }
  if (tags && tags.length > 0) input.tags = structuredClone(tags);
  const defs = input.containerDefinitions ?? [];
  const names = defs.map((c) => c.name ?? '');
  const where = `${td.family}:${td.revision}`;
  const find = (name: string) => {
    const c = defs.find((d) => d.name === name);
    if (!c) throw new DesiredStateMismatch(`container ${name} is not in task definition ${where} (containers: ${names.join(', ') || 'none'})`);
    return c;
  };
  let changed = false;
  for (const [name, image] of Object.entries(desired.images ?? {})) {
    const c = find(name);
    if (c.image !== image) {
      c.image = image;
      changed = true;
    }
  }
  for (const [name, size] of Object.entries(desired.containerSizes ?? {})) {
    const c = find(name);
    for (const k of ['cpu', 'memory', 'memoryReservation'] as const) {
      const v = size[k];
      if (v !== undefined && c[k] !== v) {
        c[k] = v;
        changed = true;
      }
    }
  }
  if (desired.taskCpu !== undefined && input.cpu !== desired.taskCpu) {
    input.cpu = desired.taskCpu;
    changed = true;
  }
  if (desired.taskMemory !== undefined && input.memory !== desired.taskMemory) {
    input.memory = desired.taskMemory;
    changed = true;
  }
  return { input, changed };
}
