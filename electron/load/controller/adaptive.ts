/**
 * Our controller: feed-forward on the ramp plus feedback on the error, through a Smith predictor.
 *
 * Each cycle:
 * 1. pair the measurement with the users that were in effect when it was taken (lag.ts);
 * 2. update the plant estimate (estimator.ts): orders per user and the local slope s = dOPM/dUsers;
 * 3. predict the OPM the users in effect *now* will produce: measured + s × (users now − users
 *    measured) — the users added since the sample are credited before the KPI shows them (Smith
 *    predictor) — and smooth that with a Kalman filter (filter.ts) whose model step is the same
 *    s × Δusers, so it does not lag the ramp but averages the noise on the plateau;
 * 4. choose the users that give the reference from the predicted OPM along the local curve
 *    (stepTo: a power law with the estimated elasticity; a Newton step users + (reference −
 *    predicted) / s when there is nothing to scale from), where the reference is the setpoint
 *    averaged over the coming interval: the ramp's slope is fed forward, the remaining error fed back;
 * 5. clamp to the user cap (maxUsers, or the knee once found) and the per-cycle step (at most
 *    ×maxGrowth, so a noisy probe of a few users cannot launch thousands); the next cycle starts
 *    from the users actually in effect, so clamps never wind anything up (velocity form).
 * Zero OPM with users in effect is a stall: restart from `initialUsers`, flag `stalled`.
 */
import type { Controller, ControllerDecision, ControllerInput } from '../types.ts';
import { PlantEstimator } from './estimator.ts';
import { DEFAULT_FILTER, OpmFilter, type FilterOptions } from './filter.ts';
import { DEFAULT_KNEE, type KneeOptions } from './knee.ts';
import { DEFAULT_LIMITS, LoadLimits, type LimitOptions } from './limits.ts';
import { MeasurementPairing } from './lag.ts';
import { intervalReference } from './setpoint.ts';
import { spawnRateFor, type ControllerSpec } from './spec.ts';

export interface AdaptiveOptions {
  /** users to start (and restart after a stall) with; default maxUsers / 500 within [1, 20] */
  initialUsers?: number;
  /** the longest measurement lag considered, in nominal control intervals (the lag itself is kept in ms); default 3 */
  maxLagCycles: number;
  /** the measurement lag if known (nominal intervals); detected from the dead time (in ms) otherwise */
  lagCycles?: number;
  /** the window the KPI averages over (ms); default 10 s, Locust's current_rps */
  kpiWindowMs: number;
  /** how old the newest data in a KPI sample is (ms); default 2 s, Locust's stats cache */
  kpiDelayMs: number;
  /**
   * a measurement counts as new only this long (fraction of the interval, and at least half the KPI
   * window) after the last one used; default 0.25: the back-to-back cycles a late loop runs to catch
   * up its schedule hold the last command instead of counting the same reading again
   */
  freshFraction: number;
  /**
   * how far the local slope may be off, as a fraction (a saturating curve bends under a window
   * fit): the OPM filter's uncertainty grows by this × s × Δusers when users move; default 0.5
   */
  slopeUncertainty: number;
  /** the OPM filter's tuning */
  filter: FilterOptions;
  /** while the estimate is young (< 3 pairs) the user count grows at most by this factor per cycle; default 4 */
  maxGrowth: number;
  /** the largest increase per cycle beyond the conservative step, as a fraction of users; default 0.25 */
  maxStepFraction: number;
  /** how far above its estimate the elasticity may be, for the step bound (boundedByGain); default 0.3 */
  gainMargin: number;
  /** a step may carry the OPM past the reference by at most this fraction even if the elasticity is that high; default 0.01 */
  stepTolerance: number;
  /** the new user count is reached within this fraction of the control interval; default 0.25 */
  spawnWithin: number;
  /** pairs in the slope window; default max(8, 8 min of cycles) */
  windowPairs?: number;
  knee: KneeOptions;
  /** the knee hypothesis, the guards and the load generator (limits.ts); the guard limits come from the spec */
  limits: Partial<Omit<LimitOptions, 'knee' | 'maxErrorRate' | 'maxP99Ms'>>;
  /** detect the knee at all (the test that proves knee detection matters turns it off) */
  detectKnee: boolean;
}

