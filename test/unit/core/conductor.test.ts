import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../electron/base/clock.ts';
import { VirtualClock } from '../../support/clocks.ts';
import { runLoadTest, startRun, type ConductorDeps } from '../../../electron/core/run/conductor.ts';
import { readJournal, listPendingRecoveries } from '../../../electron/core/run/journal.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import type { PhaseName, RunEvent } from '../../../shared/model/run.ts';
import { makeSpec, makeWorld, testState, type World } from './lifecycle-fakes.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-life-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function depsFor(w: World, clock: Clock): ConductorDeps {
  return { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir };
}

describe('the lifecycle', () => {
  it('deploys production versions and sizes, holds the target, restores the snapshot, and passes', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const before = testState(w);
    const events: RunEvent[] = [];
    const deployed: Record<string, unknown> = {};
    const r = await runLoadTest(makeSpec(), depsFor(w, clock), {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'phase' && e.phase === 'ramp' && e.state === 'running') {
          deployed.checkout = structuredClone(w.testK8s.apps.get('checkout'));
          deployed.payments = structuredClone(w.testEcs.apps.get('payments'));
        }
      },
    });
    expect(r.verdict.reasons).toEqual([]);
    expect(r.verdict.status).toBe('passed');
    expect(r.status.state).toBe('passed');
    // during the load the test app ran production's version and size (HPA too)
    expect(deployed.checkout).toMatchObject({ replicas: 6, containers: [{ image: 'reg/checkout:2.0', resources: { requests: { cpu: '1' } } }], hpa: { minReplicas: 6, maxReplicas: 20 } });
    expect(deployed.payments).toMatchObject({ desiredCount: 8, taskCpu: '1024', containers: [{ image: 'reg/payments:7.3' }] });
    // afterwards: exactly the snapshot; production never written
    expect(testState(w)).toEqual(before);
    expect(w.writes.filter((x) => x.side === 'production')).toEqual([]);
    // deploy + scale in one write per app, restore one write per app
    const forward = w.writes.filter((x) => x.side === 'test');
    expect(forward.filter((x) => x.app === 'checkout')).toHaveLength(2);
    // phases in order, each once
    const phases = r.status.phases.map((p) => `${p.phase}:${p.state}`);
    expect(phases).toEqual(['validate:done', 'snapshot:done', 'deploy:done', 'scale:done', 'ramp:done', 'plateau:done', 'restore:done', 'cleanup:skipped', 'verdict:done']);
    // samples were emitted for ramp and plateau; Locust stopped at the end
    expect(r.status.samples.some((s) => s.phase === 'ramp')).toBe(true);
    expect(r.status.samples.filter((s) => s.phase === 'plateau').length).toBeGreaterThan(5);
    expect(w.locust.calls.at(-1)?.op).toBe('stop');
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-ended');
    expect(events.some((e) => e.type === 'app-progress' && e.progress.state === 'rolling')).toBe(true);
    // the report is in the history and the parity before/after is recorded
    const stored = JSON.parse(await readFile(join(dataDir, 'runs', r.status.runId, 'report.json'), 'utf8'));
    expect(stored.verdict.status).toBe('passed');
    expect(stored.parityBefore.summary.drift).toBeGreaterThan(0);
    expect(r.report.parityAfter).not.toBeNull();
    // parity live during the run: after deploy and after scale, the test side as the run made it
    const during = events.flatMap((e) => (e.type === 'parity' && e.when === 'during' ? [e.report] : []));
    expect(during).toHaveLength(2);
    expect(during[0]!.summary).toMatchObject({ drift: 0, inParity: during[0]!.summary.apps });
    // the run's status names what it deployed and planned
    expect(r.status.load).toMatchObject({ targetOpm: makeSpec().spec.load.targetOrdersPerMinute });
    expect(events.find((e) => e.type === 'phase' && e.phase === 'ramp' && e.state === 'running')).toMatchObject({ t: r.status.phases.find((p) => p.phase === 'ramp')!.startedAt });
    // the journal ends cleanly: nothing pending
    const journal = await readJournal(dataDir, r.status.runId);
    expect(journal.at(-1)?.type).toBe('run-ended');
    expect(journal.filter((e) => e.type === 'write-intent')).toHaveLength(6);
    expect(await listPendingRecoveries(dataDir)).toEqual([]);
  });

  it('feature-branch mode: overrides deploy their image, productionVersions=false leaves the others at the test version', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    let during: string | undefined;
    let cartDuring: string | undefined;
    const { status } = await runLoadTest(
      makeSpec((s) => {
        s.spec.deploy = { productionVersions: false, overrides: { checkout: { image: 'reg/checkout:feature-x' } } };
        s.spec.scale = { matchProduction: false };
      }),
      depsFor(w, clock),
      {
        onEvent: (e) => {
          if (e.type === 'phase' && e.phase === 'ramp' && e.state === 'running') {
            during = w.testK8s.apps.get('checkout')!.containers[0]!.image;
            cartDuring = w.testK8s.apps.get('cart')!.containers[0]!.image;
          }
        },
      },
    );
    expect(during).toBe('reg/checkout:feature-x');
    expect(cartDuring).toBe('reg/cart:5.0');
    expect(status?.overrides).toMatchObject([{ app: 'checkout', image: 'reg/checkout:feature-x' }]);
    expect(w.writes.filter((x) => x.app === 'cart')).toEqual([]);
  });

  it('caps limit replicas, HPA bounds and resources', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    let during: unknown;
    await runLoadTest(
      makeSpec((s) => {
        s.spec.scale = { caps: { checkout: { maxReplicas: 3, maxCpu: '500m' }, payments: { maxDesiredCount: 2 } } };
      }),
      depsFor(w, clock),
      {
        onEvent: (e) => {
          if (e.type === 'phase' && e.phase === 'ramp' && e.state === 'running') during = { k: structuredClone(w.testK8s.apps.get('checkout')), e: w.testEcs.apps.get('payments')!.desiredCount };
        },
      },
    );
    expect(during).toMatchObject({ k: { replicas: 3, hpa: { minReplicas: 3, maxReplicas: 3 }, containers: [{ resources: { requests: { cpu: '500m', memory: '1Gi' } } }] }, e: 2 });
  });

  it('writes are bounded by deploy.concurrency while rollouts are awaited together', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    let inFlight = 0;
    let maxInFlight = 0;
    const apply = w.testK8s.apply.bind(w.testK8s);
    w.testK8s.apply = async (ref, desired) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await clock.sleep(5_000); // a slow API server: each write takes 5 s
      await apply(ref, desired);
      inFlight -= 1;
    };
    w.testK8s.rolloutMs = w.testEcs.rolloutMs = 300_000; // longer than three writes take
    const rolling = new Set<string>();
    let together = 0;
    await runLoadTest(makeSpec((s) => void (s.spec.deploy = { concurrency: 1 })), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type !== 'app-progress' || e.progress.phase !== 'deploy') return;
        if (e.progress.state === 'rolling') rolling.add(e.progress.app);
        else rolling.delete(e.progress.app);
        together = Math.max(together, rolling.size);
      },
    });
    expect(maxInFlight).toBe(1);
    expect(together).toBe(3);
  });

  it('an app missing in test is skipped and flagged, the others run', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    w.testK8s.apps.delete('cart');
    const r = await runLoadTest(makeSpec(), depsFor(w, clock));
    expect(r.verdict.status).toBe('passed');
    expect(r.status.flags.join('\n')).toMatch(/cart is missing in the test environment/);
    expect(r.status.apps.find((a) => a.app === 'cart')).toMatchObject({ state: 'skipped' });
    expect(w.writes.filter((x) => x.app === 'cart')).toEqual([]);
  });

  it('refuses to run when the test context points at production', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    (w.testK8s as { target: { context: string; server: string } }).target = { context: 'test-ctx', server: w.prodK8s.target.server };
    const r = await runLoadTest(makeSpec(), depsFor(w, clock));
    expect(r.verdict.status).toBe('error');
    expect(r.verdict.reasons[0]).toMatch(/points at production/);
    expect(w.writes).toEqual([]);
  });

  it('a rollout timeout ends in error, and every app is still restored', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const before = testState(w);
    w.testK8s.stuck.add('cart');
    const spec = makeSpec((s) => {
      s.spec.deploy = { rolloutTimeout: '2m' };
    });
    const r = startRun(spec, depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'restore' && e.state === 'running') w.testK8s.stuck.delete('cart');
      },
    });
    const res = await r.done;
    expect(res.verdict.status).toBe('error');
    expect(res.verdict.reasons.join()).toMatch(/cart: rollout of cart did not complete/);
    expect(res.status.apps.length).toBe(3);
    expect(testState(w)).toEqual(before);
    expect(res.verdict.restoreComplete).toBe(true);
  });

  it('a restore that fails for one app continues with the others and fails the verdict', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    let restoring = false;
    w.testK8s.failApply = (app) => (restoring && app === 'cart' ? new Error('HTTP 503 from the API server') : null);
    const r = await runLoadTest(makeSpec(), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'restore' && e.state === 'running') restoring = true;
      },
    });
    expect(r.verdict.status).toBe('failed');
    expect(r.verdict.restoreComplete).toBe(false);
    expect(r.verdict.reasons.join()).toMatch(/restore incomplete: cart: HTTP 503/);
    expect(w.testK8s.apps.get('checkout')!.containers[0]!.image).toBe('reg/checkout:1.9');
    expect(w.testEcs.apps.get('payments')!.taskDefinitionArn).toMatch(/payments:12$/);
    // the run is offered for recovery
    expect((await listPendingRecoveries(dataDir)).map((p) => p.runId)).toEqual([r.status.runId]);
  });

  it('ECS auto scaling the run suspended: paused, then left paused when the service cannot be restored, and said why', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const target = { minCapacity: 1, maxCapacity: 3, suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false } };
    w.testEcs.apps.get('payments')!.autoscaling = structuredClone(target);
    let restoring = false;
    w.testEcs.failApply = (app) => (restoring && app === 'payments' ? new Error('ThrottlingException: Rate exceeded') : null);
    const holds: string[] = [];
    const r = await runLoadTest(makeSpec(), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'restore' && e.state === 'running') restoring = true;
        if (e.type === 'gitops') holds.push(`${e.pause.app} ${e.pause.state}${e.pause.reason ? ` (${e.pause.reason})` : ''}`);
      },
    });
    expect(holds).toEqual(['payments paused', 'payments resume-failed (restoring the service failed)']);
    expect(r.status.gitops).toEqual([
      { app: 'payments', manager: { kind: 'ecs-autoscaling', service: 'payments' }, what: 'scalable target service/test-cluster/payments (min 1, max 8, suspended: scale-in, scale-out, scheduled)', state: 'resume-failed', reason: 'restoring the service failed' },
    ]);
    expect(w.testEcs.apps.get('payments')!.autoscaling!.suspended.dynamicScalingIn).toBe(true);
    expect(r.verdict.restoreComplete).toBe(false);
  });

  it('restoreAfter=false restores versions but keeps the scaled replicas', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    await runLoadTest(makeSpec((s) => void (s.spec.scale = { restoreAfter: false })), depsFor(w, clock));
    const checkout = w.testK8s.apps.get('checkout')!;
    expect(checkout.containers[0]!.image).toBe('reg/checkout:1.9');
    expect(checkout.replicas).toBe(6);
    expect(w.testEcs.apps.get('payments')!.desiredCount).toBe(8);
    expect(w.testEcs.apps.get('payments')!.containers[0]!.image).toBe('reg/payments:7.0');
  });
});

