/**
 * Locust's workers, scaled by the conductor (spec.load.locust.workers): their Deployment or ECS
 * service in the test environment gets as many workers as the users commanded need
 * (ceil(users / usersPerWorker) within [min, max]), one more while the workers report their CPU
 * above ~90 % (the load generator, not the shop, is the limit). The count is set AHEAD of the
 * users: a journaled write (so `recover` puts it back after a crash), then a wait until the
 * master reports that many workers connected (bounded; on timeout the run goes on with those
 * connected, said so). The swarm that follows rebalances the users over them. Workers are never
 * removed while the load runs; the restore puts the count back to its snapshot.
 */
import type { AppState } from '../../../shared/model/app-state.ts';
import type { EcsDesiredState, K8sDesiredState } from '../../../shared/model/app-state.ts';
import { errorMessage } from '../../../shared/model/errors.ts';
import type { AppUnit } from '../rules/units.ts';
import { journaledWrite } from './journaled-write.ts';
import type { RunContext } from './run-context.ts';

export interface WorkersTarget {
  unit: AppUnit;
  /** the workers' resource as the snapshot found it */
  before: AppState;
}

/** how long to wait for the master to report new workers connected (run clock ms) */
const CONNECT_TIMEOUT_MS = 5 * 60_000;
/** how often to ask the master meanwhile (its answer is cached 2 s) */
const CONNECT_POLL_MS = 2_000;

export function countOf(state: AppState): number {
  return state.kind === 'kubernetes' ? state.replicas : state.desiredCount;
}

export class WorkerScaler {
  /** the count the workers' resource is set to */
  private count: number;
  /** workers the master reported connected, last asked */
  private connected: number | null = null;

  constructor(
    private readonly ctx: RunContext,
    private readonly target: WorkersTarget,
  ) {
    this.count = countOf(target.before);
  }

  get workers(): number {
    return this.connected ?? this.count;
  }

  /** the count `users` need (one more while the generator is saturated), within [min, max] */
  wanted(users: number, saturated: boolean): number {
    const w = this.ctx.spec.spec.load.locust.workers;
    if (!w) return this.count;
    const need = Math.ceil(Math.max(0, users) / w.usersPerWorker) + (saturated ? 1 : 0);
    return Math.min(w.max, Math.max(w.min, need, saturated ? this.count + 1 : 0));
  }

  /**
   * Make sure there are workers for `users` before they are commanded: scale up (never down
   * while the load runs), journaled, and wait for the master to report them connected.
   * Returns the workers connected.
   */
  async ensure(users: number, saturated: boolean, signal: AbortSignal): Promise<number> {
    const want = this.wanted(users, saturated);
    if (want <= this.count) return this.workers;
    const from = this.count;
    const desired: K8sDesiredState | EcsDesiredState = this.target.unit.substrate === 'kubernetes' ? { replicas: want } : { desiredCount: want };
    await journaledWrite(this.ctx.journal, this.ctx.deps.substrates.test, this.target.unit, 'scale', desired, signal);
    this.count = want;
    this.ctx.log('info', `Locust workers ${from} → ${want} for ${users} users${saturated ? ' (the workers were above 90 % CPU)' : ''}; waiting for the master to report them connected`);
    this.connected = await this.waitConnected(want, signal);
    if (this.connected < want) this.ctx.flag(`only ${this.connected} of ${want} Locust workers connected within ${Math.round(CONNECT_TIMEOUT_MS / 60_000)} min; the load goes on with them`);
    return this.workers;
  }

  private async waitConnected(want: number, signal: AbortSignal): Promise<number> {
    const { clock, locust } = this.ctx.deps;
    const deadline = clock.now() + CONNECT_TIMEOUT_MS;
    let seen = 0;
    for (let i = 0; i < 10_000; i++) {
      try {
        seen = (await locust.stats(signal)).workerCount ?? seen;
      } catch (err) {
        if (signal.aborted) throw err;
        this.ctx.log('warn', `asking the Locust master for its workers failed: ${errorMessage(err)}`);
      }
      if (seen >= want || clock.now() >= deadline) return seen;
      await clock.sleep(Math.min(CONNECT_POLL_MS, Math.max(1, deadline - clock.now())), signal);
    }
    return seen;
  }
}
