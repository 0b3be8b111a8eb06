import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient, DeregisterScalableTargetCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOtherWriter } from '../../electron/core/run/other-writers.ts';
import { ScaledClock } from '../../electron/base/clock.ts';
import { generatedEcsSeed, generatedEcsServiceName, shopEcsSeed } from '../../electron/sandbox/ecs/index.ts';
import { createEcsReader, createEcsWriter } from '../../electron/substrates/ecs/index.ts';
import type { EcsAppRef, EcsTarget } from '../../electron/substrates/types.ts';
import type { EcsSeed } from '../../electron/sandbox/ecs/seed.ts';
import { ProductionWriteRefused, SubstrateError } from '../../shared/model/errors.ts';
import { MOTO_CREDENTIALS, MOTO_REGION, seedMoto, startMoto, type Moto } from './moto.ts';
import { PRODUCTION_PAYMENT_PROCESSOR_CONTAINERS } from '../support/shop-expectations.ts';

/**
 * The ECS adapter against moto, an ECS implementation we did not write: bulk reads, the derived
 * task-definition revision (every field moto keeps survives), UpdateService, restore to the exact
 * previous ARN, errors, the production guard, and someone else's changes as the run's poller
 * reports them. What moto cannot show (deployments that progress over time) is proven on the
 * sandbox only (README, "What runs against real servers").
 */

const PROD = 'payments-prod';
const TEST = 'payments-loadtest';
const BIG = 'bulk-loadtest';
const clock = new ScaledClock(1000);
let moto: Moto;
let seeded: Map<string, string>;
/** operations the adapter sent, in order */
const sent: string[] = [];
let counting: ECSClient;

const pp: EcsAppRef = { app: 'payment-processor', service: 'payment-processor' };
const notif: EcsAppRef = { app: 'notifications', service: 'notifications' };

/** every field a task definition carries that RegisterTaskDefinition accepts (moto keeps all but enableFaultInjection) */
const FULL: RegisterTaskDefinitionCommandInput = {
  family: 'ledger-loadtest',
  taskRoleArn: 'arn:aws:iam::123456789012:role/ledger-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
  networkMode: 'awsvpc',
  containerDefinitions: [
    {
      name: 'app',
      image: 'registry.example/ledger:4.0.0',
      cpu: 384,
      memory: 768,
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
      environment: [{ name: 'ENV', value: 'loadtest' }],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:eu-central-1:123456789012:parameter/ledger/db' }],
      mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/ledger' } },
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://127.0.0.1:8080/health'], interval: 30, retries: 3 },
    },
    { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.2.0-prod', essential: true, memoryReservation: 256 },
  ],
  volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/ledger' } }],
  placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone in [eu-central-1a, eu-central-1b]' }],
  requiresCompatibilities: ['FARGATE'],
  cpu: '512',
  memory: '1024',
  pidMode: 'task',
  ipcMode: 'task',
  proxyConfiguration: { type: 'APPMESH', containerName: 'envoy', properties: [{ name: 'AppPorts', value: '8080' }] },
  inferenceAccelerators: [{ deviceName: 'device-1', deviceType: 'eia2.medium' }],
  ephemeralStorage: { sizeInGiB: 30 },
  runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
  tags: [{ key: 'team', value: 'payments' }],
};

/** a task definition as DescribeTaskDefinition returns it, without what each revision has of its own */
const comparable = (td: TaskDefinition) => {
  const { taskDefinitionArn: _arn, revision: _rev, registeredAt: _at, registeredBy: _by, ...rest } = td;
  return rest;
};

const production = (): EcsTarget[] => [{ region: MOTO_REGION, cluster: PROD, endpoint: moto.url }];
const reader = (cluster: string) => createEcsReader({ region: MOTO_REGION, cluster, endpoint: moto.url, clock, client: counting });
const writer = () => createEcsWriter({ region: MOTO_REGION, cluster: TEST, endpoint: moto.url, clock, client: counting, productionClusters: production(), pollIntervalMs: 1000 });
const describe1 = async (cluster: string, service: string) => (await moto.client().send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
const describeTd = async (arn: string) => moto.client().send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));