describe('abort', () => {
  const forwardPhases: PhaseName[] = ['validate', 'snapshot', 'deploy', 'scale', 'ramp', 'plateau'];
  for (const phase of forwardPhases) {
    it(`from ${phase}: Locust stopped first, the test environment restored, verdict aborted`, async () => {
      const clock = new VirtualClock();
      const w = makeWorld(clock);
      const before = testState(w);
      const steps: string[] = [];
      let aborted = false;
      const handle = startRun(makeSpec(), depsFor(w, clock), {
        onEvent: (e) => {
          if (e.type === 'abort') steps.push(e.step);
          if (!aborted && e.type === 'phase' && e.phase === phase && e.state === 'running') {
            aborted = true;
            // validate, snapshot and scale (which has nothing left to write): at once; the others mid-phase (simulated time), once their work started
            if (phase === 'validate' || phase === 'snapshot' || phase === 'scale') handle.abort('operator said stop');
            else void clock.sleep(phase === 'deploy' ? 1_000 : 30_000).then(() => handle.abort('operator said stop'));
          }
        },
      });
      const r = await handle.done;
      expect(r.verdict.status).toBe('aborted');
      expect(r.verdict.reasons).toEqual(['aborted: operator said stop']);
      // restore only when something was written; cleanup only once validate passed
      const expected = ['stopping-load', 'restoring', 'cleaning-up', 'done'].filter((s) => (s !== 'restoring' || w.writes.length > 0) && (s !== 'cleaning-up' || phase !== 'validate'));
      expect(steps).toEqual(expected);
      if (phase === 'deploy' || phase === 'scale' || phase === 'ramp' || phase === 'plateau') expect(w.writes.length).toBeGreaterThan(0);
      expect(testState(w)).toEqual(before);
      expect(w.writes.filter((x) => x.side === 'production')).toEqual([]);
      expect(w.locust.calls.some((c) => c.op === 'stop')).toBe(true);
      expect(w.locust.running).toBe(false);
      expect(r.status.abort).toMatchObject({ reason: 'operator said stop', step: 'done' });
      // the phase aborted in is the last forward phase that ran
      const ran = r.status.phases.filter((p) => p.state !== 'skipped').map((p) => p.phase);
      expect(ran.filter((p) => forwardPhases.includes(p)).at(-1)).toBe(phase);
    });
  }

  it('mid-rollout: the wait is cancelled and the half-rolled app restored', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const before = testState(w);
    w.testK8s.rolloutMs = 3_600_000; // an hour: only an abort ends the wait
    const handle = startRun(makeSpec((s) => void (s.spec.deploy = { rolloutTimeout: '2h' })), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'app-progress' && e.progress.phase === 'deploy' && e.progress.state === 'rolling' && e.progress.detail !== 'applying') handle.abort('mid-rollout');
      },
    });
    w.testK8s.rolloutMs = 3_600_000;
    const restoreWatch = setInterval(() => {
      if (handle.status().phase === 'restore') w.testK8s.rolloutMs = 1000;
    }, 1);
    const r = await handle.done;
    clearInterval(restoreWatch);
    expect(r.verdict.status).toBe('aborted');
    expect(testState(w)).toEqual(before);
  });

  it('is idempotent and a second abort never interrupts the restore', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const before = testState(w);
    const results: boolean[] = [];
    const handle = startRun(makeSpec(), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'ramp' && e.state === 'running') {
          results.push(handle.abort('first'));
          results.push(handle.abort('second'));
        }
        if (e.type === 'phase' && e.phase === 'restore' && e.state === 'running') results.push(handle.abort('during restore'));
      },
    });
    const r = await handle.done;
    expect(results).toEqual([true, false, false]);
    expect(r.verdict.reasons).toEqual(['aborted: first']);
    expect(r.status.phases.find((p) => p.phase === 'restore')?.state).toBe('done');
    expect(testState(w)).toEqual(before);
    expect(w.locust.calls.filter((c) => c.op === 'stop')).toHaveLength(1);
  });

  it('an aborted AbortSignal passed in aborts the run', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const ac = new AbortController();
    const handle = startRun(makeSpec(), depsFor(w, clock), {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'scale' && e.state === 'running') ac.abort('Ctrl-C');
      },
    });
    const r = await handle.done;
    expect(r.verdict.status).toBe('aborted');
    expect(r.verdict.reasons).toEqual(['aborted: Ctrl-C']);
  });
});

