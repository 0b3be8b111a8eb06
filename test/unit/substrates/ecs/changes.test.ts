import type { Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import type { EcsAppState, EcsScalableTarget } from '../../../../shared/model/app-state.ts';
import { isOtherWriter } from '../../../../electron/core/run/other-writers.ts';
import { diffService } from '../../../../electron/substrates/ecs/changes.ts';

/** Who moved an ECS desired count: Application Auto Scaling only where its target lets it. */
const target = (min: number, max: number, suspended = false): EcsScalableTarget => ({ minCapacity: min, maxCapacity: max, suspended: { dynamicScalingIn: suspended, dynamicScalingOut: suspended, scheduledScaling: suspended } });
const state = (desiredCount: number, autoscaling?: EcsScalableTarget): EcsAppState => ({
  kind: 'ecs',
  cluster: 'c',
  service: 's',
  desiredCount,
  runningCount: desiredCount,
  taskDefinitionArn: 'arn:aws:ecs:eu-central-1:0:task-definition/s:1',
  containers: [{ name: 'app', image: 'reg/s:1' }],
  steady: true,
  ...(autoscaling ? { autoscaling } : {}),
});
const service: Service = { serviceName: 's', deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY' }] };
const ref = { app: 's', service: 's' };
const reported = (before: EcsAppState, now: EcsAppState) => diffService(ref, 'services c/s', { state: before, deployment: 'ecs-svc/1' }, service, now).filter(isOtherWriter);

describe('ECS desired count moved mid-run', () => {
  it('inside an unsuspended scalable target it is the autoscaler at work, not another writer', () => {
    expect(reported(state(2, target(1, 4)), state(3, target(1, 4)))).toEqual([]);
  });

  it('beyond the bounds, with the target suspended (as the run holds it) or without a target, it is someone else', () => {
    const other = { app: 's', object: 'services c/s', field: 'desiredCount', from: 2, to: 3, manager: 'someone else (ECS does not record who)' };
    expect(reported(state(2, target(1, 2)), state(3, target(1, 2)))).toEqual([other]);
    expect(reported(state(2, target(1, 6, true)), state(3, target(1, 6, true)))).toEqual([other]);
    expect(reported(state(2), state(3))).toEqual([other]);
  });
});
