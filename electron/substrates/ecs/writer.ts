import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { EcsAppState, EcsDesiredState } from '../../../shared/model/app-state.ts';
import { AbortedError, SubstrateError, TimeoutError } from '../../../shared/model/errors.ts';
import type { EcsAppRef, EcsWriter, WaitOptions } from '../types.ts';
import { registerScalableTarget } from './autoscaling.ts';
import { createChangePoller } from './changes.ts';
import { ecsCall } from './call.ts';
import { ecsProductionGuard, type ProductionEcsTarget } from './guard.ts';
import { DesiredStateMismatch, deriveTaskDefinition, isMissing, isSteady, primaryDeployment, serviceTaskDefinitionArn, toEcsAppState } from './mapping.ts';
import { createEcsInternals, type EcsAdapterOptions } from './reader.ts';

/**
 * The test-side ECS adapter. `apply` registers a task-definition revision derived from the
 * service's current one (only when something differs) and updates the service once;
 * `waitForSteady` polls DescribeServices on the run's clock. Every write first passes the
 * production guard.
 */

export interface EcsWriterOptions extends EcsAdapterOptions {
  /** production targets: any write resolving to one of them (by spelling, or by identity when given) is refused */
  productionClusters?: ProductionEcsTarget[];
  /** DescribeServices interval while waiting for steady state, simulated ms (default 5000) */
  pollIntervalMs?: number;
}

export type EcsWaitOptions = Omit<WaitOptions, 'onProgress'> & { onProgress?: (s: { desired: number; running: number; pending: number }) => void };

