import type { GuardEvent, GuardName } from '../../../shared/model/run.ts';
import type { GuardsSpec } from '../../../shared/spec/schema.ts';
import type { KpiSample } from '../../load/types.ts';

/**
 * SLO guards evaluated on every control sample during ramp and plateau: error rate, p99
 * latency, and a stall (KPI at zero for N consecutive samples while users are running, after a
 * warm-up of the first ramp cycles, counting only samples in which the users should have placed
 * a few orders — a single probing user that places none is not a stalled shop). A breach must last the grace period before it counts;
 * state changes (ok → breaching → breached, and back to ok) are reported as GuardEvents.
 */

/** a sample with no orders counts toward a stall only when this many were expected */
const STALL_MIN_EXPECTED = 3;

export interface GuardOptions {
  /** ramp cycles during which the stall guard does not count (the KPI lags the first users) */
  stallWarmupCycles?: number;
}

export interface GuardResult {
  /** state changes to report */
  events: GuardEvent[];
  /** the first guard that is now breached (its grace period elapsed) */
  breach: GuardEvent | null;
}

interface GuardTrack {
  since: number | null;
  state: GuardEvent['state'];
}

export class Guards {
  private readonly tracks = new Map<GuardName, GuardTrack>();
  private zeroStreak = 0;
  /** the most orders per minute per user seen in a sample */
  private bestPerUser = 0;
  private readonly warmup: number;

  constructor(
    private readonly spec: GuardsSpec,
    opts: GuardOptions = {},
  ) {
    this.warmup = opts.stallWarmupCycles ?? 3;
  }

  /**
   * @param t ms since run start
   * @param cycle control cycle index since load start (0-based)
   */
  evaluate(sample: KpiSample, t: number, cycle: number): GuardResult {
    const events: GuardEvent[] = [];
    let breach: GuardEvent | null = null;
    const check = (guard: GuardName, violating: boolean, value: number | null, limit: number, message: string) => {
      const ev = this.step(guard, violating, value, limit, message, t);
      if (ev) events.push(ev);
      if (!breach && this.tracks.get(guard)?.state === 'breached') breach = ev ?? this.describe(guard, value, limit, message, t);
    };

    // the latest interval where the source counts it (the grace period is the smoothing), else the KPI's span
    const err = sample.recentErrorRate ?? sample.errorRate;
    check('maxErrorRate', Number.isFinite(err) && err > this.spec.maxErrorRate, err, this.spec.maxErrorRate, `error rate ${(err * 100).toFixed(2)}% above ${(this.spec.maxErrorRate * 100).toFixed(2)}%`);

    if (this.spec.maxP99Ms !== undefined) {
      const p99 = sample.p99Ms;
      check('maxP99Ms', p99 !== null && p99 > this.spec.maxP99Ms, p99, this.spec.maxP99Ms, `p99 ${p99 === null ? '-' : Math.round(p99)} ms above ${this.spec.maxP99Ms} ms`);
    }

    const counting = cycle >= this.warmup && sample.users > 0 && this.zeroMeansStall(sample);
    if (counting && (sample.opm === 0 || sample.opm === null)) this.zeroStreak += 1;
    else if (sample.opm !== null && sample.opm > 0) this.zeroStreak = 0;
    if (sample.opm !== null && sample.opm > 0 && sample.users > 0) this.bestPerUser = Math.max(this.bestPerUser, sample.opm / sample.users);
    const stalled = this.zeroStreak >= this.spec.stallSamples;
    check('stall', stalled, this.zeroStreak, this.spec.stallSamples, `orders per minute at zero for ${this.zeroStreak} consecutive samples with ${sample.users} users running`);

    return { events, breach };
  }

  /**
   * Whether no orders in this sample say the shop stalled, rather than that too few users ran to
   * place one: the users, at the best orders per user seen so far, would have placed at least
   * `STALL_MIN_EXPECTED` orders over the sample's span (10 s when it states none). Before any
   * order was seen, one user is a probe (the baseline rule starts there), not a stall.
   */
  private zeroMeansStall(sample: KpiSample): boolean {
    if (this.bestPerUser <= 0) return sample.users > 1;
    const minutes = (sample.window ? sample.window.to - sample.window.from : 10_000) / 60_000;
    return sample.users * this.bestPerUser * minutes >= STALL_MIN_EXPECTED;
  }

  private describe(guard: GuardName, value: number | null, limit: number, message: string, t: number): GuardEvent {
    return { guard, state: this.tracks.get(guard)?.state ?? 'ok', value, limit, message, t };
  }

  private step(guard: GuardName, violating: boolean, value: number | null, limit: number, message: string, t: number): GuardEvent | null {
    const track = this.tracks.get(guard) ?? { since: null, state: 'ok' as const };
    this.tracks.set(guard, track);
    if (track.state === 'breached') return null; // latched: the run is aborting
    if (!violating) {
      if (track.state === 'ok') return null;
      track.since = null;
      track.state = 'ok';
      return { guard, state: 'ok', value, limit, message: `${guard} back within limits`, t };
    }
    track.since ??= t;
    const next = t - track.since >= this.spec.gracePeriod ? 'breached' : 'breaching';
    if (next === track.state) return null;
    track.state = next;
    const suffix = next === 'breaching' ? ` (grace period ${Math.round(this.spec.gracePeriod / 1000)}s)` : this.spec.gracePeriod > 0 ? ` for ${Math.round((t - track.since) / 1000)}s` : '';
    return { guard, state: next, value, limit, message: message + suffix, t };
  }
}
