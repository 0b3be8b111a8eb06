import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient, type Service, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import pLimit from 'p-limit';
import type { Clock } from '../../base/clock.ts';
import { silentLogger, type Logger } from '../../base/logger.ts';
import type { EcsAppState, EcsScalableTarget } from '../../../shared/model/app-state.ts';
import { SubstrateError } from '../../../shared/model/errors.ts';
import { createAutoScalingClient, readScalableTargets } from './autoscaling.ts';
import { resolveEndpoint } from '../../base/address.ts';
import { ecsEndpointKey } from '../../../shared/net/address.ts';
import type { EcsAppRef, EcsReader, EcsTarget, EnvironmentIdentity } from '../types.ts';
import { ecsCall, type EcsCallContext } from './call.ts';
import { createEcsClient } from './client.ts';
import { isMissing, serviceTaskDefinitionArn, toEcsAppState } from './mapping.ts';

/**
 * The ECS reader: DescribeServices batched by 10 (batches in parallel), then DescribeTaskDefinition
 * once per distinct task definition. Revisioned task definitions are immutable, so they are cached
 * for the reader's lifetime: a second read of the same apps costs only the DescribeServices calls.
 * It has no mutating methods — production gets this and nothing more.
 */

export interface EcsAdapterOptions {
  region: string;
  cluster: string;
  profile?: string;
  endpoint?: string;
  clock: Clock;
  logger?: Logger;
  /** per HTTP request, real ms (default 10 000) */
  requestTimeoutMs?: number;
  /** SDK attempts per call (default 3) */
  maxAttempts?: number;
  /** extra rounds of our own after the SDK gave up on a retryable error (default 2) */
  retries?: number;
  /** first backoff between those rounds, simulated ms (default 1000) */
  retryBackoffMs?: number;
  /** a ready client (tests, custom middleware); region/endpoint/profile/timeouts then only label errors */
  client?: ECSClient;
  /** concurrent requests per read (default 8) */
  concurrency?: number;
  /** Application Auto Scaling client (default: one on the same region, endpoint and credentials) */
  autoscalingClient?: ApplicationAutoScalingClient;
}

export const DESCRIBE_SERVICES_BATCH = 10;
const TD_CACHE_LIMIT = 2_000;

export interface EcsInternals {
  ctx: EcsCallContext;
  autoscaling: ApplicationAutoScalingClient;
  target: EcsTarget;
  describeServices(names: string[], signal?: AbortSignal): Promise<Map<string, Service | undefined>>;
  describeTaskDefinition(arn: string, signal?: AbortSignal): Promise<{ taskDefinition: TaskDefinition; tags: Tag[] | undefined }>;
  readApps(refs: EcsAppRef[], signal?: AbortSignal): Promise<Map<string, EcsAppState | null>>;
  readServices(refs: EcsAppRef[], signal?: AbortSignal): Promise<Map<string, { service: Service; state: EcsAppState } | null>>;
  identity(signal?: AbortSignal): Promise<Extract<EnvironmentIdentity, { substrate: 'ecs' }>>;
}

export function ecsTargetOf(opts: EcsAdapterOptions): EcsTarget {
  return { region: opts.region, cluster: opts.cluster, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...(opts.profile ? { profile: opts.profile } : {}) };
}