describe('guards in the run', () => {
  it('an error-rate breach after its grace period aborts the run as failed with the reason', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const before = testState(w);
    // the shop starts failing a fifth of its requests from the 4th sample on, whatever the users
    // (the controller keeps a shop whose errors follow the users below the guard by itself)
    w.kpi.errorRate = () => (w.kpi.samples > 3 ? 0.2 : 0.001);
    const r = await runLoadTest(makeSpec((s) => void (s.spec.guards = { maxErrorRate: 0.05, gracePeriod: '30s' })), depsFor(w, clock));
    expect(r.verdict.status).toBe('failed');
    expect(r.verdict.reasons[0]).toMatch(/^guard breached: error rate 20\.00% above 5\.00%/);
    const states = r.status.guards.filter((g) => g.guard === 'maxErrorRate').map((g) => g.state);
    expect(states).toEqual(['breaching', 'breached']);
    expect(testState(w)).toEqual(before);
  });

  it('a production deploy landing mid-run is flagged (flag mode) and the run goes on', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const r = await runLoadTest(makeSpec(), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'sample' && e.sample.phase === 'ramp' && e.sample.t > 0 && !w.prodK8s.apps.get('cart')!.containers[0]!.image.endsWith('5.2')) {
          w.prodK8s.apps.get('cart')!.containers[0]!.image = 'reg/cart:5.2';
        }
      },
    });
    expect(r.verdict.status).toBe('passed');
    expect(r.status.flags).toContain('production drift: cart container cart changed from reg/cart:5.1 to reg/cart:5.2 mid-run');
    expect(r.status.guards.some((g) => g.guard === 'productionDrift')).toBe(true);
  });

  it('production drift in abort mode aborts the run as failed', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const r = await runLoadTest(makeSpec((s) => void (s.spec.guards = { productionDrift: 'abort' })), depsFor(w, clock), {
      onEvent: (e) => {
        if (e.type === 'sample' && e.sample.phase === 'ramp') w.prodEcs.apps.get('payments')!.containers[0]!.image = 'reg/payments:7.4';
      },
    });
    expect(r.verdict.status).toBe('failed');
    expect(r.verdict.reasons[0]).toMatch(/guard breached: production drift: payments container payments changed/);
  });

  it('a stall (orders at zero with users running) aborts the run as failed', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    w.kpi.zero = true;
    const r = await runLoadTest(makeSpec((s) => void (s.spec.guards = { stallSamples: 3 })), depsFor(w, clock));
    expect(r.verdict.status).toBe('failed');
    expect(r.verdict.reasons[0]).toMatch(/^guard breached: orders per minute at zero for 3 consecutive samples/);
    expect(r.status.guards.at(-1)).toMatchObject({ guard: 'stall', state: 'breached' });
  });

  it('a p99 breach aborts the run as failed', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    w.kpi.p99Ms = () => (w.locust.users > 30 ? 2500 : 150);
    const r = await runLoadTest(makeSpec(), depsFor(w, clock));
    expect(r.verdict.reasons[0]).toMatch(/^guard breached: p99 2500 ms above 2000 ms/);
  });

  it('capacity below the target: the knee is reported and the verdict fails', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    w.kpi.capacityOpm = 300;
    const r = await runLoadTest(makeSpec(), depsFor(w, clock));
    expect(r.verdict.status).toBe('failed');
    expect(r.verdict.reasons.some((x) => /plateau mean|capacity knee/.test(x))).toBe(true);
  });
});