export function createEcsWriter(opts: EcsWriterOptions): EcsWriter {
  const internals = createEcsInternals(opts);
  const { ctx } = internals;
  const target = Object.freeze({ ...internals.target });
  const production = [...(opts.productionClusters ?? [])];
  const guard = ecsProductionGuard(target, production, () => internals.identity());
  const pollMs = Math.max(1, opts.pollIntervalMs ?? 5_000);
  const serviceResource = (service: string) => `service/${opts.cluster}/${service}`;

  async function describeOne(ref: EcsAppRef, signal?: AbortSignal) {
    const svc = (await internals.describeServices([ref.service], signal)).get(ref.service);
    if (isMissing(svc)) {
      throw new SubstrateError(`ECS service ${ref.service} not found in cluster ${opts.cluster} (${opts.region})`, { substrate: 'ecs', target: opts.cluster, resource: serviceResource(ref.service), retryable: false });
    }
    return svc!;
  }

  async function apply(ref: EcsAppRef, desired: EcsDesiredState, signal?: AbortSignal): Promise<string> {
    await guard(`update ECS service ${ref.service}`);
    // auto scaling first: bounds and suspension in one call, so the count written next holds
    if (desired.autoscaling) {
      await registerScalableTarget(internals.autoscaling, ctx, ref.service, desired.autoscaling, signal);
      ctx.logger.info('registered ECS scalable target', { cluster: opts.cluster, service: ref.service, ...desired.autoscaling });
    }
    const touchesService = desired.taskDefinitionArn !== undefined || desired.desiredCount !== undefined || desired.images !== undefined || desired.taskCpu !== undefined || desired.taskMemory !== undefined || desired.containerSizes !== undefined;
    if (!touchesService) return serviceTaskDefinitionArn(await describeOne(ref, signal)) ?? '';
    let taskDefinition = desired.taskDefinitionArn;
    if (!taskDefinition) {
      const svc = await describeOne(ref, signal);
      const current = serviceTaskDefinitionArn(svc);
      if (!current) throw new SubstrateError(`ECS service ${ref.service} in ${opts.cluster} has no task definition`, { substrate: 'ecs', target: opts.cluster, resource: serviceResource(ref.service), retryable: false });
      const { taskDefinition: td, tags } = await internals.describeTaskDefinition(current, signal);
      let derived: ReturnType<typeof deriveTaskDefinition>;
      try {
        derived = deriveTaskDefinition(td, tags, desired);
      } catch (err) {
        if (err instanceof DesiredStateMismatch) throw new SubstrateError(`cannot update ECS service ${ref.service} in ${opts.cluster}: ${err.message}`, { substrate: 'ecs', target: opts.cluster, resource: serviceResource(ref.service), retryable: false });
        throw err;
      }
      if (derived.changed) {
        const res = await ecsCall(ctx, 'RegisterTaskDefinition', `task-definition/${td.family}`, (abortSignal) => ctx.client.send(new RegisterTaskDefinitionCommand(derived.input), { abortSignal }), signal);
        taskDefinition = res.taskDefinition?.taskDefinitionArn;
        if (!taskDefinition) throw new SubstrateError(`ECS RegisterTaskDefinition returned no ARN for family ${td.family}`, { substrate: 'ecs', target: opts.cluster, resource: `task-definition/${td.family}`, retryable: false });
        ctx.logger.info('registered ECS task definition', { cluster: opts.cluster, service: ref.service, taskDefinition });
      } else {
        taskDefinition = current;
      }
    }
    const res = await ecsCall(
      ctx,
      'UpdateService',
      serviceResource(ref.service),
      (abortSignal) =>
        ctx.client.send(
          new UpdateServiceCommand({ cluster: opts.cluster, service: ref.service, taskDefinition, ...(desired.desiredCount !== undefined ? { desiredCount: desired.desiredCount } : {}) }),
          { abortSignal },
        ),
      signal,
    );
    const inUse = res.service ? (serviceTaskDefinitionArn(res.service) ?? taskDefinition) : taskDefinition;
    ctx.logger.info('updated ECS service', { cluster: opts.cluster, service: ref.service, taskDefinition: inUse, desiredCount: desired.desiredCount });
    return inUse;
  }

  async function waitForSteady(ref: EcsAppRef, w: EcsWaitOptions): Promise<EcsAppState> {
    const start = ctx.clock.now();
    const deadline = start + Math.max(0, w.timeoutMs);
    const maxPolls = Math.ceil(Math.max(0, w.timeoutMs) / pollMs) + 2;
    const aborted = () => new AbortedError(`waiting for ECS service ${ref.service} in ${opts.cluster} aborted`, { cluster: opts.cluster, service: ref.service });
    let last = { desired: 0, running: 0, pending: 0, deployments: 0 };
    for (let poll = 0; poll < maxPolls; poll++) {
      if (w.signal?.aborted) throw aborted();
      const svc = await describeOne(ref, w.signal);
      const primary = primaryDeployment(svc);
      last = { desired: svc.desiredCount ?? 0, running: svc.runningCount ?? 0, pending: svc.pendingCount ?? 0, deployments: svc.deployments?.length ?? 0 };
      w.onProgress?.({ desired: last.desired, running: last.running, pending: last.pending });
      if (isSteady(svc)) {
        const arn = serviceTaskDefinitionArn(svc);
        const td = arn ? (await internals.describeTaskDefinition(arn, w.signal)).taskDefinition : undefined;
        return toEcsAppState(opts.cluster, svc, td, ref.containers);
      }
      const now = ctx.clock.now();
      if (now >= deadline) break;
      ctx.logger.debug('ECS service not steady yet', { cluster: opts.cluster, service: ref.service, rolloutState: primary?.rolloutState, ...last });
      try {
        await ctx.clock.sleep(Math.min(pollMs, deadline - now), w.signal);
      } catch {
        throw aborted();
      }
    }
    throw new TimeoutError(
      `ECS service ${ref.service} in ${opts.cluster} did not reach steady state within ${Math.round(w.timeoutMs / 1000)}s (running ${last.running}/${last.desired}, pending ${last.pending}, ${last.deployments} deployment(s))`,
      { cluster: opts.cluster, service: ref.service, ...last },
    );
  }

  return Object.freeze({
    target,
    identity: (signal?: AbortSignal) => internals.identity(signal),
    readApps: (refs: EcsAppRef[], signal?: AbortSignal) => internals.readApps(refs, signal),
    apply,
    waitForSteady,
    changePoller: (refs: EcsAppRef[]) => createChangePoller(internals, refs),
  });
}
