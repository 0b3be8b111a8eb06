import type { Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { resolveEcsCredentials } from '../../../../electron/substrates/ecs/client.ts';
import { DesiredStateMismatch, deriveTaskDefinition, isSteady, toEcsAppState } from '../../../../electron/substrates/ecs/mapping.ts';

const td: TaskDefinition = {
  taskDefinitionArn: 'arn:aws:ecs:eu-central-1:1:task-definition/web:3',
  family: 'web',
  revision: 3,
  status: 'ACTIVE',
  cpu: '256',
  memory: '512',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  compatibilities: ['EC2', 'FARGATE'],
  requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
  executionRoleArn: 'arn:aws:iam::1:role/exec',
  taskRoleArn: 'arn:aws:iam::1:role/task',
  registeredAt: new Date(0),
  registeredBy: 'someone',
  volumes: [{ name: 'scratch' }],
  containerDefinitions: [
    { name: 'app', image: 'web:1', cpu: 128, memory: 256, environment: [{ name: 'A', value: 'b' }] },
    { name: 'log', image: 'fluent:1', memoryReservation: 64 },
  ],
};

describe('deriveTaskDefinition', () => {
  it('copies every registerable field, drops read-only ones, and applies desired images and sizes', () => {
    const { input, changed } = deriveTaskDefinition(td, [{ key: 'team', value: 'pay' }], { images: { app: 'web:2' }, taskCpu: '512', taskMemory: '1024', containerSizes: { app: { memory: 512 } } });
    expect(changed).toBe(true);
    expect(input).toEqual({
      family: 'web',
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::1:role/exec',
      taskRoleArn: 'arn:aws:iam::1:role/task',
      volumes: [{ name: 'scratch' }],
      tags: [{ key: 'team', value: 'pay' }],
      containerDefinitions: [
        { name: 'app', image: 'web:2', cpu: 128, memory: 512, environment: [{ name: 'A', value: 'b' }] },
        { name: 'log', image: 'fluent:1', memoryReservation: 64 },
      ],
    });
    // the source is untouched
    expect(td.containerDefinitions![0]!.image).toBe('web:1');
  });

  it('reports no change when the desired state is already there', () => {
    expect(deriveTaskDefinition(td, undefined, { images: { app: 'web:1' }, taskCpu: '256', desiredCount: 9 }).changed).toBe(false);
  });

  it('rejects a container the task definition does not have', () => {
    expect(() => deriveTaskDefinition(td, undefined, { images: { sidecar: 'x' } })).toThrow(DesiredStateMismatch);
    expect(() => deriveTaskDefinition(td, undefined, { containerSizes: { sidecar: { cpu: 1 } } })).toThrow(/container sidecar is not in task definition web:3 \(containers: app, log\)/);
  });
});

describe('service state', () => {
  const svc = (over: Partial<Service>): Service => ({
    serviceName: 'web',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    taskDefinition: 'arn:new',
    deployments: [{ status: 'PRIMARY', taskDefinition: 'arn:new', desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED' }],
    ...over,
  });

  it('is steady only with one completed primary deployment and running == desired', () => {
    expect(isSteady(svc({}))).toBe(true);
    expect(isSteady(svc({ runningCount: 1 }))).toBe(false);
    expect(isSteady(svc({ deployments: [{ status: 'PRIMARY', desiredCount: 2, runningCount: 2, rolloutState: 'IN_PROGRESS' }] }))).toBe(false);
    expect(isSteady(svc({ deployments: [{ status: 'PRIMARY', desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED' }, { status: 'ACTIVE', desiredCount: 0, runningCount: 1 }] }))).toBe(false);
    expect(isSteady(svc({ deployments: [] }))).toBe(false);
  });

  it("takes the task definition the service names, else its primary deployment's", () => {
    const noName = svc({ deployments: [{ status: 'PRIMARY', taskDefinition: 'arn:primary', desiredCount: 2, runningCount: 2 }] });
    delete noName.taskDefinition;
    expect(toEcsAppState('c', noName, td).taskDefinitionArn).toBe('arn:primary');
    // moto keeps a service's first deployment whatever UpdateService sets; the service's own field is current
    const state = toEcsAppState('c', svc({ taskDefinition: 'arn:new', deployments: [{ status: 'PRIMARY', taskDefinition: 'arn:old', desiredCount: 2, runningCount: 2 }] }), td);
    expect(state.taskDefinitionArn).toBe('arn:new');
    expect(state.containers).toEqual([
      { name: 'app', image: 'web:1', cpu: 128, memory: 256 },
      { name: 'log', image: 'fluent:1', memoryReservation: 64 },
    ]);
  });
});

describe('credentials', () => {
  it('uses static dummy credentials only for a loopback endpoint with nothing configured', async () => {
    const dummy = resolveEcsCredentials({ endpoint: 'http://127.0.0.1:14566' }, {});
    expect(typeof dummy).toBe('object');
    expect(dummy).toMatchObject({ accessKeyId: expect.any(String) });
    // anything configured, or a non-loopback endpoint, or a profile → a provider function
    expect(typeof resolveEcsCredentials({ endpoint: 'http://127.0.0.1:14566' }, { AWS_ACCESS_KEY_ID: 'x' })).toBe('function');
    expect(typeof resolveEcsCredentials({ endpoint: 'https://ecs.eu-central-1.amazonaws.com' }, {})).toBe('function');
    expect(typeof resolveEcsCredentials({ profile: 'loadtest-sso', endpoint: 'http://127.0.0.1:1' }, {})).toBe('function');
    expect(typeof resolveEcsCredentials({}, {})).toBe('function');
  });
});
