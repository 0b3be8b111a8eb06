import type {
  AppState,
  ContainerResources,
  EcsAppState,
  EcsDesiredState,
  EcsScalableTarget,
  K8sAppState,
  K8sDesiredState,
  ResourceList,
} from '../../../shared/model/app-state.ts';
import { SpecError } from '../../../shared/model/errors.ts';
import { ambiguousOverrideMessage, overrideTarget, type ResolvedOverride } from '../../../shared/model/override.ts';
import { parseQuantity, sameQuantity } from '../../../shared/model/quantity.ts';
import type { Application, LoadTest } from '../../../shared/spec/schema.ts';
import type { AppUnit } from './units.ts';

/**
 * Pure planning: what each test app should look like for the run (deploy + scale), what it
 * should look like afterwards (restore), and the minimal change from the current state.
 * Every phase computes `diff(current, desired)` and writes only when it is non-empty, which
 * makes every phase idempotent and resumable.
 */

type Caps = LoadTest['spec']['scale']['caps'][string];

export interface AppPlan {
  /** the deploy part: images only */
  deploy: K8sDesiredState | EcsDesiredState;
  /** the scale part: replicas/resources/HPA or desired count/sizes */
  scale: K8sDesiredState | EcsDesiredState;
  notes: string[];
  /** the feature-branch images this app gets, per container */
  overrides: ResolvedOverride[];
}

/**
 * Which image each selected test container gets: a per-container override, else an app-wide
 * override on the app's own container only (shared/model/override.ts), else production's.
 * Sidecars keep production's versions. Throws SpecError when an app-wide override is ambiguous.
 */
export function planImages(
  app: Application,
  spec: LoadTest,
  production: { name: string; image: string }[] | null,
  test: { name: string; image: string }[],
  notes: string[],
  overrides: ResolvedOverride[] = [],
): Record<string, string> {
  const override = spec.spec.deploy.overrides[app.name];
  const images: Record<string, string> = {};
  const chosen = new Map<string, { image: string; via: ResolvedOverride['via'] }>();
  for (const [name, image] of Object.entries(override?.containers ?? {})) chosen.set(name, { image, via: 'per-container' });
  if (override?.image) {
    const named = app.kubernetes?.containers ?? app.ecs?.containers;
    const target = overrideTarget(override.image, test, named);
    if ('ambiguous' in target) {
      throw new SpecError([
        { path: `spec.deploy.overrides.${app.name}.image`, message: ambiguousOverrideMessage(app.name, override.image, target.ambiguous), expected: `one of the containers ${target.ambiguous.join(', ')}`, found: override.image },
      ]);
    }
    if (!chosen.has(target.container)) chosen.set(target.container, { image: override.image, via: target.via });
  }
  for (const c of test) {
    const prod = production?.find((p) => p.name === c.name);
    const fromOverride = chosen.get(c.name);
    if (fromOverride) {
      images[c.name] = fromOverride.image;
      overrides.push({ app: app.name, container: c.name, image: fromOverride.image, productionImage: prod?.image ?? null, via: fromOverride.via });
      continue;
    }
    if (!spec.spec.deploy.productionVersions) continue;
    if (prod) images[c.name] = prod.image;
    else notes.push(`container ${c.name} not found in production; its image is left as is`);
  }
  if (override?.containers) {
    for (const name of Object.keys(override.containers)) {
      if (!test.some((c) => c.name === name)) notes.push(`override names container ${name}, which the test app does not have`);
    }
  }
  return images;
}

function capQuantity(value: string | undefined, cap: string | undefined): string | undefined {
  if (value === undefined || cap === undefined) return value;
  const v = parseQuantity(value);
  const c = parseQuantity(cap);
  return v !== null && c !== null && v > c ? cap : value;
}

