import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import type { EcsScalableTarget } from '../../../shared/model/app-state.ts';
import { ecsCall, type EcsCallContext } from './call.ts';
import { awsClientConfig, type EcsClientOptions } from './client.ts';

/**
 * ECS services' Application Auto Scaling (`@aws-sdk/client-application-auto-scaling`): read each
 * service's scalable target on its desired count (min, max, suspended state), and register new
 * bounds and suspension in one RegisterScalableTarget call. A service with no scalable target has
 * none to read or write.
 */

export const ECS_DIMENSION = 'ecs:service:DesiredCount';
const DESCRIBE_BATCH = 50;

export function createAutoScalingClient(opts: EcsClientOptions): ApplicationAutoScalingClient {
  return new ApplicationAutoScalingClient(awsClientConfig(opts));
}

export const serviceResourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;

export function toScalableTarget(t: ScalableTarget): EcsScalableTarget {
  return {
    minCapacity: t.MinCapacity ?? 0,
    maxCapacity: t.MaxCapacity ?? 0,
    suspended: {
      dynamicScalingIn: t.SuspendedState?.DynamicScalingInSuspended ?? false,
      dynamicScalingOut: t.SuspendedState?.DynamicScalingOutSuspended ?? false,
      scheduledScaling: t.SuspendedState?.ScheduledScalingSuspended ?? false,
    },
  };
}

/** service name → its scalable target (services without one are absent), DescribeScalableTargets in batches of 50. */
export async function readScalableTargets(client: ApplicationAutoScalingClient, ctx: EcsCallContext, services: string[], signal?: AbortSignal): Promise<Map<string, EcsScalableTarget>> {
  const out = new Map<string, EcsScalableTarget>();
  const unique = [...new Set(services)];
  for (let i = 0; i < unique.length; i += DESCRIBE_BATCH) {
    const ids = unique.slice(i, i + DESCRIBE_BATCH).map((s) => serviceResourceId(ctx.cluster, s));
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const res = await ecsCall(
        ctx,
        'DescribeScalableTargets',
        `scalable-targets/${ctx.cluster}`,
        (abortSignal) => client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ScalableDimension: ECS_DIMENSION, ResourceIds: ids, ...(token ? { NextToken: token } : {}) }), { abortSignal }),
        signal,
      );
      for (const t of res.ScalableTargets ?? []) {
        const service = t.ResourceId?.split('/')[2];
        if (service) out.set(service, toScalableTarget(t));
      }
      token = res.NextToken;
      if (!token) break;
    }
  }
  return out;
}

/** Bounds and suspension in one call (a field of `target` always given, so nothing is left to the current value). */
export async function registerScalableTarget(client: ApplicationAutoScalingClient, ctx: EcsCallContext, service: string, target: EcsScalableTarget, signal?: AbortSignal): Promise<void> {
  await ecsCall(
    ctx,
    'RegisterScalableTarget',
    serviceResourceId(ctx.cluster, service),
    (abortSignal) =>
      client.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ScalableDimension: ECS_DIMENSION,
          ResourceId: serviceResourceId(ctx.cluster, service),
          MinCapacity: target.minCapacity,
          MaxCapacity: target.maxCapacity,
          SuspendedState: {
            DynamicScalingInSuspended: target.suspended.dynamicScalingIn,
            DynamicScalingOutSuspended: target.suspended.dynamicScalingOut,
            ScheduledScalingSuspended: target.suspended.scheduledScaling,
          },
        }),
        { abortSignal },
      ),
    signal,
  );
}
