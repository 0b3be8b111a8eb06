import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { ManualClock } from '../support/clocks.ts';
import { holdCount } from '../../electron/core/rules/plan.ts';
import { generatedEcsSeed, generatedEcsServiceName, shopEcsSeed, startEcsServer, type EcsServer } from '../../electron/sandbox/ecs/index.ts';
import { createEcsReader, createEcsWriter, type EcsWriterOptions } from '../../electron/substrates/ecs/index.ts';
import type { EcsAppRef, EcsTarget } from '../../electron/substrates/types.ts';
import { AbortedError, ProductionWriteRefused, SubstrateError, TimeoutError } from '../../shared/model/errors.ts';
import { PRODUCTION_PAYMENT_PROCESSOR_CONTAINERS } from '../support/shop-expectations.ts';

/** The ECS adapter over real HTTP against the sandbox endpoint (no mocks). */

const REGION = 'eu-central-1';
const PROD = 'payments-prod';
const TEST = 'payments-loadtest';
// 1 real ms = 200 simulated ms: a rollout (~70 simulated s) takes ~0.35 real s, slow enough that
// a loaded machine does not skip the in-progress states the tests look at
const clock = new ScaledClock(200);
let srv: EcsServer;
let production: EcsTarget[];

const pp: EcsAppRef = { app: 'payment-processor', service: 'payment-processor' };
const notif: EcsAppRef = { app: 'notifications', service: 'notifications' };

const writer = (extra: Partial<EcsWriterOptions> = {}) =>
  createEcsWriter({ region: REGION, cluster: TEST, endpoint: srv.url, clock, productionClusters: production, retryBackoffMs: 100, ...extra });
const ops = (from: number) => srv.log.entries.slice(from).map((e) => e.operation);
const count = (from: number, op: string) => ops(from).filter((o) => o === op).length;

beforeAll(async () => {
  srv = await startEcsServer({ clock, productionClusters: [PROD] });
  production = [{ region: REGION, cluster: PROD, endpoint: srv.url }];
});
afterEach(() => srv.faults.clear());
afterAll(async () => {
  expect(srv.mutatingRequests(PROD)).toBe(0);
  await srv.close();
});