/** the shared machinery of reader and writer (not exported from the package index) */
export function createEcsInternals(opts: EcsAdapterOptions): EcsInternals {
  const clientOptions = {
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
  };
  const client = opts.client ?? createEcsClient(clientOptions);
  const ctx: EcsCallContext = {
    client,
    clock: opts.clock,
    logger: opts.logger ?? silentLogger,
    region: opts.region,
    cluster: opts.cluster,
    retries: opts.retries ?? 2,
    backoffMs: opts.retryBackoffMs ?? 1_000,
  };
  const autoscaling = opts.autoscalingClient ?? createAutoScalingClient(clientOptions);
  const limit = pLimit(Math.max(1, opts.concurrency ?? 8));
  let autoscalingDenied = false;

  /** scalable targets of these services; without the permission to read them, none (said once in the log) */
  async function scalableTargets(services: string[], signal?: AbortSignal): Promise<Map<string, EcsScalableTarget>> {
    if (autoscalingDenied || !services.length) return new Map();
    try {
      return await readScalableTargets(autoscaling, ctx, services, signal);
    } catch (err) {
      if (err instanceof SubstrateError && /AccessDenied/.test(err.message)) {
        autoscalingDenied = true;
        ctx.logger.warn('cannot read Application Auto Scaling (application-autoscaling:DescribeScalableTargets denied): ECS scalable targets are not shown or held', { cluster: opts.cluster });
        return new Map();
      }
      throw err;
    }
  }
  const tdCache = new Map<string, { taskDefinition: TaskDefinition; tags: Tag[] | undefined }>();

  async function describeServices(names: string[], signal?: AbortSignal): Promise<Map<string, Service | undefined>> {
    const unique = [...new Set(names)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += DESCRIBE_SERVICES_BATCH) batches.push(unique.slice(i, i + DESCRIBE_SERVICES_BATCH));
    const out = new Map<string, Service | undefined>();
    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          const res = await ecsCall(ctx, 'DescribeServices', `services/${opts.cluster}`, (abortSignal) => client.send(new DescribeServicesCommand({ cluster: opts.cluster, services: batch }), { abortSignal }), signal);
          for (const f of res.failures ?? []) {
            if (f.reason !== 'MISSING') {
              throw new SubstrateError(`ECS DescribeServices on ${opts.region}/${opts.cluster} reported a failure for ${f.arn ?? '?'}: ${f.reason ?? ''} ${f.detail ?? ''}`.trim(), {
                substrate: 'ecs',
                target: opts.cluster,
                resource: f.arn ?? `services/${opts.cluster}`,
                retryable: false,
              });
            }
          }
          for (const s of res.services ?? []) if (s.serviceName) out.set(s.serviceName, s);
        }),
      ),
    );
    for (const n of unique) if (!out.has(n)) out.set(n, undefined);
    return out;
  }

  async function describeTaskDefinition(arn: string, signal?: AbortSignal) {
    const hit = tdCache.get(arn);
    if (hit) return hit;
    const res = await ecsCall(ctx, 'DescribeTaskDefinition', `task-definition/${arn.split('/').pop() ?? arn}`, (abortSignal) => client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), { abortSignal }), signal);
    if (!res.taskDefinition) throw new SubstrateError(`ECS DescribeTaskDefinition returned no task definition for ${arn}`, { substrate: 'ecs', target: opts.cluster, resource: arn, retryable: false });
    const entry = { taskDefinition: res.taskDefinition, tags: res.tags };
    // only revisioned ARNs are immutable
    if (/:\d+$/.test(arn)) {
      if (tdCache.size >= TD_CACHE_LIMIT) tdCache.delete(tdCache.keys().next().value as string);
      tdCache.set(arn, entry);
    }
    return entry;
  }

  /** each app's service as DescribeServices returned it and its state (null: missing) */
  async function readServices(refs: EcsAppRef[], signal?: AbortSignal): Promise<Map<string, { service: Service; state: EcsAppState } | null>> {
    const [services, targets] = await Promise.all([
      describeServices(
        refs.map((r) => r.service),
        signal,
      ),
      scalableTargets(
        refs.map((r) => r.service),
        signal,
      ),
    ]);
    const arns = new Set<string>();
    for (const s of services.values()) {
      const arn = s && !isMissing(s) ? serviceTaskDefinitionArn(s) : undefined;
      if (arn) arns.add(arn);
    }
    const tds = new Map<string, TaskDefinition>();
    await Promise.all([...arns].map((arn) => limit(async () => tds.set(arn, (await describeTaskDefinition(arn, signal)).taskDefinition))));
    const out = new Map<string, { service: Service; state: EcsAppState } | null>();
    for (const ref of refs) {
      const s = services.get(ref.service);
      if (!s || isMissing(s)) {
        out.set(ref.app, null);
        continue;
      }
      const arn = serviceTaskDefinitionArn(s);
      const state = toEcsAppState(opts.cluster, s, arn ? tds.get(arn) : undefined, ref.containers);
      const target = targets.get(ref.service);
      out.set(ref.app, { service: s, state: target ? { ...state, autoscaling: target } : state });
    }
    return out;
  }

  async function readApps(refs: EcsAppRef[], signal?: AbortSignal): Promise<Map<string, EcsAppState | null>> {
    const read = await readServices(refs, signal);
    return new Map([...read].map(([app, r]) => [app, r ? r.state : null]));
  }

  /** DescribeClusters: the ARN the service itself gives this cluster (account, region, name), and where the endpoint resolves */
  async function identity(signal?: AbortSignal): Promise<Extract<EnvironmentIdentity, { substrate: 'ecs' }>> {
    const res = await ecsCall(ctx, 'DescribeClusters', `cluster/${opts.cluster}`, (abortSignal) => client.send(new DescribeClustersCommand({ clusters: [opts.cluster] }), { abortSignal }), signal);
    const arn = res.clusters?.[0]?.clusterArn;
    if (!arn) {
      const why = res.failures?.[0]?.reason ?? 'not returned';
      throw new SubstrateError(`ECS cluster ${opts.cluster} in ${opts.region}: cannot read its identity (DescribeClusters: ${why})`, { substrate: 'ecs', target: opts.cluster, resource: `cluster/${opts.cluster}`, retryable: false });
    }
    const endpoint = opts.endpoint && ecsEndpointKey(opts.endpoint, opts.region) !== '' ? await resolveEndpoint(opts.endpoint) : null;
    return { substrate: 'ecs', clusterArn: arn, endpoint };
  }

  return { ctx, autoscaling, target: ecsTargetOf(opts), describeServices, describeTaskDefinition, readServices, readApps, identity };
}

/** A read-only ECS adapter. Exposes `target` and `readApps` only. */
export function createEcsReader(opts: EcsAdapterOptions): EcsReader {
  const internals = createEcsInternals(opts);
  const target = Object.freeze({ ...internals.target });
  return Object.freeze({
    target,
    identity: (signal?: AbortSignal) => internals.identity(signal),
    readApps: (refs: EcsAppRef[], signal?: AbortSignal) => internals.readApps(refs, signal),
  });
}
