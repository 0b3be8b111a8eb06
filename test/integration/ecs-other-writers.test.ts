import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import { startKit, type Kit } from './realities-kit.ts';

/**
 * Someone else changes the test ECS services mid-run, through the real AWS SDK as any other
 * writer would: a hotfix deployed on a new task definition, a desired count set by hand, the
 * scalable target's bounds changed. The run reports each field with its old and new value (ECS
 * records no author: the deployment the change started, else "someone else"), and restore leaves
 * what they changed while putting back everything only the run wrote.
 */
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const CREDENTIALS = { accessKeyId: 'AKIDOTHERWRITER00000', secretAccessKey: 'another-writer' };
const HOTFIX = '000000000000.dkr.ecr.eu-central-1.amazonaws.com/payment-processor:2.14.2-hotfix';

/** another writer's clients on the sandbox's ECS endpoint */
function otherWriter(k: Kit) {
  const cfg = { region: k.sandbox.region, endpoint: k.sandbox.endpoints.ecs, credentials: CREDENTIALS, maxAttempts: 1 };
  const ecs = new ECSClient(cfg);
  const aas = new ApplicationAutoScalingClient(cfg);
  const cluster = k.sandbox.clusters.test;
  return {
    cluster,
    /** the service's current task definition again, with one container's image changed, deployed */
    async deployImage(service: string, container: string, image: string): Promise<void> {
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
      const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }))).taskDefinition!;
      const input: RegisterTaskDefinitionCommandInput = {
        family: td.family!,
        containerDefinitions: td.containerDefinitions!.map((c) => (c.name === container ? { ...c, image } : c)),
        ...(td.cpu ? { cpu: td.cpu } : {}),
        ...(td.memory ? { memory: td.memory } : {}),
        ...(td.networkMode ? { networkMode: td.networkMode } : {}),
        ...(td.executionRoleArn ? { executionRoleArn: td.executionRoleArn } : {}),
        ...(td.taskRoleArn ? { taskRoleArn: td.taskRoleArn } : {}),
        ...(td.requiresCompatibilities ? { requiresCompatibilities: td.requiresCompatibilities } : {}),
      };
      const arn = (await ecs.send(new RegisterTaskDefinitionCommand(input))).taskDefinition!.taskDefinitionArn!;
      await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: arn }));
    },
    async setCount(service: string, desiredCount: number): Promise<void> {
      await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount }));
    },
    async setBounds(service: string, minCapacity: number, maxCapacity: number): Promise<void> {
      await aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceId: `service/${cluster}/${service}`, MinCapacity: minCapacity, MaxCapacity: maxCapacity }));
    },
    close(): void {
      ecs.destroy();
      aas.destroy();
    },
  };
}