describe('ECS reader', () => {
  it('reads production services, task sizes and containers; a missing service is null', async () => {
    const reader = createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock });
    const from = srv.log.total;
    const apps = await reader.readApps([pp, notif, { app: 'ghost', service: 'ghost' }]);
    expect(apps.get('ghost')).toBeNull();
    expect(apps.get('payment-processor')).toEqual({
      kind: 'ecs',
      cluster: PROD,
      service: 'payment-processor',
      desiredCount: 6,
      runningCount: 6,
      taskDefinitionArn: 'arn:aws:ecs:eu-central-1:000000000000:task-definition/payment-processor:42',
      taskCpu: '1024',
      taskMemory: '2048',
      containers: [...PRODUCTION_PAYMENT_PROCESSOR_CONTAINERS],
      steady: true,
      autoscaling: { minCapacity: 4, maxCapacity: 12, suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false } },
    });
    expect(apps.get('notifications')).toMatchObject({ desiredCount: 3, containers: [{ name: 'app', memory: 512, memoryReservation: 256 }] });
    expect(apps.get('notifications')!.autoscaling).toBeUndefined();
    // one DescribeServices and one DescribeScalableTargets for three refs, one DescribeTaskDefinition per distinct task definition
    expect(ops(from).sort()).toEqual(['DescribeScalableTargets', 'DescribeServices', 'DescribeTaskDefinition', 'DescribeTaskDefinition']);
    expect(Object.keys(reader).sort()).toEqual(['identity', 'readApps', 'target']);
  });

  it('honours a container filter', async () => {
    const reader = createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock });
    const apps = await reader.readApps([{ ...pp, containers: ['app'] }]);
    expect(apps.get('payment-processor')!.containers.map((c) => c.name)).toEqual(['app']);
  });

  it('batches DescribeServices by 10 (15 services → 2 calls) and caches immutable task definitions', async () => {
    const big = await startEcsServer({ clock, seed: generatedEcsSeed(15) });
    try {
      const reader = createEcsReader({ region: REGION, cluster: TEST, endpoint: big.url, clock });
      const refs = Array.from({ length: 15 }, (_, i) => ({ app: `a${i}`, service: generatedEcsServiceName(i) }));
      const apps = await reader.readApps(refs);
      expect([...apps.values()].every((a) => a !== null)).toBe(true);
      expect(big.operationCounts()).toEqual({ DescribeServices: 2, DescribeScalableTargets: 1, DescribeTaskDefinition: 15 });
      const batches = big.log.entries.filter((e) => e.operation === 'DescribeServices');
      expect(batches).toHaveLength(2);
      await reader.readApps(refs);
      expect(big.operationCounts()).toEqual({ DescribeServices: 4, DescribeScalableTargets: 2, DescribeTaskDefinition: 15 });
    } finally {
      await big.close();
    }
  });

  it('maps an INACTIVE (deleted) service to null, like a missing one', async () => {
    const seed = shopEcsSeed();
    seed.clusters[1]!.services.push({ name: 'legacy', desiredCount: 0, inactive: true, taskDefinition: { family: 'legacy', cpu: '256', memory: '512', containers: [{ name: 'app', image: 'legacy:1' }] } });
    const own = await startEcsServer({ clock, seed });
    try {
      const reader = createEcsReader({ region: REGION, cluster: TEST, endpoint: own.url, clock });
      const apps = await reader.readApps([{ app: 'legacy', service: 'legacy' }, notif]);
      expect(apps.get('legacy')).toBeNull();
      expect(apps.get('notifications')).not.toBeNull();
    } finally {
      await own.close();
    }
  });

  it('names the cluster, resource and status when the cluster does not exist', async () => {
    const reader = createEcsReader({ region: REGION, cluster: 'payments-nowhere', endpoint: srv.url, clock });
    const err = await reader.readApps([pp]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    const e = err as SubstrateError;
    expect(e.message).toContain('ClusterNotFoundException');
    expect(e.details).toMatchObject({ substrate: 'ecs', target: 'payments-nowhere', status: 400, retryable: false });
  });

  it('retries through a 5xx burst (SDK attempts, then its own bounded rounds)', async () => {
    const reader = createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock, maxAttempts: 3, retries: 2, retryBackoffMs: 100 });
    srv.faults.set({ fail5xx: 4, match: 'DescribeServices' });
    const from = srv.log.total;
    const apps = await reader.readApps([notif]);
    expect(apps.get('notifications')?.desiredCount).toBe(3);
    const statuses = srv.log.entries.slice(from).filter((e) => e.operation === 'DescribeServices').map((e) => e.status);
    expect(statuses).toEqual([503, 500, 503, 500, 200]);
  });

  it('gives up after a bounded number of attempts with a retryable SubstrateError', async () => {
    const reader = createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock, maxAttempts: 2, retries: 1, retryBackoffMs: 100 });
    srv.faults.set({ fail5xx: 1000, match: 'DescribeServices' });
    const from = srv.log.total;
    const err = await reader.readApps([notif]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as SubstrateError).retryable).toBe(true);
    expect([500, 503]).toContain((err as SubstrateError).status);
    expect(count(from, 'DescribeServices')).toBe(4); // 2 SDK attempts × 2 rounds
  });

  it('times out a request that takes longer than requestTimeoutMs', async () => {
    const reader = createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock, requestTimeoutMs: 150, maxAttempts: 1, retries: 0 });
    srv.faults.set({ latencyMs: 3_000 });
    const err = await reader.readApps([notif]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as SubstrateError).message).toMatch(/timed out/i);
    expect((err as SubstrateError).details).toMatchObject({ target: PROD, retryable: true });
  });

  it('aborts an in-flight read', async () => {
    const reader = createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock, requestTimeoutMs: 50_000 });
    srv.faults.set({ latencyMs: 40_000 });
    const ac = new AbortController();
    const pending = reader.readApps([notif], ac.signal);
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  }, 10_000);
});

