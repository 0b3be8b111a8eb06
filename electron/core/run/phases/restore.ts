import type { AppState } from '../../../../shared/model/app-state.ts';
import type { LoadTest } from '../../../../shared/spec/schema.ts';
import type { Substrates } from '../../../substrates/types.ts';
import type { Clock } from '../../../base/clock.ts';
import type { RunJournal } from '../journal.ts';
import type { Logger } from '../../../base/logger.ts';
import { restoreDesired } from '../../rules/plan.ts';
import { RunContext, type AppUnit } from '../run-context.ts';
import { converge } from './converge.ts';
import { errorMessage } from './common.ts';

/**
 * restore: put every app back to the snapshot — images, replicas, resources, HPA bounds; ECS
 * task definition ARN and desired count. Runs under its own signal (a user abort never
 * interrupts it) with the rollout timeout per app; an app that fails is reported and the
 * others continue; `restoreComplete` is false if any failed.
 *
 * spec.scale.restoreAfter = false: versions are restored, but replicas, resources, HPA bounds
 * and the ECS desired count stay as the run scaled them (on every outcome, recovery included).
 */
export async function restorePhase(ctx: RunContext, signal: AbortSignal): Promise<void> {
  const restoreScale = ctx.spec.spec.scale.restoreAfter;
  const units = ctx.units.filter((u) => ctx.snapshot.get(u.name));
  const d = ctx.spec.spec.deploy;
  const result = await converge(ctx, {
    phase: 'restore',
    purpose: 'restore',
    units,
    desired: (u: AppUnit, current: AppState) => restoreDesired(ctx.snapshot.get(u.name)!, current, restoreScale),
    signal,
    timeoutMs: d.rolloutTimeout,
    concurrency: d.concurrency,
    unchanged: 'as before the run',
  });
  if (result.failures.length) {
    ctx.restoreComplete = false;
    ctx.restoreFailures = result.failures.map((f) => `${f.app}: ${errorMessage(f.error)}`);
    ctx.log('error', `restore incomplete: ${ctx.restoreFailures.join('; ')}`);
  }
}

/** The deps a restore outside a run (recovery) needs. */
export interface RestoreDeps {
  substrates: Substrates;
  clock: Clock;
  logger: Logger;
  dataDir: string;
}

/** Build a context around a snapshot, for `recover`: same restore code path as a live run. */
export function contextForRecovery(spec: LoadTest, snapshot: Record<string, AppState | null>, deps: RestoreDeps, journal: RunJournal, units: AppUnit[]): RunContext {
  const noLoad = {
    swarm: async () => undefined,
    stop: async () => undefined,
    resetStats: async () => undefined,
    stats: async () => {
      throw new Error('no load during recovery');
    },
  };
  const ctx = new RunContext(
    spec,
    {
      ...deps,
      locust: noLoad,
      kpi: { sample: async () => ({ t: 0, opm: null, errorRate: 0, p99Ms: null, users: 0 }) },
    },
    journal,
    journal.runId,
    '',
  );
  ctx.units = units;
  ctx.snapshot = new Map(Object.entries(snapshot));
  return ctx;
}