function capResources(r: ContainerResources, caps: Caps | undefined): ContainerResources {
  const list = (l: ResourceList): ResourceList => {
    const out: ResourceList = {};
    const cpu = capQuantity(l.cpu, caps?.maxCpu);
    const memory = capQuantity(l.memory, caps?.maxMemory);
    if (cpu !== undefined) out.cpu = cpu;
    if (memory !== undefined) out.memory = memory;
    return out;
  };
  return { requests: list(r.requests), limits: list(r.limits) };
}

const capCount = (n: number, cap: number | undefined) => (cap === undefined ? n : Math.min(n, cap));

export function planK8s(app: Application, spec: LoadTest, production: K8sAppState | null, test: K8sAppState): AppPlan {
  const notes: string[] = [];
  const overrides: ResolvedOverride[] = [];
  const images = planImages(app, spec, production?.containers ?? null, test.containers, notes, overrides);
  const deploy: K8sDesiredState = Object.keys(images).length ? { images } : {};
  const scale: K8sDesiredState = {};
  if (spec.spec.scale.matchProduction && production) {
    const caps = spec.spec.scale.caps[app.name];
    scale.replicas = capCount(production.replicas, caps?.maxReplicas);
    const resources: Record<string, ContainerResources> = {};
    for (const c of test.containers) {
      const prod = production.containers.find((p) => p.name === c.name);
      if (prod) resources[c.name] = capResources(prod.resources, caps);
    }
    if (Object.keys(resources).length) scale.resources = resources;
    if (production.hpa && test.hpa) {
      const max = capCount(production.hpa.maxReplicas, caps?.maxReplicas);
      scale.hpa = { minReplicas: Math.min(capCount(production.hpa.minReplicas, caps?.maxReplicas), max), maxReplicas: max };
    } else if (production.hpa && !test.hpa) {
      notes.push(`production has HPA ${production.hpa.name} but test has none; HPA bounds are not copied`);
    }
  }
  return { deploy, scale, notes, overrides };
}

/** ECS cpu units (1024 = one vCPU) capped by a Kubernetes-style CPU quantity. */
function capEcsCpu(units: string | undefined, cap: string | undefined): string | undefined {
  if (units === undefined || cap === undefined) return units;
  const c = parseQuantity(cap);
  const u = Number(units);
  if (c === null || !Number.isFinite(u)) return units;
  return u > c * 1024 ? String(Math.floor(c * 1024)) : units;
}

/** ECS memory (MiB) capped by a Kubernetes-style memory quantity. */
function capEcsMemory(mib: string | undefined, cap: string | undefined): string | undefined {
  if (mib === undefined || cap === undefined) return mib;
  const c = parseQuantity(cap);
  const m = Number(mib);
  if (c === null || !Number.isFinite(m)) return mib;
  const capMib = Math.floor(c / (1024 * 1024));
  return m > capMib ? String(capMib) : mib;
}

export function planEcs(app: Application, spec: LoadTest, production: EcsAppState | null, test: EcsAppState): AppPlan {
  const notes: string[] = [];
  const overrides: ResolvedOverride[] = [];
  const images = planImages(app, spec, production?.containers ?? null, test.containers, notes, overrides);
  const deploy: EcsDesiredState = Object.keys(images).length ? { images } : {};
  const scale: EcsDesiredState = {};
  if (spec.spec.scale.matchProduction && production) {
    const caps = spec.spec.scale.caps[app.name];
    scale.desiredCount = capCount(production.desiredCount, caps?.maxDesiredCount ?? caps?.maxReplicas);
    const taskCpu = capEcsCpu(production.taskCpu, caps?.maxCpu);
    const taskMemory = capEcsMemory(production.taskMemory, caps?.maxMemory);
    if (taskCpu !== undefined) scale.taskCpu = taskCpu;
    if (taskMemory !== undefined) scale.taskMemory = taskMemory;
    const sizes: NonNullable<EcsDesiredState['containerSizes']> = {};
    for (const c of test.containers) {
      const prod = production.containers.find((p) => p.name === c.name);
      if (!prod) continue;
      const size: { cpu?: number; memory?: number; memoryReservation?: number } = {};
      if (prod.cpu !== undefined) size.cpu = prod.cpu;
      if (prod.memory !== undefined) size.memory = prod.memory;
      if (prod.memoryReservation !== undefined) size.memoryReservation = prod.memoryReservation;
      if (Object.keys(size).length) sizes[c.name] = size;
    }
    if (Object.keys(sizes).length) scale.containerSizes = sizes;
    // Application Auto Scaling would pull the count back inside its bounds: widen them to hold it, and suspend the policies
    if (test.autoscaling) scale.autoscaling = holdCount(test.autoscaling, scale.desiredCount);
  }
  return { deploy, scale, notes, overrides };
}