beforeAll(async () => {
  moto = await startMoto();
  const big: EcsSeed = generatedEcsSeed(15);
  seeded = await seedMoto(moto.client(), shopEcsSeed());
  const bigArns = await seedMoto(moto.client(), { ...big, clusters: big.clusters.filter((c) => c.name === TEST).map((c) => ({ ...c, name: BIG })) });
  for (const [k, v] of bigArns) seeded.set(k, v);
  // the ledger service runs a task definition with every registerable field set
  const td = await moto.client().send(new RegisterTaskDefinitionCommand(FULL));
  await moto.client().send(new CreateServiceCommand({ cluster: TEST, serviceName: 'ledger', taskDefinition: td.taskDefinition!.taskDefinitionArn, desiredCount: 0, launchType: 'FARGATE' }));
  await moto.client().send(new UpdateServiceCommand({ cluster: TEST, service: 'ledger', desiredCount: 2 }));
  counting = moto.client();
  counting.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'conformanceCount' },
  );
});

afterAll(async () => {
  await moto?.stop();
});

describe('the ECS reader on moto', () => {
  it('reads production and test services, task sizes and containers; a missing service is null', async () => {
    const from = sent.length;
    const apps = await reader(PROD).readApps([pp, notif, { app: 'ghost', service: 'ghost' }]);
    expect(apps.get('ghost')).toBeNull();
    expect(apps.get('payment-processor')).toEqual({
      kind: 'ecs',
      cluster: PROD,
      service: 'payment-processor',
      desiredCount: 6,
      runningCount: 6,
      taskDefinitionArn: seeded.get(`${PROD}/payment-processor`),
      taskCpu: '1024',
      taskMemory: '2048',
      containers: [...PRODUCTION_PAYMENT_PROCESSOR_CONTAINERS],
      steady: true,
    });
    expect(apps.get('notifications')).toMatchObject({ desiredCount: 3, containers: [{ name: 'app', memory: 512, memoryReservation: 256 }] });
    expect(sent.slice(from).sort()).toEqual(['DescribeServicesCommand', 'DescribeTaskDefinitionCommand', 'DescribeTaskDefinitionCommand']);
  });

  it('reads 15 services with DescribeServices in batches of 10 and one DescribeTaskDefinition per task definition', async () => {
    const refs = Array.from({ length: 15 }, (_, i) => ({ app: `a${i}`, service: generatedEcsServiceName(i) }));
    const r = reader(BIG);
    const from = sent.length;
    const apps = await r.readApps(refs);
    expect([...apps.values()].every((a) => a !== null && a.containers.length === 1)).toBe(true);
    const ops = sent.slice(from);
    expect(ops.filter((o) => o === 'DescribeServicesCommand')).toHaveLength(2);
    expect(ops.filter((o) => o === 'DescribeTaskDefinitionCommand')).toHaveLength(15);
    // revisioned task definitions are immutable: a second read costs only the DescribeServices calls
    const again = sent.length;
    await r.readApps(refs);
    expect(sent.slice(again)).toEqual(['DescribeServicesCommand', 'DescribeServicesCommand']);
  });

  it('an unknown cluster is a SubstrateError naming ClusterNotFoundException', async () => {
    const err = await reader('payments-nowhere')
      .readApps([pp])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as SubstrateError).message).toMatch(/ClusterNotFoundException/);
    expect((err as SubstrateError).message).toMatch(/\[HTTP 400\]/);
  });
});

