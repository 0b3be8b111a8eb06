import type { Clock } from '../../base/clock.ts';
import type { ScalableTargetSeed } from './seed.ts';
import { EcsApiError, type EcsStore, type JsonObject, type JsonValue } from './store.ts';

/**
 * The sandbox's Application Auto Scaling (JSON 1.1, `x-amz-target: AnyScaleFrontendService.<Op>`)
 * for ECS services (`ecs:service:DesiredCount`), served on the ECS endpoint: scalable targets with
 * min/max capacity and a SuspendedState, and a policy loop that — like a target-tracking policy
 * at the test environment's idle load — pulls each service's desired count to its policy's
 * capacity inside [min, max], unless the scaling direction is suspended. A run that scales a
 * service without widening and suspending its target loses its count at the next evaluation.
 */

export const AAS_TARGET_PREFIX = 'AnyScaleFrontendService.';
const DIMENSION = 'ecs:service:DesiredCount';


interface TargetRec {
  resourceId: string;
  cluster: string;
  service: string;
  min: number;
  max: number;
  suspended: { in: boolean; out: boolean; scheduled: boolean };
  policyCapacity: number | undefined;
  roleArn: string;
  createdAt: number;
  arn: string;
}

const validation = (message: string) => new EcsApiError('ValidationException', message);

export class AutoScalingStore {
  private readonly targets = new Map<string, TargetRec>();
  private seq = 0;
  /** desired-count changes the policy loop made, for tests */
  readonly activities: { t: number; resourceId: string; from: number; to: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly ecs: EcsStore,
  ) {}

  seed(cluster: string, service: string, t: ScalableTargetSeed): void {
    const resourceId = `service/${cluster}/${service}`;
    this.targets.set(resourceId, this.newTarget(resourceId, cluster, service, t.minCapacity, t.maxCapacity, t.suspended, t.policyCapacity));
  }