/**
 * a count over a window that mixed in the start stands in for a pair only if it spans this much:
 * where a count starts and ends is known to a worker report each (~1.3 s), so shorter counts of
 * the first few users are mostly timing (a 10 s count at the start reads a quarter low as often as not)
 */
const PROVISIONAL_SPAN_MS = 30_000;

/** the filter learns how far off the slope is only from readings spanning this much of an interval … */
const SLOPE_LEARNING_SPAN = 0.75;
/** … whose users stayed at least this fraction of their average (no step mixed in) */
const SLOPE_LEARNING_CLEAN = 0.9;

/** a reading spanning more than this × the time since the last one shares orders with it */
const READING_OVERLAP = 1.25;

/** a limit that keeps the predicted OPM this far below the setpoint makes a knee */
const KNEE_SHORTFALL = 0.02;

export const DEFAULT_ADAPTIVE: AdaptiveOptions = {
  maxLagCycles: 3,
  kpiWindowMs: 10_000,
  kpiDelayMs: 2_000,
  freshFraction: 0.25,
  filter: DEFAULT_FILTER,
  slopeUncertainty: 0.5,
  maxGrowth: 4,
  maxStepFraction: 0.25,
  gainMargin: 0.3,
  stepTolerance: 0.01,
  spawnWithin: 0.25,
  knee: DEFAULT_KNEE,
  limits: {},
  detectKnee: true,
};

export class AdaptiveController implements Controller {
  readonly name = 'adaptive' as const;
  private readonly options: AdaptiveOptions;
  private readonly pairing: MeasurementPairing;
  private readonly estimator: PlantEstimator;
  private readonly limits: LoadLimits;
  private readonly filter: OpmFilter;
  private lastCommand = 0;
  private stalled = false;
  /** the estimator holds only a stand-in pair from a window that mixed in the start (replaced by the first clean pair) */
  private provisional = false;
  /** when the measurements went missing (null while they come) */
  private missingSince: number | null = null;
  /** the latest decision time, and the time of the latest measurement used */
  private lastT: number | null = null;
  private lastUsedAt: number | null = null;
  /** the end of the last stated measurement window used */
  private lastWindowEnd: number | null = null;
  private readonly maxLagMs: number;
  /** a measurement less than this after the last one used is not new */
  private readonly freshMs: number;

  constructor(
    readonly spec: ControllerSpec,
    options: Partial<AdaptiveOptions> = {},
  ) {
    this.options = { ...DEFAULT_ADAPTIVE, ...options, knee: { ...DEFAULT_KNEE, ...options.knee }, filter: { ...DEFAULT_FILTER, ...options.filter } };
    this.filter = new OpmFilter(this.options.filter, spec.controlIntervalMs);
    const interval = spec.controlIntervalMs;
    this.maxLagMs = this.options.maxLagCycles * interval;
    this.pairing = new MeasurementPairing({
      maxLagMs: this.maxLagMs,
      ...(this.options.lagCycles !== undefined ? { lagMs: this.options.lagCycles * interval } : {}),
      windowMs: this.options.kpiWindowMs,
      delayMs: this.options.kpiDelayMs,
    });
    this.freshMs = Math.max(this.options.kpiWindowMs / 2, this.options.freshFraction * interval);
    const windowPairs = this.options.windowPairs ?? Math.max(8, Math.ceil(480_000 / interval));
    this.estimator = new PlantEstimator({ windowPairs, windowMs: windowPairs * interval, intervalMs: interval, ratioDiscount: 0.7, minSlopeFraction: 0.05 });
    this.limits = new LoadLimits({ ...DEFAULT_LIMITS, ...this.options.limits, knee: this.options.knee, maxErrorRate: spec.maxErrorRate ?? null, maxP99Ms: spec.maxP99Ms ?? null });
  }