describe('ECS writer', () => {
  it('derives a new revision with production images and sizes, updates the service once, waits for steady state, and restores the original ARN', async () => {
    const w = writer();
    const before = (await w.readApps([pp])).get('payment-processor')!;
    expect(before).toMatchObject({ desiredCount: 2, taskCpu: '512', taskMemory: '1024', steady: true });
    const prod = (await createEcsReader({ region: REGION, cluster: PROD, endpoint: srv.url, clock }).readApps([pp])).get('payment-processor')!;

    const from = srv.log.total;
    const arn = await w.apply(pp, {
      desiredCount: prod.desiredCount,
      // as the conductor does: hold the count against the service's auto scaling (widened, suspended)
      autoscaling: holdCount(before.autoscaling!, prod.desiredCount),
      images: Object.fromEntries(prod.containers.map((c) => [c.name, c.image])),
      taskCpu: prod.taskCpu!,
      taskMemory: prod.taskMemory!,
      containerSizes: Object.fromEntries(prod.containers.map((c) => [c.name, { cpu: c.cpu, memory: c.memory, memoryReservation: c.memoryReservation }])),
    });
    expect(arn).toBe('arn:aws:ecs:eu-central-1:000000000000:task-definition/payment-processor-loadtest:9');
    expect(ops(from).filter((o) => o === 'RegisterTaskDefinition' || o === 'UpdateService')).toEqual(['RegisterTaskDefinition', 'UpdateService']);

    // the new revision kept everything RegisterTaskDefinition accepts from the test definition
    const sdk = new ECSClient({ region: REGION, endpoint: srv.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const td = (await sdk.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;
    sdk.destroy();
    expect(td).toMatchObject({
      family: 'payment-processor-loadtest',
      cpu: '1024',
      memory: '2048',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      taskRoleArn: 'arn:aws:iam::000000000000:role/payment-processor-loadtest-task',
    });
    expect(td.containerDefinitions![0]).toMatchObject({ name: 'app', image: prod.containers[0]!.image, cpu: 768, memory: 1536, environment: [{ name: 'ENV', value: 'loadtest' }], portMappings: [{ containerPort: 8080 }] });

    const progress: { desired: number; running: number; pending: number }[] = [];
    const steady = await w.waitForSteady(pp, { timeoutMs: 600_000, onProgress: (p) => progress.push(p) });
    expect(steady).toMatchObject({ steady: true, desiredCount: 6, runningCount: 6, taskDefinitionArn: arn, taskCpu: '1024', taskMemory: '2048' });
    expect(steady.containers.map((c) => c.image)).toEqual(prod.containers.map((c) => c.image));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[0]!.running).toBeLessThan(6);

    // restore: straight back to the pre-test ARN and count, no new revision
    const mark = srv.log.total;
    const restored = await w.apply(pp, { taskDefinitionArn: before.taskDefinitionArn, desiredCount: before.desiredCount, autoscaling: before.autoscaling! });
    expect(restored).toBe(before.taskDefinitionArn);
    expect(ops(mark)).toEqual(['RegisterScalableTarget', 'UpdateService']);
    const back = await w.waitForSteady(pp, { timeoutMs: 600_000 });
    const { autoscaling, ...service } = before;
    expect(back).toEqual({ ...service, steady: true });
    // the scalable target is back to its exact previous bounds and (un)suspended state
    expect((await w.readApps([pp])).get('payment-processor')!.autoscaling).toEqual(autoscaling);
  });

  it('does not register a revision when only the desired count changes', async () => {
    const w = writer();
    const before = (await w.readApps([notif])).get('notifications')!;
    const from = srv.log.total;
    const arn = await w.apply(notif, { desiredCount: before.desiredCount + 1, images: { app: before.containers[0]!.image } });
    expect(arn).toBe(before.taskDefinitionArn);
    expect(ops(from).filter((o) => o !== 'DescribeServices' && o !== 'DescribeTaskDefinition')).toEqual(['UpdateService']);
    const after = await w.waitForSteady(notif, { timeoutMs: 600_000 });
    expect(after.runningCount).toBe(before.desiredCount + 1);
    await w.apply(notif, { taskDefinitionArn: before.taskDefinitionArn, desiredCount: before.desiredCount });
    await w.waitForSteady(notif, { timeoutMs: 600_000 });
  });

  it('refuses a desired container the task definition does not have, before writing anything', async () => {
    const w = writer();
    const mut = srv.mutatingRequests();
    const err = await w.apply(pp, { images: { sidecar: 'x:1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as Error).message).toContain('container sidecar is not in task definition payment-processor-loadtest');
    expect(srv.mutatingRequests()).toBe(mut);
  });

  it('times out waiting for a rollout that takes longer than the timeout', async () => {
    const w = writer();
    const before = (await w.readApps([notif])).get('notifications')!;
    await w.apply(notif, { desiredCount: before.desiredCount, images: { app: 'registry.example/notifications:timeout-test' } });
    const err = await w.waitForSteady(notif, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toContain('notifications');
    await w.apply(notif, { taskDefinitionArn: before.taskDefinitionArn, desiredCount: before.desiredCount });
    await w.waitForSteady(notif, { timeoutMs: 600_000 });
  });

  it('stops waiting promptly on abort (manual clock: a wait that ignored the signal would never end)', async () => {
    const manual = new ManualClock(Date.now());
    const own = await startEcsServer({ clock: manual });
    try {
      const w = createEcsWriter({ region: REGION, cluster: TEST, endpoint: own.url, clock: manual, productionClusters: [{ region: REGION, cluster: PROD, endpoint: own.url }] });
      await w.apply(notif, { desiredCount: 4 });
      const describesBefore = own.operationCounts().DescribeServices ?? 0;
      const ac = new AbortController();
      const waiting = w.waitForSteady(notif, {
        timeoutMs: 3_600_000,
        signal: ac.signal,
        onProgress: () => setTimeout(() => ac.abort(), 10),
      });
      await expect(waiting).rejects.toBeInstanceOf(AbortedError);
      expect(own.operationCounts().DescribeServices).toBe(describesBefore + 1); // one poll, then the abort
    } finally {
      await own.close();
    }
  });
});

describe('production is read-only', () => {
  it('the writer refuses any write that resolves to a production cluster, and production receives nothing', async () => {
    const prodMutations = srv.mutatingRequests(PROD);
    const variants: Partial<EcsWriterOptions>[] = [
      { cluster: PROD },
      { cluster: `arn:aws:ecs:${REGION}:000000000000:cluster/${PROD}` },
      { cluster: PROD, endpoint: srv.url.replace('127.0.0.1', 'localhost') + '/' },
    ];
    for (const v of variants) {
      const w = writer(v);
      const total = srv.log.total;
      await expect(w.apply(pp, { desiredCount: 1 })).rejects.toBeInstanceOf(ProductionWriteRefused);
      await expect(w.apply(pp, { taskDefinitionArn: 'payment-processor:42', desiredCount: 1 })).rejects.toBeInstanceOf(ProductionWriteRefused);
      expect(srv.log.total).toBe(total); // refused before any request
    }
    expect(srv.mutatingRequests(PROD)).toBe(prodMutations);
    expect(srv.productionMutatingRequests()).toBe(0);
  });

  it('a writer on the test cluster of the same endpoint is allowed', async () => {
    const w = writer();
    const arn = await w.apply(notif, { desiredCount: 1 });
    expect(arn).toContain('notifications-loadtest');
  });
});
