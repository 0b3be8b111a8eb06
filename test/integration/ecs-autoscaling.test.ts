import { afterEach, describe, expect, it } from 'vitest';
import { readParity } from '../../electron/core/rules/parity.ts';
import { startKit, type Kit } from './realities-kit.ts';

/**
 * An ECS service under Application Auto Scaling (the sandbox's payment-processor: 1–3 tasks in
 * test, its policy wanting 2): a run holds production's 6 tasks for the whole load, and restore
 * puts back the exact bounds and suspension it found.
 */
let kit: Kit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});

const RESOURCE = 'service/payments-loadtest/payment-processor';

describe('ECS Application Auto Scaling', () => {
  it('parity shows each side’s scalable target', async () => {
    kit = await startKit({ apps: ['payment-processor'] });
    const report = await readParity(kit.spec, kit.env.substrates);
    const rows = Object.fromEntries(report.rows.filter((r) => r.field.startsWith('autoscaling.')).map((r) => [r.field, [r.production, r.test, r.status]]));
    expect(rows).toEqual({
      'autoscaling.minCapacity': [4, 1, 'drift'],
      'autoscaling.maxCapacity': [12, 3, 'drift'],
      'autoscaling.suspended': ['none', 'none', 'in-parity'],
    });
  });

  it("a run holds production's count through the load; the previous min/max/suspension come back", async () => {
    kit = await startKit({ apps: ['payment-processor'] });
    const { sandbox } = kit;
    const counts: number[] = [];
    const r = await kit.run({
      onEvent: (e) => {
        if (e.type === 'sample') counts.push(sandbox.ecs.store.peekService(sandbox.clusters.test, 'payment-processor')!.desiredCount);
      },
    });
    expect(r.verdict.status, r.verdict.reasons.join('; ')).toBe('passed');
    // the load lasted several policy evaluations (60 s each) and the count never moved
    expect(counts.length).toBeGreaterThan(10);
    expect(new Set(counts)).toEqual(new Set([6]));
    expect(sandbox.ecs.autoscaling.activities.filter((a) => a.resourceId === RESOURCE)).toEqual([]);
    const target = (sandbox.ecs.autoscaling.describeScalableTargets({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE] }).ScalableTargets as Record<string, unknown>[])[0];
    expect(target).toMatchObject({ MinCapacity: 1, MaxCapacity: 3, SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false } });
    expect(sandbox.ecs.store.peekService(sandbox.clusters.test, 'payment-processor')!.desiredCount).toBe(2);
    expect(sandbox.productionMutatingRequests()).toBe(0);
  });

  it('without the hold, the sandbox’s policy pulls a written count back (what the run guards against)', async () => {
    kit = await startKit({ apps: ['payment-processor'] });
    const { sandbox, env } = kit;
    const ref = { app: 'payment-processor', service: 'payment-processor' };
    // widened but not suspended: the policy still scales in to what it wants
    await env.substrates.test.ecs!.apply(ref, { desiredCount: 6, autoscaling: { minCapacity: 1, maxCapacity: 6, suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false } } });
    await sandbox.clock.sleep(61_000);
    expect(sandbox.ecs.store.peekService(sandbox.clusters.test, 'payment-processor')!.desiredCount).toBe(2);
    expect(sandbox.ecs.autoscaling.activities.filter((a) => a.resourceId === RESOURCE)).toEqual([expect.objectContaining({ from: 6, to: 2 })]);
  });
});