/** A scalable target that keeps `count` tasks: bounds widened to include it, dynamic and scheduled scaling suspended. */
export function holdCount(t: EcsScalableTarget, count: number): EcsScalableTarget {
  return {
    minCapacity: Math.min(t.minCapacity, count),
    maxCapacity: Math.max(t.maxCapacity, count),
    suspended: { dynamicScalingIn: true, dynamicScalingOut: true, scheduledScaling: true },
  };
}

export function sameScalableTarget(a: EcsScalableTarget | undefined, b: EcsScalableTarget | undefined): boolean {
  if (!a || !b) return a === b;
  const x = a.suspended;
  const y = b.suspended;
  return a.minCapacity === b.minCapacity && a.maxCapacity === b.maxCapacity && x.dynamicScalingIn === y.dynamicScalingIn && x.dynamicScalingOut === y.dynamicScalingOut && x.scheduledScaling === y.scheduledScaling;
}

export function planApp(app: Application, spec: LoadTest, production: AppState | null, test: AppState): AppPlan {
  if (test.kind === 'kubernetes') return planK8s(app, spec, production?.kind === 'kubernetes' ? production : null, test);
  return planEcs(app, spec, production?.kind === 'ecs' ? production : null, test);
}

/** Plan every unit that has a test state (deploy + scale), from production's and the test side's snapshot. */
export function planApps(units: AppUnit[], spec: LoadTest, production: ReadonlyMap<string, AppState | null>, test: ReadonlyMap<string, AppState | null>): Map<string, AppPlan> {
  const plans = new Map<string, AppPlan>();
  for (const u of units) {
    const t = test.get(u.name);
    if (t) plans.set(u.name, planApp(u.app, spec, production.get(u.name) ?? null, t));
  }
  return plans;
}

export function mergeDesired<T extends K8sDesiredState | EcsDesiredState>(a: T, b: T): T {
  return { ...a, ...b };
}

function sameList(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  return sameQuantity(a?.cpu, b?.cpu) && sameQuantity(a?.memory, b?.memory);
}

export function sameResources(a: ContainerResources | undefined, b: ContainerResources | undefined): boolean {
  return sameList(a?.requests, b?.requests) && sameList(a?.limits, b?.limits);
}

/** The part of `desired` that differs from `current`; null when nothing does. */
export function diffK8s(current: K8sAppState, desired: K8sDesiredState): K8sDesiredState | null {
  const out: K8sDesiredState = {};
  if (desired.replicas !== undefined && desired.replicas !== current.replicas) out.replicas = desired.replicas;
  for (const [name, image] of Object.entries(desired.images ?? {})) {
    const c = current.containers.find((x) => x.name === name);
    if (c && c.image !== image) (out.images ??= {})[name] = image;
  }
  for (const [name, res] of Object.entries(desired.resources ?? {})) {
    const c = current.containers.find((x) => x.name === name);
    if (c && !sameResources(c.resources, res)) (out.resources ??= {})[name] = res;
  }
  if (desired.hpa && current.hpa && (desired.hpa.minReplicas !== current.hpa.minReplicas || desired.hpa.maxReplicas !== current.hpa.maxReplicas)) {
    out.hpa = desired.hpa;
  }
  return Object.keys(out).length ? out : null;
}