  private newTarget(resourceId: string, cluster: string, service: string, min: number, max: number, s: ScalableTargetSeed['suspended'], policyCapacity?: number): TargetRec {
    this.seq += 1;
    return {
      resourceId,
      cluster,
      service,
      min,
      max,
      suspended: { in: s?.dynamicScalingIn ?? false, out: s?.dynamicScalingOut ?? false, scheduled: s?.scheduledScaling ?? false },
      policyCapacity,
      roleArn: `arn:aws:iam::${this.ecs.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      createdAt: this.clock.now(),
      arn: `arn:aws:application-autoscaling:${this.ecs.region}:${this.ecs.accountId}:scalable-target/${String(this.seq).padStart(4, '0')}${'0'.repeat(28)}`,
    };
  }

  /** the cluster a request names (for counting writes to production), if any */
  static clusterOf(body: JsonObject): string | undefined {
    const id = typeof body.ResourceId === 'string' ? body.ResourceId : undefined;
    return id ? /^service\/([^/]+)\//.exec(id)?.[1] : undefined;
  }

  private parseResource(body: JsonObject): { resourceId: string; cluster: string; service: string } {
    if (body.ServiceNamespace !== 'ecs') throw validation(`Unsupported service namespace ${JSON.stringify(body.ServiceNamespace ?? null)} (the sandbox serves ecs).`);
    if (body.ScalableDimension !== DIMENSION) throw validation(`Unsupported scalable dimension ${JSON.stringify(body.ScalableDimension ?? null)} for namespace ecs.`);
    const id = typeof body.ResourceId === 'string' ? body.ResourceId : '';
    const m = /^service\/([^/]+)\/([^/]+)$/.exec(id);
    if (!m) throw validation(`Unsupported resource ID ${JSON.stringify(id)}; expected service/<cluster>/<service>.`);
    return { resourceId: id, cluster: m[1]!, service: m[2]! };
  }

  private json(t: TargetRec): JsonObject {
    return {
      ServiceNamespace: 'ecs',
      ResourceId: t.resourceId,
      ScalableDimension: DIMENSION,
      MinCapacity: t.min,
      MaxCapacity: t.max,
      RoleARN: t.roleArn,
      CreationTime: Math.round(t.createdAt) / 1000,
      SuspendedState: { DynamicScalingInSuspended: t.suspended.in, DynamicScalingOutSuspended: t.suspended.out, ScheduledScalingSuspended: t.suspended.scheduled },
      ScalableTargetARN: t.arn,
    };
  }

  registerScalableTarget(body: JsonObject): JsonObject {
    const { resourceId, cluster, service } = this.parseResource(body);
    if (!this.ecs.peekService(cluster, service)) throw validation(`ECS service doesn't exist: ${resourceId}`);
    const num = (k: string): number | undefined => {
      const v = body[k];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw validation(`${k} must be a non-negative integer.`);
      return v;
    };
    const min = num('MinCapacity');
    const max = num('MaxCapacity');
    const cur = this.targets.get(resourceId);
    if (!cur && (min === undefined || max === undefined)) throw validation('MinCapacity and MaxCapacity are required when registering a new scalable target.');
    const nextMin = min ?? cur!.min;
    const nextMax = max ?? cur!.max;
    if (nextMin > nextMax) throw validation(`Minimum capacity cannot be greater than maximum capacity (${nextMin} > ${nextMax}).`);
    const s = (body.SuspendedState ?? {}) as JsonObject;
    const flag = (k: string, prev: boolean): boolean => (typeof s[k] === 'boolean' ? (s[k] as boolean) : prev);
    const target = cur ?? this.newTarget(resourceId, cluster, service, nextMin, nextMax, undefined);
    target.min = nextMin;
    target.max = nextMax;
    // a field left out keeps its value, as the real API does on an update
    target.suspended = { in: flag('DynamicScalingInSuspended', target.suspended.in), out: flag('DynamicScalingOutSuspended', target.suspended.out), scheduled: flag('ScheduledScalingSuspended', target.suspended.scheduled) };
    this.targets.set(resourceId, target);
    return { ScalableTargetARN: target.arn };
  }

  describeScalableTargets(body: JsonObject): JsonObject {
    if (body.ServiceNamespace !== 'ecs') throw validation(`Unsupported service namespace ${JSON.stringify(body.ServiceNamespace ?? null)} (the sandbox serves ecs).`);
    const ids = Array.isArray(body.ResourceIds) ? (body.ResourceIds as JsonValue[]).map(String) : undefined;
    if (ids && ids.length > 50) throw validation('ResourceIds can have at most 50 items.');
    const all = [...this.targets.values()].filter((t) => !ids || ids.includes(t.resourceId)).map((t) => this.json(t));
    const max = typeof body.MaxResults === 'number' ? body.MaxResults : 50;
    const start = typeof body.NextToken === 'string' ? Number(Buffer.from(body.NextToken, 'base64').toString('utf8').replace('sandbox:', '')) || 0 : 0;
    const out: JsonObject = { ScalableTargets: all.slice(start, start + max) };
    if (start + max < all.length) out.NextToken = Buffer.from(`sandbox:${start + max}`).toString('base64');
    return out;
  }

  deregisterScalableTarget(body: JsonObject): JsonObject {
    const { resourceId } = this.parseResource(body);
    if (!this.targets.delete(resourceId)) throw new EcsApiError('ObjectNotFoundException', `No scalable target registered for ${resourceId}.`);
    return {};
  }

  /** One evaluation of every target's policy: the desired count moves toward the policy's capacity inside [min, max], unless suspended. */
  evaluate(): void {
    for (const t of this.targets.values()) {
      const svc = this.ecs.peekService(t.cluster, t.service);
      if (!svc) continue;
      const wanted = Math.min(t.max, Math.max(t.min, t.policyCapacity ?? t.min));
      const from = svc.desiredCount;
      if (wanted === from || (wanted < from && t.suspended.in) || (wanted > from && t.suspended.out)) continue;
      this.ecs.updateService({ cluster: t.cluster, service: t.service, desiredCount: wanted });
      this.activities.push({ t: this.clock.now(), resourceId: t.resourceId, from, to: wanted });
    }
  }
}

export const AAS_OPERATIONS: Record<string, (s: AutoScalingStore, b: JsonObject) => JsonObject> = {
  RegisterScalableTarget: (s, b) => s.registerScalableTarget(b),
  DescribeScalableTargets: (s, b) => s.describeScalableTargets(b),
  DeregisterScalableTarget: (s, b) => s.deregisterScalableTarget(b),
};
