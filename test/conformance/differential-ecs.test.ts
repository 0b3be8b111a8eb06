import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { shopEcsSeed, startEcsServer, type EcsServer } from '../../electron/sandbox/ecs/index.ts';
import { ISO_TIME, formatDifferences, judge, normalise, staleRules, type CaseResult, type Deliberate, type DiffCase } from './differential.ts';
import { MOTO_REGION, seedMoto, startMoto, taskDefinitionInput, type Moto } from './moto.ts';

/**
 * The sandbox's ECS endpoint against moto: the requests Conductor's ECS adapter makes and those the
 * aws CLI makes in the peer tests, sent raw to both (each seeded with the sandbox shop), the
 * answers compared field by field after normalising what is per-server (account, revisions, ids,
 * times). Where moto and the sandbox disagree, the AWS API reference decides: the sandbox is fixed
 * when it is wrong; a moto simplification is listed as deliberate with the reason.
 */

const TARGET = 'AmazonEC2ContainerServiceV20141113';
let sandbox: EcsServer;
let moto: Moto;

interface Answer {
  status: number;
  body: unknown;
}

async function ecs(url: string, op: string, body: unknown): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET}.${op}`,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDDIFFERENTIAL000/20261130/${MOTO_REGION}/ecs/aws4_request, SignedHeaders=content-type;host;x-amz-target, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, body: parsed };
}

const norm = (v: unknown) =>
  normalise(v, {
    placeholders: ['createdAt', 'updatedAt', 'registeredAt', 'id', 'revision'],
    time: ISO_TIME,
    rewrite: [
      [/arn:aws:(ecs|iam):([a-z0-9-]*):\d{12}:/g, 'arn:aws:$1:$2:<account>:'],
      [/^\d{12}\.dkr\.ecr/, '<account>.dkr.ecr'],
      [/(task-definition\/[\w-]+):\d+/g, '$1:<rev>'],
      [/ecs-svc\/\d+/g, 'ecs-svc/<id>'],
    ],
  });

/** one call's status and normalised body */
const call = (op: string, body: unknown) => async (url: string) => {
  const a = await ecs(url, op, body);
  return { status: a.status, body: norm(a.body) };
};

/** the task definition a service of the test cluster runs, on this server */
async function tdOf(url: string, service: string): Promise<string> {
  const a = await ecs(url, 'DescribeServices', { cluster: 'payments-loadtest', services: [service] });
  return (a.body as { services: { taskDefinition: string }[] }).services[0]!.taskDefinition;
}

/** deliberate differences: what moto does not model or models differently from AWS (the sandbox follows the AWS API reference) */
const omits = (fields: string): Deliberate => ({ path: new RegExp(`(^|\\.)(${fields})$`), why: 'moto leaves it out; AWS returns it, and so does the sandbox' });
const MESSAGE: Deliberate = { path: /^body\.Message$/, why: 'moto adds a capitalised "Message" beside "message"; AWS JSON errors carry "message" only' };
const FROZEN_DEPLOYMENT: Deliberate = {
  path: /deployments\[0\]\.(desiredCount|runningCount|pendingCount)$/,
  why: 'moto never updates a deployment: it keeps the counts it was created with (0, see moto.ts); AWS and the sandbox track the tasks',
};
const SERVICE: Deliberate[] = [
  { path: /deployments\[0\]\.platformFamily$/, why: 'moto reports the launch type (FARGATE) as the platform family; AWS reports the OS family (Linux), as the sandbox does' },
  omits('createdAt|createdBy|deploymentConfiguration|enableECSManagedTags|enableExecuteCommand|placementConstraints|placementStrategy|platformFamily|platformVersion'),
  { path: /networkConfiguration(\.awsvpcConfiguration)?$/, why: 'the seeder creates moto services without a network configuration (moto checks subnets against its own EC2)' },
  { path: /\.events(\[\d+\])?$/, why: 'moto records no service events; AWS and the sandbox do ("has reached a steady state")' },
  { path: /\.taskSets$/, why: 'moto lists an empty taskSets for a service with the ECS deployment controller; AWS leaves it out' },
  FROZEN_DEPLOYMENT,
];
const TASK_DEFINITION: Deliberate[] = [
  omits('registeredAt|registeredBy|requiresAttributes'),
  { path: /portMappings\[\d+\]\.hostPort$/, why: 'in awsvpc mode AWS sets hostPort to the containerPort, as the sandbox does; moto leaves it out' },
];

const UPDATE: Deliberate[] = [
  ...SERVICE,
  { path: /^body\.service\.(runningCount|pendingCount)$/, why: 'moto sets runningCount to the new desiredCount at once; AWS (and the sandbox) start and stop the tasks over time' },
  { path: /^body\.service\.tags$/, why: 'moto answers with tags nobody asked for; AWS returns them only with include TAGS' },
];

const cases: DiffCase<string>[] = [
  { name: 'ListClusters', run: call('ListClusters', {}) },
  {
    name: 'DescribeClusters (one known, one unknown)',
    run: call('DescribeClusters', { clusters: ['payments-loadtest', 'payments-nowhere'] }),
    deliberate: [omits('capacityProviders|defaultCapacityProviderStrategy|statistics|tags'), { path: /activeServicesCount$/, why: "moto does not count a cluster's services; AWS does, and so does the sandbox" }],
  },
  {
    name: 'ListServices (in any order: AWS does not specify one)',
    run: async (url) => {
      const a = await ecs(url, 'ListServices', { cluster: 'payments-loadtest' });
      return { status: a.status, arns: norm(((a.body as { serviceArns: string[] }).serviceArns ?? []).sort()) };
    },
  },
  {
    name: 'ListServices, one per page (the CLI follows nextToken)',
    run: async (url) => {
      const first = await ecs(url, 'ListServices', { cluster: 'payments-loadtest', maxResults: 1 });
      const token = (first.body as { nextToken?: string }).nextToken;
      const second = token ? await ecs(url, 'ListServices', { cluster: 'payments-loadtest', maxResults: 1, nextToken: token }) : undefined;
      const arns = [first, second].flatMap((a) => ((a?.body as { serviceArns?: string[] } | undefined)?.serviceArns ?? []) as string[]);
      return { firstPage: (first.body as { serviceArns: string[] }).serviceArns.length, hasToken: typeof token === 'string', all: norm(arns.sort()) };
    },
    deliberate: [{ path: /^(firstPage|hasToken)$/, why: 'moto ignores maxResults and never pages; AWS pages with nextToken, as the sandbox does (the aws CLI peer test follows it)' }],
  },
  {
    name: 'DescribeServices (known and missing)',
    run: call('DescribeServices', { cluster: 'payments-loadtest', services: ['payment-processor', 'ghost'] }),
    deliberate: [...SERVICE, { path: /^body\.failures\[0\]\.arn$/, why: "moto names a missing service by the short ARN (service/NAME); the sandbox uses the long form its services' ARNs have (service/CLUSTER/NAME)" }],
  },
  { name: 'DescribeServices on an unknown cluster', run: call('DescribeServices', { cluster: 'payments-nowhere', services: ['x'] }), deliberate: [MESSAGE] },
  {
    name: 'DescribeTaskDefinition with TAGS',
    run: async (url) => call('DescribeTaskDefinition', { taskDefinition: await tdOf(url, 'payment-processor'), include: ['TAGS'] })(url),
    deliberate: TASK_DEFINITION,
  },
  { name: 'DescribeTaskDefinition of an unknown family', run: call('DescribeTaskDefinition', { taskDefinition: 'no-such-family:1' }), deliberate: [MESSAGE] },
  {
    name: 'RegisterTaskDefinition (a derived revision)',
    run: call('RegisterTaskDefinition', taskDefinitionInput({ ...shopEcsSeed().clusters[1]!.services[1]!.taskDefinition, containers: [{ name: 'app', image: 'registry.example/notifications:2.0.0', cpu: 512, memory: 512 }] })),
    deliberate: [...TASK_DEFINITION, { path: /^body\.tags$/, why: 'AWS answers RegisterTaskDefinition with the tags (an empty list here), as the sandbox does; moto leaves them out' }],
  },
  {
    name: 'UpdateService desiredCount',
    run: call('UpdateService', { cluster: 'payments-loadtest', service: 'notifications', desiredCount: 2 }),
    deliberate: UPDATE,
  },
  {
    name: 'UpdateService back to the exact previous task definition ARN and count',
    run: async (url) => call('UpdateService', { cluster: 'payments-loadtest', service: 'notifications', taskDefinition: await tdOf(url, 'notifications'), desiredCount: 1 })(url),
    deliberate: UPDATE,
  },
  { name: 'UpdateService of an unknown service', run: call('UpdateService', { cluster: 'payments-loadtest', service: 'ghost', desiredCount: 1 }), deliberate: [MESSAGE] },
  { name: 'UpdateService on an unknown cluster', run: call('UpdateService', { cluster: 'payments-nowhere', service: 'x', desiredCount: 1 }), deliberate: [MESSAGE] },
  {
    name: 'an unknown operation',
    run: call('NoSuchOperation', {}),
    deliberate: [{ path: /^(status|body)$/, why: 'moto answers an unknown operation with HTTP 500 and an HTML page; AWS answers 400 UnknownOperationException, as the sandbox does' }],
  },
];

const results: CaseResult[] = [];
const used = new Set<Deliberate>();

beforeAll(async () => {
  sandbox = await startEcsServer({ clock: new ScaledClock(1000) });
  moto = await startMoto();
  await seedMoto(moto.client(), shopEcsSeed());
});

afterAll(async () => {
  await sandbox?.close();
  await moto?.stop();
  const deliberate = results.reduce((n, r) => n + r.deliberate.length, 0);
  console.log(`differential ECS: ${results.length} cases, ${deliberate} deliberate differences`);
});

describe('the sandbox ECS endpoint against moto, field by field', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const [s, m] = [await c.run(sandbox.url), await c.run(moto.url)];
      const r = judge(c, s, m, used);
      results.push(r);
      expect(r.unexpected, `differences (sandbox vs moto):\n${formatDifferences(r.unexpected)}`).toEqual([]);
    });
  }

  it('every difference listed as deliberate still shows', () => {
    expect(results).toHaveLength(cases.length);
    expect(staleRules(cases, used)).toEqual([]);
  });
});