  decide(input: ControllerInput): ControllerDecision {
    const users = finiteAtLeast(input.users, 0);
    // decision times only move forward (a clock is monotonic; a bad value must not rewind the history)
    const t = Math.max(this.lastT ?? -Infinity, finiteAtLeast(input.elapsedMs, 0));
    this.lastT = t;
    this.pairing.record(t, users);
    const opm = input.measuredOpm === null || !Number.isFinite(input.measuredOpm) ? null : Math.max(0, input.measuredOpm);
    const initial = Math.min(this.spec.maxUsers, Math.max(1, Math.round(this.options.initialUsers ?? Math.min(20, this.spec.maxUsers / 500))));

    if (opm === null) return this.noMeasurement(users, initial, t);
    this.missingSince = null;
    // a measurement taken soon after the last one used is not new (Locust's cache, the same window):
    // the back-to-back cycles after a stall must not count it again, in the estimates or the knee
    const window = input.measurementWindow;
    // the span the reading counts over (Locust's own window when it states none)
    const span = window ? window.toMs - window.fromMs : this.options.kpiWindowMs;
    const fresh = window ? this.lastWindowEnd === null || window.toMs > this.lastWindowEnd : this.lastUsedAt === null || t - this.lastUsedAt >= this.freshMs;
    if (!fresh) return this.command(users, this.lastCommand > 0 ? this.lastCommand : initial, 'a cycle right after the last: no new measurement, holding', this.stalled);
    if (opm > 0) this.pairing.observePositive(t, window);
    else this.pairing.observeZero(t, window);
    const lag = this.pairing.lagMs;

    if (lag === null) {
      // dead time: users started, the KPI has not moved yet
      if (this.pairing.sinceFirstUsers(t) > this.maxLagMs + this.spec.controlIntervalMs) return this.stall(users, initial, 'no orders since the load started');
      return this.command(users, Math.max(initial, this.lastCommand), 'waiting for the first orders (measuring the lag)');
    }

    let effect = this.pairing.effectAt(t, window) ?? { users: 0, min: 0, max: 0 };
    if (opm === 0) {
      if (effect.min > 0) return this.stall(users, initial, 'orders per minute fell to 0 with users running');
      return this.command(users, this.stalled ? initial : Math.max(initial, this.lastCommand), 'the measurement predates the users', this.stalled);
    }
    if (effect.users < 1) return this.command(users, Math.max(initial, this.lastCommand), 'the measurement predates the users');
    this.stalled = false;
    const dtMs = this.lastUsedAt === null ? this.spec.controlIntervalMs : t - this.lastUsedAt;
    this.lastUsedAt = t;
    if (window) this.lastWindowEnd = window.toMs;

    if (this.pairing.addReading(t, opm, window)) {
      // the lag was refined: learn again from the readings so far, paired under it
      this.estimator.clear();
      this.filter.reset();
      for (const p of this.pairing.readingPairs()) this.estimator.update(p);
      effect = this.pairing.effectAt(t, window) ?? effect;
      this.provisional = false;
    } else if (effect.min >= 0.5 * effect.users) {
      if (this.provisional) this.estimator.reset();
      this.provisional = false;
      this.estimator.update({ users: effect.users, opm, t });
    } else if ((this.provisional || this.estimator.pairs === 0) && window && span >= PROVISIONAL_SPAN_MS) {
      // a window that began with no users (the start, a restart) or that the first steps multiplied
      // mixes the users' first journey into the pair, so it is not kept; but with nothing better the
      // controller would hold its first users until a window clears the start (two 40 s spans, 80 s
      // at a 20 s interval): the latest such count, if it is long enough to be one, stands in until
      // the first clean pair replaces it
      this.estimator.reset();
      this.estimator.update({ users: effect.users, opm, t });
      this.provisional = true;
    }
    const measuredUsers = Math.max(1, effect.users);
    // orders per user at the operating point: the filter's (it is smoothed and lag-corrected), else this pair's
    const prior = this.filter.value;
    const ratioNow = prior !== null && this.filter.users > 0 ? prior / this.filter.users : opm / measuredUsers;
    const s = this.estimator.controlSlope(ratioNow, users);
    if (this.options.detectKnee || input.generatorCpuPct != null) {
      const plateau = t >= this.spec.rampUpMs;
      const pair = { t, users: measuredUsers, minUsers: effect.min, opm, errorRate: input.errorRate, ...(input.recentErrorRate !== undefined ? { guardErrorRate: input.recentErrorRate, guardUsers: users } : {}), p99Ms: input.p99Ms, generatorCpuPct: input.generatorCpuPct ?? null };
      const marginalOpm = this.options.detectKnee ? this.estimator.risingMarginal(ratioNow) : null;
      this.limits.observe(pair, { lightOrdersPerUser: this.estimator.lightLoadOrdersPerUser, marginalOpm, relativeNoise: this.filter.relativeNoise }, plateau, this.options.detectKnee);
    }
    if (s === null) return this.withLimits(this.command(users, Math.max(initial, this.lastCommand), 'no slope yet'), t, false);

    // Smith predictor + Kalman filter: the OPM the users now in effect will produce
    const slopeSd = s * Math.max(this.options.slopeUncertainty, this.estimator.relativeSlopeUncertainty() ?? 0);
    const unseen = users - measuredUsers;
    const credit = s;
    const changesBefore = this.filter.changeCount;
    // how far off the slope has been is learnt only while users rose (users that went down are the
    // loop's answer to the KPI's noise, as in the estimator's fits), from clean readings over most
    // of an interval: a short count (a late loop catching up) or one that mixed in a step is mostly timing
    const learnSlope = users >= this.filter.users && span >= SLOPE_LEARNING_SPAN * this.spec.controlIntervalMs && effect.min >= SLOPE_LEARNING_CLEAN * effect.users;
    // a count over the time since the last reading shares none of its orders (at short intervals a count spans more: 40 s)
    const independent = span <= READING_OVERLAP * dtMs;
    const filtered = this.filter.step(users, opm + credit * unseen, s, slopeSd, (slopeSd * unseen) ** 2, dtMs, expectedNoise(opm, span), { learnSlope, independent });
    // the shop changed: what the estimator learnt before describes another shop
    if (this.filter.changeCount > changesBefore) this.estimator.changed();

    // the setpoint averaged over the interval from now to the next decision, expected one interval on
    const reference = intervalReference(t, this.spec.targetOpm, this.spec.rampUpMs, this.spec.controlIntervalMs);
    let next = stepTo(users, filtered, reference, s);
    // step limits: a conservative step (by the average orders per user, which is ≥ the marginal on a
    // saturating shop) is always allowed, more only up to maxStepFraction × users; never more than ×maxGrowth
    const perUser = this.estimator.ordersPerUser ?? s;
    const conservative = Math.max(0, (reference - filtered) / Math.max(perUser, s));
    next = Math.min(next, users + Math.max(conservative, this.options.maxStepFraction * users, initial));
    // and never down by more than maxStepFraction in one step: a gain that is wrong (a shop that
    // changed since it was learnt) must not cut the load to a fraction
    next = Math.max(next, users * (1 - this.options.maxStepFraction));
    next = this.boundedByGain(users, next, filtered, reference, s);
    if (this.estimator.pairs < 3) next = Math.min(next, Math.max(users, initial) * this.options.maxGrowth);
    if (reference > 0) next = Math.max(next, initial);
    const cap = this.userCap();
    const binding = next > cap + 0.5;
    if (!binding) this.limits.unbound();
    // a limit is a knee only while it keeps the load short of the setpoint (a shop at the target near a guard is not one)
    const short = binding && filtered < reference * (1 - KNEE_SHORTFALL);
    // (aiming past the count for the spawn's lag must not turn a quarter's cut into more)
    next = Math.max(this.spawnCompensated(users, Math.min(next, cap)), Math.min(cap, users * (1 - this.options.maxStepFraction)));
    return this.withLimits(this.command(users, next), t, short);
  }