export function diffEcs(current: EcsAppState, desired: EcsDesiredState): EcsDesiredState | null {
  const out: EcsDesiredState = {};
  if (desired.desiredCount !== undefined && desired.desiredCount !== current.desiredCount) out.desiredCount = desired.desiredCount;
  if (desired.taskDefinitionArn !== undefined && desired.taskDefinitionArn !== current.taskDefinitionArn) out.taskDefinitionArn = desired.taskDefinitionArn;
  for (const [name, image] of Object.entries(desired.images ?? {})) {
    const c = current.containers.find((x) => x.name === name);
    if (c && c.image !== image) (out.images ??= {})[name] = image;
  }
  if (desired.autoscaling && current.autoscaling && !sameScalableTarget(desired.autoscaling, current.autoscaling)) out.autoscaling = desired.autoscaling;
  if (desired.taskCpu !== undefined && Number(desired.taskCpu) !== Number(current.taskCpu)) out.taskCpu = desired.taskCpu;
  if (desired.taskMemory !== undefined && Number(desired.taskMemory) !== Number(current.taskMemory)) out.taskMemory = desired.taskMemory;
  for (const [name, size] of Object.entries(desired.containerSizes ?? {})) {
    const c = current.containers.find((x) => x.name === name);
    if (!c) continue;
    if ((size.cpu !== undefined && size.cpu !== c.cpu) || (size.memory !== undefined && size.memory !== c.memory) || (size.memoryReservation !== undefined && size.memoryReservation !== c.memoryReservation)) {
      (out.containerSizes ??= {})[name] = size;
    }
  }
  return Object.keys(out).length ? out : null;
}

export function diffApp(current: AppState, desired: K8sDesiredState | EcsDesiredState): K8sDesiredState | EcsDesiredState | null {
  return current.kind === 'kubernetes' ? diffK8s(current, desired as K8sDesiredState) : diffEcs(current, desired as EcsDesiredState);
}

/**
 * What restore writes to get back to the snapshot.
 * `restoreScale: false` (spec.scale.restoreAfter = false) restores versions only and leaves
 * replicas, resources, HPA bounds and the ECS desired count as the run scaled them.
 */
export function restoreDesired(snapshot: AppState, current: AppState, restoreScale: boolean): K8sDesiredState | EcsDesiredState {
  if (snapshot.kind === 'kubernetes') {
    const images: Record<string, string> = {};
    const resources: Record<string, ContainerResources> = {};
    for (const c of snapshot.containers) {
      images[c.name] = c.image;
      resources[c.name] = c.resources;
    }
    if (!restoreScale) return { images };
    return { images, replicas: snapshot.replicas, resources, ...(snapshot.hpa ? { hpa: { minReplicas: snapshot.hpa.minReplicas, maxReplicas: snapshot.hpa.maxReplicas } } : {}) };
  }
  if (restoreScale) return { taskDefinitionArn: snapshot.taskDefinitionArn, desiredCount: snapshot.desiredCount, ...(snapshot.autoscaling ? { autoscaling: snapshot.autoscaling } : {}) };
  // versions only: back to the snapshot's task definition unless sizes changed, in which case its images on a new revision
  const currentEcs = current.kind === 'ecs' ? current : null;
  const sizesSame = currentEcs !== null && Number(currentEcs.taskCpu) === Number(snapshot.taskCpu) && Number(currentEcs.taskMemory) === Number(snapshot.taskMemory);
  if (sizesSame) return { taskDefinitionArn: snapshot.taskDefinitionArn };
  const images: Record<string, string> = {};
  for (const c of snapshot.containers) images[c.name] = c.image;
  return { images };
}

/** Does the current state equal the snapshot on every field restore cares about? */
export function equalsSnapshot(snapshot: AppState, current: AppState, restoreScale = true): boolean {
  return diffApp(current, restoreDesired(snapshot, current, restoreScale)) === null;
}
