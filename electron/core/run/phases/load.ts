import { AbortedError } from '../../../../shared/model/errors.ts';
import type { Sample } from '../../../../shared/model/run.ts';
import { setpointAt } from '../../../load/types.ts';
import type { Controller } from '../../../load/types.ts';
import { controllerForSpec, MIN_SPAWN_RATE } from '../../../load/controller/index.ts';
import type { DriftWatch } from '../drift.ts';
import { Guards } from '../../rules/guards.ts';
import type { RunContext } from '../run-context.ts';
import { WorkerScaler, type WorkersTarget } from '../workers.ts';
import { errorMessage } from './common.ts';

/**
 * ramp and plateau: the closed loop. Every control interval: sample the KPI → evaluate the
 * guards → ask the controller → retarget Locust; emit the sample; record the knee. One loop
 * state spans both phases; each phase runs until its end time. Bounded in cycles and in time.
 */
export class LoadLoop {
  private readonly guards: Guards;
  private readonly controller: Controller;
  private loadStart = 0;
  private started = false;
  private cycle = 0;
  private readonly maxCycles: number;
  /** scales the Locust workers ahead of the users (spec.load.locust.workers), when configured */
  private readonly workers: WorkerScaler | null;

  constructor(
    private readonly ctx: RunContext,
    private readonly drift: DriftWatch,
    private readonly locustWorkers: number | null,
    workers: WorkersTarget | null = null,
  ) {
    this.workers = workers ? new WorkerScaler(ctx, workers) : null;
    this.guards = new Guards(ctx.spec.spec.guards);
    this.controller = (ctx.deps.controllerFor ?? controllerForSpec)(ctx.spec, { workers: locustWorkers });
    const l = ctx.spec.spec.load;
    this.maxCycles = Math.ceil((l.rampUp + l.plateau) / l.controlInterval) + 2;
  }

  async run(phase: 'ramp' | 'plateau'): Promise<void> {
    const { ctx } = this;
    const { clock, locust, kpi } = ctx.deps;
    const load = ctx.spec.spec.load;
    const signal = ctx.work.signal;
    if (!this.started) {
      await locust.resetStats(signal).catch((err: unknown) => {
        if (signal.aborted) throw err;
        ctx.log('warn', `resetting Locust stats failed: ${errorMessage(err)}`);
      });
      this.started = true;
      ctx.loadStarted();
      this.loadStart = clock.now();
      this.drift.start();
    }
    const end = this.loadStart + (phase === 'ramp' ? load.rampUp : load.rampUp + load.plateau);

    for (; this.cycle < this.maxCycles; this.cycle++) {
      if (signal.aborted) throw signal.reason;
      const now = clock.now();
      if (now >= end) break;
      const elapsed = now - this.loadStart;
      const k = await kpi.sample(signal);
      const t = ctx.elapsed();
      const g = this.guards.evaluate(k, t, this.cycle);
      for (const ev of g.events) ctx.addGuard(ev);
      if (g.breach) {
        ctx.abort(g.breach.message, 'guard');
        throw new AbortedError(g.breach.message, { guard: g.breach.guard });
      }
      const setpoint = setpointAt(elapsed, load.targetOrdersPerMinute, load.rampUp);
      const decision = this.controller.decide({
        elapsedMs: elapsed,
        setpointOpm: setpoint,
        targetOpm: load.targetOrdersPerMinute,
        measuredOpm: k.opm,
        users: k.users,
        p99Ms: k.p99Ms,
        errorRate: k.errorRate,
        ...(k.recentErrorRate !== undefined ? { recentErrorRate: k.recentErrorRate } : {}),
        remainingRampCycles: Math.max(0, Math.ceil((load.rampUp - elapsed) / load.controlInterval)),
        // a KPI counted from Locust's counters says which span it covers (clock time → time since load start)
        ...(k.window ? { measurementWindow: { fromMs: k.window.from - this.loadStart, toMs: k.window.to - this.loadStart } } : {}),
        ...(k.generatorCpuPct != null ? { generatorCpuPct: k.generatorCpuPct } : {}),
      });
      const users = Math.max(0, Math.min(load.maxUsers, Math.round(decision.users)));
      // the workers first: as many as these users need, connected, before the swarm rebalances over them
      const workers = this.workers ? await this.workers.ensure(users, decision.generatorSaturated === true, signal) : this.locustWorkers;
      const spawnCap = load.maxSpawnRatePerWorker * Math.max(1, workers ?? 1);
      const spawnRate = Math.max(MIN_SPAWN_RATE, Math.min(spawnCap, Number.isFinite(decision.spawnRate) ? decision.spawnRate : 1));
      await locust.swarm(users, spawnRate, load.locust.host, signal);
      const sample: Sample = {
        t,
        phase,
        targetOpm: load.targetOrdersPerMinute,
        setpointOpm: setpoint,
        actualOpm: k.opm ?? 0,
        users,
        spawnRate,
        errorRate: k.errorRate,
        p99Ms: k.p99Ms,
        ...(k.p50Ms != null ? { p50Ms: k.p50Ms } : {}),
        ...(k.p95Ms != null ? { p95Ms: k.p95Ms } : {}),
        ...(k.endpoints ? { endpoints: k.endpoints } : {}),
      };
      ctx.addSample(sample);
      if (decision.knee) ctx.setKnee({ ...decision.knee, t });
      if (decision.kneeCleared) ctx.withdrawKnee(decision.note ?? 'orders follow users again');
      if (decision.generatorSaturated)
        ctx.flag('generator-saturated: the Locust workers are above 90 % CPU, so the load generator, not the shop, limits the load (more workers: spec.load.locust.workers)');
      if (decision.stalled) ctx.log('warn', `controller reports a stall: ${decision.note ?? 'no orders measured'}`);
      await this.drift.poll(signal);
      if (signal.aborted) throw signal.reason;
      const nextTick = this.loadStart + (this.cycle + 1) * load.controlInterval;
      const wait = Math.min(nextTick, end) - clock.now();
      if (wait > 0) await clock.sleep(wait, signal);
    }
    if (phase === 'plateau') {
      this.drift.stop();
      await ctx.stopLoad('plateau complete');
    }
  }
}