  /**
   * A step sized by an elasticity that is too low overshoots: bound it so that, were the shop's
   * elasticity as high as its estimate allows (`gainMargin` above it), OPM would pass the reference
   * by at most `stepTolerance` (a fraction of it). Toward the reference it changes nothing; it
   * stops a wrong gain from carrying the load past it.
   */
  private boundedByGain(users: number, next: number, predicted: number, reference: number, slope: number): number {
    if (!(users >= 1) || !(predicted > 0) || !(reference > 0)) return next;
    const elasticity = Math.min(1.5, Math.max(0.05, (slope * users) / predicted));
    const high = Math.min(1.5, elasticity * (1 + this.options.gainMargin));
    const gap = Math.log(reference / predicted);
    const reach = (Math.abs(gap) + this.options.stepTolerance) / high;
    return Math.min(users * Math.exp(reach), Math.max(users * Math.exp(-reach), next));
  }

  /** the limits' news on a decision: the knee (reported at the end of the ramp, or withdrawn), the generator, their notes */
  private withLimits(decision: ControllerDecision, t: number, binding: boolean): ControllerDecision {
    const v = this.limits.verdict(t >= this.spec.rampUpMs, binding);
    if (v.report) decision.knee = { users: v.report.users, opm: v.report.opm, p99Ms: v.report.p99Ms, reason: v.report.reason, ...(v.report.byGuard ? { byGuard: true } : {}) };
    if (v.cleared) decision.kneeCleared = true;
    if (this.limits.generatorSaturated) decision.generatorSaturated = true;
    const note = v.report ? `knee at ${v.report.users} users, ${Math.round(v.report.opm)} OPM (${v.report.reason}): holding there` : v.note;
    if (note) decision.note = decision.note ? `${decision.note}; ${note}` : note;
    return decision;
  }

