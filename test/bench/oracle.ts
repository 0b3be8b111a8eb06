/**
 * The best a once-per-interval controller can do on a shop whose orders per user drift — the
 * bound the benchmark holds ours to on the drifting plant.
 *
 * The drifting shop is S(users × f(t)): a known curve S (the sandbox shop) and a factor f whose
 * logarithm is an Ornstein–Uhlenbeck process (stationary sd σ, correlation time τ). Two oracles:
 * - `informed` knows S, σ and τ exactly and sees the same KPI ours sees (the counted OPM over each
 *   measurement window, with its counting and timing noise). It estimates log f with a Kalman
 *   filter — the optimal linear estimator for this drift: each reading, inverted through S at the
 *   users in effect, is a measurement of log f over the window with variance (relative noise /
 *   elasticity)²; between readings the state decays by e^(−Δt/τ) and gains σ²(1 − e^(−2Δt/τ)) —
 *   then predicts log f over the coming interval and sends the users that make S give the
 *   setpoint. Nothing a controller without the curve and the drift's statistics could know is
 *   left out; what it cannot know is the drift still to come and the noise of the readings.
 * - `clairvoyant` knows f at the decision time exactly (no measurement at all): the error left is
 *   only the drift during the interval; a floor no controller reading a KPI can reach.
 */
import type { Controller, ControllerDecision, ControllerInput } from '../../electron/load/types.ts';
import { intervalReference } from '../../electron/load/controller/setpoint.ts';
import type { ControllerSpec } from '../../electron/load/controller/spec.ts';

export interface DriftKnowledge {
  /** the shop's steady OPM at `load` users' worth of orders (users × factor) */
  curve: (load: number) => number;
  sd: number;
  tauS: number;
  /** the factor itself (clairvoyant only) */
  factor?: (tS: number) => number;
  /** relative noise of a reading over `spanS` seconds at `opm` (counting and timing) */
  readingNoise: (opm: number, spanS: number) => number;
}

/** the load x ≥ 0 with curve(x) = target (the curve rises; bisection) */
function invert(curve: (x: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60 && curve(hi) < target; i++) hi *= 2;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (curve(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export class DriftOracle implements Controller {
  readonly name = 'adaptive' as const;
  private x = 0;
  private p: number;
  private lastT: number | null = null;
  private usersAt: { t: number; users: number }[] = [];

  constructor(
    readonly spec: ControllerSpec,
    readonly k: DriftKnowledge,
    readonly mode: 'informed' | 'clairvoyant',
  ) {
    this.p = k.sd ** 2;
  }

  decide(input: ControllerInput): ControllerDecision {
    const t = input.elapsedMs;
    const tau = this.k.tauS * 1000;
    const w = input.measurementWindow;
    if (this.mode === 'informed' && w && input.measuredOpm !== null && input.measuredOpm > 0 && w.toMs > (this.lastT ?? -Infinity)) {
      // the users over the window (the oracle commanded them; spawning takes a second or two)
      const users = this.usersOver(w.fromMs, w.toMs);
      if (users > 0) {
        const mid = (w.fromMs + w.toMs) / 2;
        // predict the state to the window's middle
        const dt = this.lastT === null ? Infinity : mid - this.lastT;
        const a = Number.isFinite(dt) ? Math.exp(-Math.max(0, dt) / tau) : 0;
        this.x *= a;
        this.p = a * a * this.p + this.k.sd ** 2 * (1 - a * a);
        // the reading as a measurement of log f
        const load = invert(this.k.curve, input.measuredOpm);
        const z = Math.log(Math.max(1e-9, load / users));
        const e = 1e-4 * load;
        const elasticity = Math.max(0.05, ((this.k.curve(load + e) - this.k.curve(load - e)) / (2 * e)) * (load / this.k.curve(load)));
        const r = (this.k.readingNoise(input.measuredOpm, (w.toMs - w.fromMs) / 1000) / elasticity) ** 2;
        const gain = this.p / (this.p + r);
        this.x += gain * (z - this.x);
        this.p *= 1 - gain;
        this.lastT = mid;
      }
    }
    // the factor over the coming interval
    let logF: number;
    if (this.mode === 'clairvoyant' && this.k.factor) logF = Math.log(this.k.factor(t / 1000));
    else {
      const ahead = this.lastT === null ? 0 : t + this.spec.controlIntervalMs / 2 - this.lastT;
      logF = this.x * Math.exp(-Math.max(0, ahead) / tau);
    }
    const reference = intervalReference(t, this.spec.targetOpm, this.spec.rampUpMs, this.spec.controlIntervalMs);
    const users = reference > 0 ? Math.min(this.spec.maxUsers, Math.max(1, Math.round(invert(this.k.curve, reference) / Math.exp(logF)))) : 0;
    this.usersAt.push({ t, users });
    if (this.usersAt.length > 1000) this.usersAt.shift();
    return { users, spawnRate: this.spec.maxSpawnRate };
  }

  private usersOver(from: number, to: number): number {
    let sum = 0;
    let n = 0;
    for (let s = from; s < to; s += 1000) {
      let u = 0;
      for (const c of this.usersAt) if (c.t <= s) u = c.users;
      sum += u;
      n++;
    }
    return n > 0 ? sum / n : 0;
  }
}
