import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/clocks.ts';
import { ECS_TARGET_PREFIX, generatedEcsSeed, startEcsServer, type EcsServer } from '../../electron/sandbox/ecs/index.ts';

/** The sandbox ECS endpoint on the wire: raw JSON 1.1 requests, as any client would send them. */

const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 0, 0));
let srv: EcsServer;

interface Answer {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

async function call(op: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(srv.url + '/', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': ECS_TARGET_PREFIX + op,
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-central-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

type Json = Record<string, unknown>;
const services = (a: Answer) => a.body.services as Json[];
const deployments = (s: Json) => s.deployments as Json[];

beforeAll(async () => {
  srv = await startEcsServer({ clock, productionClusters: ['payments-prod'] });
});
afterEach(() => srv.faults.clear());
afterAll(async () => {
  // production is never written to by anything in this file
  expect(srv.mutatingRequests('payments-prod')).toBe(0);
  expect(srv.productionMutatingRequests()).toBe(0);
  await srv.close();
});

describe('sandbox ECS endpoint: reads', () => {
  it('lists and describes both clusters of the one account and region', async () => {
    const list = await call('ListClusters', {});
    expect(list.status).toBe(200);
    expect(list.contentType).toBe('application/x-amz-json-1.1');
    expect(list.body.clusterArns).toEqual(['arn:aws:ecs:eu-central-1:000000000000:cluster/payments-prod', 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-loadtest']);

    const described = await call('DescribeClusters', { clusters: ['payments-loadtest', 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-prod', 'nope'] });
    const clusters = described.body.clusters as Json[];
    expect(clusters.map((c) => c.clusterName)).toEqual(['payments-loadtest', 'payments-prod']);
    expect(clusters[1]).toMatchObject({ status: 'ACTIVE', activeServicesCount: 2, runningTasksCount: 9 });
    expect(described.body.failures).toEqual([{ arn: 'arn:aws:ecs:eu-central-1:000000000000:cluster/nope', reason: 'MISSING' }]);
  });

  it('describes services with failures MISSING for unknown ones, and the production shape', async () => {
    const a = await call('DescribeServices', { cluster: 'payments-prod', services: ['payment-processor', 'ghost'] });
    expect(a.status).toBe(200);
    const [svc] = services(a);
    expect(svc).toMatchObject({
      serviceArn: 'arn:aws:ecs:eu-central-1:000000000000:service/payments-prod/payment-processor',
      serviceName: 'payment-processor',
      clusterArn: 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-prod',
      status: 'ACTIVE',
      desiredCount: 6,
      runningCount: 6,
      pendingCount: 0,
      launchType: 'FARGATE',
      taskDefinition: 'arn:aws:ecs:eu-central-1:000000000000:task-definition/payment-processor:42',
    });
    expect(typeof svc!.createdAt).toBe('number'); // epoch seconds, as JSON 1.1 timestamps are
    expect(deployments(svc!)).toHaveLength(1);
    expect(deployments(svc!)[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', desiredCount: 6, runningCount: 6 });
    expect(a.body.failures).toEqual([{ arn: 'arn:aws:ecs:eu-central-1:000000000000:service/payments-prod/ghost', reason: 'MISSING' }]);
  });

  it('answers AWS errors: unknown cluster, more than 10 services, unknown operation, bad JSON, missing target', async () => {
    const noCluster = await call('DescribeServices', { cluster: 'nope', services: ['x'] });
    expect(noCluster).toMatchObject({ status: 400, body: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' } });
    const tooMany = await call('DescribeServices', { cluster: 'payments-prod', services: Array.from({ length: 11 }, (_, i) => `s${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.__type).toBe('InvalidParameterException');
    expect((await call('ListServices', { cluster: 'nope' })).body.__type).toBe('ClusterNotFoundException');
    expect((await call('CreateCapacityProvider', {})).body.__type).toBe('UnknownOperationException');
    expect((await call('ListClusters', '{not json')).body.__type).toBe('SerializationException');
    const noTarget = await fetch(srv.url + '/', { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(noTarget.status).toBe(400);
    expect(((await noTarget.json()) as Json).__type).toBe('UnknownOperationException');
    const td = await call('DescribeTaskDefinition', { taskDefinition: 'no-such-family:1' });
    expect(td).toMatchObject({ status: 400, body: { __type: 'ClientException' } });
  });

  it('resolves task definitions by family, family:revision and ARN, without leaking write-only fields', async () => {
    const byFamily = await call('DescribeTaskDefinition', { taskDefinition: 'payment-processor' });
    const td = byFamily.body.taskDefinition as Json;
    expect(td).toMatchObject({
      taskDefinitionArn: 'arn:aws:ecs:eu-central-1:000000000000:task-definition/payment-processor:42',
      family: 'payment-processor',
      revision: 42,
      status: 'ACTIVE',
      cpu: '1024',
      memory: '2048',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      compatibilities: ['EC2', 'FARGATE'],
    });
    const byArn = await call('DescribeTaskDefinition', { taskDefinition: td.taskDefinitionArn });
    expect((byArn.body.taskDefinition as Json).revision).toBe(42);
    const byRev = await call('DescribeTaskDefinition', { taskDefinition: 'payment-processor:42', include: ['TAGS'] });
    expect(byRev.body.tags).toEqual([]);
  });

  it('paginates ListServices with maxResults and nextToken', async () => {
    const big = await startEcsServer({ clock, seed: generatedEcsSeed(25) });
    try {
      const arns: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await fetch(big.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': ECS_TARGET_PREFIX + 'ListServices' },
          body: JSON.stringify({ cluster: 'payments-loadtest', ...(token ? { nextToken: token } : {}) }),
        });
        const body = (await res.json()) as { serviceArns: string[]; nextToken?: string };
        arns.push(...body.serviceArns);
        token = body.nextToken;
        pages += 1;
      } while (token && pages < 10);
      expect(pages).toBe(3); // default page size 10
      expect(new Set(arns).size).toBe(25);
      const page = await fetch(big.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': ECS_TARGET_PREFIX + 'ListServices' },
        body: JSON.stringify({ cluster: 'payments-loadtest', maxResults: 100 }),
      });
      const all = (await page.json()) as { serviceArns: string[]; nextToken?: string };
      expect(all.serviceArns).toHaveLength(25);
      expect(all.nextToken).toBeUndefined();
    } finally {
      await big.close();
    }
  });
});

describe('sandbox ECS endpoint: writes and deployments over time', () => {
  it('registers revisions that increment per family and rejects invalid definitions', async () => {
    const base = (await call('DescribeTaskDefinition', { taskDefinition: 'notifications-loadtest' })).body.taskDefinition as Json;
    expect(base.revision).toBe(5);
    const reg = await call('RegisterTaskDefinition', { family: 'notifications-loadtest', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024', containerDefinitions: base.containerDefinitions });
    expect(reg.status).toBe(200);
    expect((reg.body.taskDefinition as Json).taskDefinitionArn).toBe('arn:aws:ecs:eu-central-1:000000000000:task-definition/notifications-loadtest:6');
    const again = await call('RegisterTaskDefinition', { family: 'notifications-loadtest', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024', containerDefinitions: base.containerDefinitions });
    expect((again.body.taskDefinition as Json).revision).toBe(7);
    const fresh = await call('RegisterTaskDefinition', { family: 'brand-new', containerDefinitions: [{ name: 'a', image: 'x:1', memory: 128 }] });
    expect((fresh.body.taskDefinition as Json).taskDefinitionArn).toBe('arn:aws:ecs:eu-central-1:000000000000:task-definition/brand-new:1');

    const fargateNoCpu = await call('RegisterTaskDefinition', { family: 'bad', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], memory: '512', containerDefinitions: [{ name: 'a', image: 'x' }] });
    expect(fargateNoCpu.body).toMatchObject({ __type: 'ClientException' });
    expect(String(fargateNoCpu.body.message)).toContain('cpu');
    const noImage = await call('RegisterTaskDefinition', { family: 'bad', containerDefinitions: [{ name: 'a', memory: 128 }] });
    expect(noImage.body.__type).toBe('ClientException');
  });

  it('UpdateService with a new task definition creates a PRIMARY deployment; the old one drains and disappears over time', async () => {
    const reg = await call('RegisterTaskDefinition', {
      family: 'payment-processor-loadtest',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '1024',
      memory: '2048',
      containerDefinitions: [{ name: 'app', image: 'repo/payment-processor:2.14.1', memory: 1536 }],
    });
    const newArn = (reg.body.taskDefinition as Json).taskDefinitionArn as string;
    // the service's auto scaling would pull 4 tasks back to its policy's 2: hold it, as a conductor run does
    srv.autoscaling.registerScalableTarget({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: 'service/payments-loadtest/payment-processor', MaxCapacity: 4, SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true } });
    const up = await call('UpdateService', { cluster: 'payments-loadtest', service: 'payment-processor', taskDefinition: newArn, desiredCount: 4 });
    expect(up.status).toBe(200);
    const svc0 = up.body.service as Json;
    expect(svc0.taskDefinition).toBe(newArn);
    expect(deployments(svc0).map((d) => [d.status, d.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
    expect(deployments(svc0)[0]).toMatchObject({ taskDefinition: newArn, desiredCount: 4, runningCount: 0, pendingCount: 4 });
    expect(svc0).toMatchObject({ desiredCount: 4, runningCount: 2 });

    const describe = async () => services(await call('DescribeServices', { cluster: 'payments-loadtest', services: ['payment-processor'] }))[0]!;
    await clock.advance(35_000); // first new tasks are up
    const mid = await describe();
    expect(deployments(mid)).toHaveLength(2);
    expect(deployments(mid)[0]!.runningCount as number).toBeGreaterThan(0);
    expect(deployments(mid)[0]!.runningCount as number).toBeLessThan(4);

    await clock.advance(10_000); // all new tasks running; old ones draining
    const draining = await describe();
    expect(deployments(draining)[0]).toMatchObject({ runningCount: 4, rolloutState: 'IN_PROGRESS' });
    expect(deployments(draining)).toHaveLength(2);

    await clock.advance(60_000);
    const done = await describe();
    expect(deployments(done)).toHaveLength(1);
    expect(deployments(done)[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 4, desiredCount: 4 });
    expect(done).toMatchObject({ runningCount: 4, desiredCount: 4, pendingCount: 0 });
    expect(((done.events as Json[])[0]!.message as string)).toContain('deployment completed');
  });

  it('UpdateService with only a desired count scales the primary deployment in place', async () => {
    const up = await call('UpdateService', { cluster: 'payments-loadtest', service: 'notifications', desiredCount: 3 });
    const svc = up.body.service as Json;
    expect(deployments(svc)).toHaveLength(1);
    expect(svc).toMatchObject({ desiredCount: 3, runningCount: 1, pendingCount: 2 });
    await clock.advance(60_000);
    const after = services(await call('DescribeServices', { cluster: 'payments-loadtest', services: ['notifications'] }))[0]!;
    expect(after).toMatchObject({ desiredCount: 3, runningCount: 3, pendingCount: 0 });
  });

  it('rejects updates to unknown services and task definitions with the AWS exceptions', async () => {
    expect((await call('UpdateService', { cluster: 'payments-loadtest', service: 'ghost', desiredCount: 1 })).body.__type).toBe('ServiceNotFoundException');
    expect((await call('UpdateService', { cluster: 'ghost', service: 'notifications', desiredCount: 1 })).body.__type).toBe('ClusterNotFoundException');
    expect((await call('UpdateService', { cluster: 'payments-loadtest', service: 'notifications', taskDefinition: 'nope:3' })).body.__type).toBe('ClientException');
    expect((await call('UpdateService', { cluster: 'payments-loadtest', service: 'notifications', desiredCount: -1 })).body.__type).toBe('InvalidParameterException');
  });
});

describe('sandbox ECS endpoint: faults and the request log', () => {
  it('answers a 5xx burst with ServiceUnavailableException / ServerException bodies, then recovers', async () => {
    srv.faults.set({ fail5xx: 2, match: 'ListClusters' });
    const a = await call('DescribeClusters', { clusters: ['payments-prod'] });
    expect(a.status).toBe(200); // not matched
    const b = await call('ListClusters', {});
    const c = await call('ListClusters', {});
    const d = await call('ListClusters', {});
    expect([b.status, c.status, d.status]).toEqual([503, 500, 200]);
    expect(b.body.__type).toBe('ServiceUnavailableException');
    expect(c.body.__type).toBe('ServerException');
  });

  it('logs every request with its operation and counts mutating requests per cluster', async () => {
    const before = srv.log.total;
    const mutBefore = srv.mutatingRequests('payments-loadtest');
    await call('DescribeServices', { cluster: 'payments-prod', services: ['notifications'] });
    await call('UpdateService', { cluster: 'arn:aws:ecs:eu-central-1:000000000000:cluster/payments-loadtest', service: 'notifications', desiredCount: 3 });
    const added = srv.log.entries.slice(before);
    expect(added.map((e) => [e.operation, e.mutating, e.status])).toEqual([
      ['DescribeServices', false, 200],
      ['UpdateService', true, 200],
    ]);
    expect(srv.mutatingRequests('payments-loadtest')).toBe(mutBefore + 1);
    expect(srv.operationCounts().UpdateService).toBeGreaterThan(0);
  });
});