  /**
   * Locust moves users at the spawn rate, so the interval's average lags the count by
   * Δ × (spawn time / 2) / interval; aim past `wanted` by that much so the average is `wanted`.
   */
  private spawnCompensated(users: number, wanted: number): number {
    const delta = wanted - users;
    if (Math.abs(delta) < 1) return wanted;
    const intervalS = this.spec.controlIntervalMs / 1000;
    const rate = spawnRateFor(Math.abs(delta), this.spec, this.options.spawnWithin);
    const lagFraction = Math.min(0.5, Math.abs(delta) / rate / intervalS / 2);
    return users + delta / (1 - lagFraction);
  }

  private userCap(): number {
    return Math.max(1, Math.min(this.spec.maxUsers, this.limits.cap() ?? Infinity));
  }

  private noMeasurement(users: number, initial: number, t: number): ControllerDecision {
    this.missingSince ??= t;
    const tooLong = this.maxLagMs + this.spec.controlIntervalMs;
    if (users > 0 && t - this.missingSince >= tooLong && this.pairing.sinceFirstUsers(t) > tooLong)
      return this.stall(users, initial, 'no orders-per-minute measurement for too long');
    return this.command(users, this.lastCommand > 0 ? this.lastCommand : initial, 'no measurement this cycle: holding');
  }

  private stall(users: number, initial: number, why: string): ControllerDecision {
    const first = !this.stalled;
    this.stalled = true;
    this.missingSince = null;
    this.estimator.reset();
    this.provisional = false;
    this.filter.reset();
    return this.command(users, initial, first ? `stalled (${why}): restarting from ${initial} user(s)` : `stalled: ${why}`, true);
  }

  private command(users: number, wanted: number, note?: string, stalled?: boolean): ControllerDecision {
    const target = Math.round(Math.min(this.userCap(), Math.max(0, Number.isFinite(wanted) ? wanted : users)));
    this.lastCommand = target;
    const decision: ControllerDecision = {
      users: target,
      spawnRate: spawnRateFor(Math.abs(target - users), this.spec, this.options.spawnWithin),
    };
    this.pairing.commanded(target, decision.spawnRate);
    if (stalled) decision.stalled = true;
    if (note) decision.note = note;
    return decision;
  }
}

/**
 * The users that produce `reference` when `users` produce `current` and the local slope is `slope`:
 * the local power law OPM ∝ users^ε with ε = slope × users / current, so users × (reference /
 * current)^(1/ε) — exact on a constant-orders shop (ε = 1) and without the straight line's
 * undershoot on a saturating one. A straight (Newton) step when there is nothing to scale from.
 */
export function stepTo(users: number, current: number, reference: number, slope: number): number {
  if (users >= 1 && current > 0 && reference > 0) {
    const elasticity = Math.min(1.5, Math.max(0.05, (slope * users) / current));
    return users * Math.pow(reference / current, 1 / elasticity);
  }
  return users + (reference - current) / slope;
}

/**
 * the relative noise a reading of `opm` over `spanMs` has at the least: the orders are a count
 * (Poisson: 1/√count), and the span's ends are known to a worker report each (~1 s: Locust's
 * workers report every 3 s)
 */
export function expectedNoise(opm: number, spanMs: number): number {
  const seconds = Math.max(1, spanMs / 1000);
  const count = Math.max(1, (opm / 60) * seconds);
  return Math.sqrt(1 / count + 2 * (1 / seconds) ** 2);
}

function finiteAtLeast(v: number, min: number): number {
  return Number.isFinite(v) ? Math.max(min, v) : min;
}