describe('another writer on the test ECS services mid-run', () => {
  it('is reported field by field; restore leaves what they changed and puts back the rest', async () => {
    kit = await startKit({ apps: ['payment-processor', 'notifications'], sandbox: { timeScale: 60 } });
    const them = otherWriter(kit);
    let theirs: Promise<void> | undefined;
    try {
      const r = await kit.run({
        onEvent: (e) => {
          if (!theirs && e.type === 'sample' && e.sample.phase === 'ramp') {
            theirs = (async () => {
              await them.deployImage('payment-processor', 'app', HOTFIX);
              await them.setBounds('payment-processor', 1, 8);
              await them.setCount('notifications', 5);
            })();
          }
        },
      });
      await theirs;
      expect(r.verdict.status, r.verdict.reasons.join('; ')).toBe('passed');
      const changes = (r.report.status.otherWriters ?? []).map(({ t: _t, ...c }) => c);
      const pp = `services ${them.cluster}/payment-processor`;
      expect(changes).toEqual(
        expect.arrayContaining([
          { app: 'payment-processor', object: pp, field: 'taskDefinition', from: 'payment-processor-loadtest:9', to: 'payment-processor-loadtest:10', manager: expect.stringMatching(/^someone else \(ECS does not record who\): deployment ecs-svc\/\d+ created \d{4}-/) },
          { app: 'payment-processor', object: pp, field: 'image[app]', from: '000000000000.dkr.ecr.eu-central-1.amazonaws.com/payment-processor:2.14.1', to: HOTFIX, manager: expect.stringMatching(/^someone else \(ECS does not record who\): deployment ecs-svc\//) },
          { app: 'payment-processor', object: pp, field: 'autoscaling.maxCapacity', from: 6, to: 8, manager: 'someone else (ECS does not record who)' },
          { app: 'notifications', object: `services ${them.cluster}/notifications`, field: 'desiredCount', from: 3, to: 5, manager: 'someone else (ECS does not record who)' },
        ]),
      );
      // nothing else: the run's own scaling and the autoscaler it held are not other writers
      expect(changes).toHaveLength(4);
      expect(r.status.flags).toEqual(expect.arrayContaining([expect.stringMatching(/^test environment changed by someone else: notifications desiredCount 3 → 5 \(by someone else \(ECS does not record who\), services payments-loadtest\/notifications\)$/)]));

      // restore, compare-and-set: their task definition, bounds and count stay; what only the run wrote goes back
      const store = kit.sandbox.ecs.store;
      expect(store.peekService(them.cluster, 'payment-processor')!.taskDefinition).toMatch(/payment-processor-loadtest:10$/);
      expect(store.peekService(them.cluster, 'payment-processor')!.desiredCount).toBe(2);
      expect(store.peekService(them.cluster, 'notifications')!.desiredCount).toBe(5);
      expect(store.peekService(them.cluster, 'notifications')!.taskDefinition).toMatch(/notifications-loadtest:5$/);
      const target = (kit.sandbox.ecs.autoscaling.describeScalableTargets({ ServiceNamespace: 'ecs', ResourceIds: [`service/${them.cluster}/payment-processor`] }).ScalableTargets as Record<string, unknown>[])[0];
      expect(target).toMatchObject({ MinCapacity: 1, MaxCapacity: 8 });
      expect(r.status.flags).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^restore left payment-processor taskDefinition as someone else set it during the run: arn:aws:ecs:.*payment-processor-loadtest:10 \(the run wrote arn:aws:ecs:.*payment-processor-loadtest:9\)$/),
          'restore left notifications desiredCount as someone else set it during the run: 5 (the run wrote 3)',
          expect.stringMatching(/^restore left payment-processor autoscaling as someone else set it during the run/),
        ]),
      );
      expect(kit.sandbox.productionMutatingRequests()).toBe(0);
    } finally {
      them.close();
    }
  });

  it('with guards.otherWriters: abort, a changed desired count aborts the run, which restores what it wrote', async () => {
    kit = await startKit({ apps: ['payment-processor', 'notifications'], sandbox: { timeScale: 60 }, edit: (t) => t.replace('    maxErrorRate: 0.05\n', '    maxErrorRate: 0.05\n    otherWriters: abort\n') });
    const them = otherWriter(kit);
    let theirs: Promise<void> | undefined;
    try {
      const r = await kit.run({
        onEvent: (e) => {
          if (!theirs && e.type === 'sample' && e.sample.phase === 'ramp') theirs = them.setCount('notifications', 4);
        },
      });
      await theirs;
      expect(r.verdict.status).toBe('failed'); // a guard's abort fails the run
      expect(r.verdict.reasons.join(' ')).toMatch(/changed by someone else: notifications desiredCount 3 → 4 \(by someone else \(ECS does not record who\)/);
      const store = kit.sandbox.ecs.store;
      expect(store.peekService(them.cluster, 'notifications')!.desiredCount).toBe(4);
      expect(store.peekService(them.cluster, 'payment-processor')!.desiredCount).toBe(2);
      expect(store.peekService(them.cluster, 'payment-processor')!.taskDefinition).toMatch(/payment-processor-loadtest:8$/);
    } finally {
      them.close();
    }
  });
});