describe('the ECS writer on moto', () => {
  it('derives a revision that keeps every field of the original, updates the service, and restores the exact previous ARN', async () => {
    const ledger: EcsAppRef = { app: 'ledger', service: 'ledger' };
    const w = writer();
    const before = (await w.readApps([ledger])).get('ledger')!;
    const previousArn = before.taskDefinitionArn;
    const from = sent.length;
    const arn = await w.apply(ledger, { images: { app: 'registry.example/ledger:4.1.0' }, containerSizes: { app: { cpu: 768, memory: 1536 } }, taskCpu: '1024', taskMemory: '2048', desiredCount: 4 });
    expect(sent.slice(from)).toEqual(['DescribeServicesCommand', 'RegisterTaskDefinitionCommand', 'UpdateServiceCommand']);
    expect(arn).not.toBe(previousArn);
    expect(arn).toMatch(/task-definition\/ledger-loadtest:\d+$/);

    // the service runs the new revision at the new count, as moto reports it
    const svc = await describe1(TEST, 'ledger');
    expect(svc.taskDefinition).toBe(arn);
    expect(svc.desiredCount).toBe(4);

    // field by field: the new revision equals the old one but for what was asked
    const [oldTd, newTd] = await Promise.all([describeTd(previousArn), describeTd(arn)]);
    const expected = structuredClone(comparable(oldTd.taskDefinition!));
    expected.cpu = '1024';
    expected.memory = '2048';
    Object.assign(expected.containerDefinitions![0]!, { image: 'registry.example/ledger:4.1.0', cpu: 768, memory: 1536 });
    expect(comparable(newTd.taskDefinition!)).toEqual(expected);
    expect(newTd.tags).toEqual(oldTd.tags);
    expect(newTd.tags).toEqual([{ key: 'team', value: 'payments' }]);
    // and nothing was lost against what was registered in the first place
    for (const key of ['volumes', 'placementConstraints', 'proxyConfiguration', 'pidMode', 'ipcMode', 'inferenceAccelerators', 'ephemeralStorage', 'runtimePlatform', 'taskRoleArn', 'executionRoleArn'] as const) {
      expect(newTd.taskDefinition![key], key).toEqual(FULL[key]);
    }

    // restore: the exact previous ARN and count, no new revision
    const regs = sent.filter((o) => o === 'RegisterTaskDefinitionCommand').length;
    expect(await w.apply(ledger, { taskDefinitionArn: previousArn, desiredCount: before.desiredCount })).toBe(previousArn);
    expect(sent.filter((o) => o === 'RegisterTaskDefinitionCommand').length).toBe(regs);
    const restored = await describe1(TEST, 'ledger');
    expect(restored.taskDefinition).toBe(previousArn);
    expect(restored.desiredCount).toBe(2);
    const after = (await w.readApps([ledger])).get('ledger')!;
    expect(after).toEqual(before);
  });

  it('registers nothing when the task definition already matches, and only updates the count', async () => {
    const w = writer();
    const state = (await w.readApps([notif])).get('notifications')!;
    const families = async () => (await moto.client().send(new ListTaskDefinitionsCommand({ familyPrefix: 'notifications-loadtest' }))).taskDefinitionArns!.length;
    const revisions = await families();
    const from = sent.length;
    const arn = await w.apply(notif, { images: { app: state.containers[0]!.image }, desiredCount: 3 });
    expect(arn).toBe(state.taskDefinitionArn);
    expect(sent.slice(from)).toEqual(['DescribeServicesCommand', 'UpdateServiceCommand']);
    expect(await families()).toBe(revisions);
    expect((await describe1(TEST, 'notifications')).desiredCount).toBe(3);
    // moto sets runningCount = desiredCount at once: the wait is satisfied on the first poll
    const steady = await w.waitForSteady(notif, { timeoutMs: 10_000 });
    expect(steady).toMatchObject({ desiredCount: 3, runningCount: 3, steady: true });
    await w.apply(notif, { desiredCount: state.desiredCount });
  });

  it('a container the task definition lacks is refused before anything is registered', async () => {
    const from = sent.length;
    const err = await writer()
      .apply(pp, { images: { sidecar: 'x:1' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubstrateError);
    expect((err as Error).message).toMatch(/container sidecar is not in task definition payment-processor-loadtest:1 \(containers: app, envoy\)/);
    expect(sent.slice(from)).toEqual(['DescribeServicesCommand', 'DescribeTaskDefinitionCommand']);
  });

  it('a missing service is a SubstrateError, and the production cluster is refused with nothing sent', async () => {
    const err = await writer()
      .apply({ app: 'ghost', service: 'ghost' }, { desiredCount: 1 })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/ECS service ghost not found in cluster payments-loadtest/);

    const from = sent.length;
    const prodWriter = createEcsWriter({ region: MOTO_REGION, cluster: PROD, endpoint: moto.url, clock, client: counting, productionClusters: production() });
    const refused = await prodWriter.apply(pp, { desiredCount: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProductionWriteRefused);
    expect(sent.slice(from)).toEqual([]);
    expect((await describe1(PROD, 'payment-processor')).desiredCount).toBe(6);
  });
});

describe('someone else changing the test services, polled on moto', () => {
  it('reports the desired count, the task definition and its images, and the scalable target, field by field; the autoscaler inside its bounds is not reported', async () => {
    const resource = `service/${TEST}/payment-processor`;
    const aas = new ApplicationAutoScalingClient({ region: MOTO_REGION, endpoint: moto.url, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
    const register = (min: number, max: number, suspended: boolean) =>
      aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: resource, MinCapacity: min, MaxCapacity: max, SuspendedState: { DynamicScalingInSuspended: suspended, DynamicScalingOutSuspended: suspended, ScheduledScalingSuspended: suspended } }));
    try {
      await register(1, 6, false);
      const poller = writer().changePoller!([pp]);
      expect(await poller.poll()).toEqual([]); // the baseline
      // the autoscaler's move, inside [1, 6] with scaling not suspended: not another writer
      await moto.client().send(new UpdateServiceCommand({ cluster: TEST, service: 'payment-processor', desiredCount: 4 }));
      expect((await poller.poll()).filter(isOtherWriter)).toEqual([]);
      // another writer: a hotfix image on a new revision, a count by hand under a suspended target, wider bounds
      const current = (await describe1(TEST, 'payment-processor')).taskDefinition!;
      const td = (await describeTd(current)).taskDefinition!;
      const hotfix = 'registry.example/payment-processor:2.13.1-hotfix';
      const registered = await moto.client().send(
        new RegisterTaskDefinitionCommand({ family: td.family!, containerDefinitions: td.containerDefinitions!.map((c) => (c.name === 'app' ? { ...c, image: hotfix } : c)), cpu: td.cpu!, memory: td.memory!, networkMode: td.networkMode!, requiresCompatibilities: td.requiresCompatibilities! }),
      );
      const arn = registered.taskDefinition!.taskDefinitionArn!;
      await register(1, 9, true);
      await moto.client().send(new UpdateServiceCommand({ cluster: TEST, service: 'payment-processor', taskDefinition: arn, desiredCount: 5 }));
      const unknown = 'someone else (ECS does not record who)';
      const object = `services ${TEST}/payment-processor`;
      expect((await poller.poll()).filter(isOtherWriter)).toEqual([
        { app: 'payment-processor', object, field: 'desiredCount', from: 4, to: 5, manager: unknown },
        { app: 'payment-processor', object, field: 'taskDefinition', from: current.split('/').pop(), to: arn.split('/').pop(), manager: unknown },
        { app: 'payment-processor', object, field: 'image[app]', from: '000000000000.dkr.ecr.eu-central-1.amazonaws.com/payment-processor:2.13.0', to: hotfix, manager: unknown },
        { app: 'payment-processor', object, field: 'autoscaling.maxCapacity', from: 6, to: 9, manager: unknown },
        { app: 'payment-processor', object, field: 'autoscaling.suspended', from: 'none', to: 'scale-in, scale-out, scheduled', manager: unknown },
      ]);
      expect(await poller.poll()).toEqual([]);
    } finally {
      await aas.send(new DeregisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: resource })).catch(() => undefined);
      aas.destroy();
    }
  });
});
