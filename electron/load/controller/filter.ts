/**
 * The OPM the users now in effect produce, estimated by a scalar Kalman filter.
 *
 * - Predict: when the user count changes by Δu, the OPM moves by c × s × Δu (s: the estimator's
 *   local slope; c: how far off that slope has been, learnt here); the uncertainty grows by c's
 *   uncertainty × s × Δu, plus a small drift per cycle.
 * - Update with the lag-corrected measurement z = measured + s × (users now − users measured)
 *   (the Smith predictor), whose noise variance is learnt from the innovations.
 * So the gain is near 1 while the plant is noise-free or the users move a lot (no lag on the
 * ramp), and falls on a noisy plateau, where it averages many samples instead of chasing noise.
 * Two guards keep a change of the shop (a step in orders per user, capacity arriving, a model
 * bias such as a slope that lags a saturating curve) from being averaged away as noise: the noise
 * is learnt from the differences of successive innovations (a slow bias cancels there), and a
 * two-sided CUSUM of the normalised innovations (drift `changeSlack`, threshold `changeThreshold`)
 * declares a change when they keep one sign beyond what noise explains — the state's uncertainty
 * is then raised to the change, so the estimate moves to it at once and averages afresh. Without
 * changes the drift is small and the estimate averages many measurements.
 *
 * The slope's factor c is the filter's second state (c = 1: the estimator's slope is right). High
 * on a capacity curve the estimator's slope runs 10–35 % above the curve's (its fits lag the bend),
 * so each move of the users credited orders they did not bring and the update took back only part
 * of it: on the benchmark's demanding shops the estimate ran 0.5–1.3 % high over the late ramp
 * (seeds 1–20), and the plateau's small moves kept shifting it. Learnt jointly with the OPM (the
 * prediction's sensitivity to c is s × Δu), c takes that bias out of the predictions. It is learnt
 * only from readings the caller calls clean (`learnSlope`), wanders as the users move along a
 * bending curve (`slopeBend` per unit of relative Δu) and slowly with time (`slopeDrift` per
 * interval), never beyond the slope's own uncertainty, and stays within [0.3, 2]; a declared
 * change makes it as uncertain as the slope again (it was learnt on the shop before).
 */
export interface FilterOptions {
  /** relative drift of the plant per minute (std, fraction of the OPM; a random walk, so per cycle it scales with √interval) */
  driftPerMinute: number;
  /** floor of the relative measurement noise (std, fraction of the OPM) */
  noiseFloor: number;
  /** EMA weight for learning the measurement noise from the innovations */
  noiseLearning: number;
  /** CUSUM slack per measurement, in standard deviations of the innovation */
  changeSlack: number;
  /** CUSUM threshold, in standard deviations: beyond it the shop changed */
  changeThreshold: number;
  /** how far the slope's factor may wander per relative change of the users (std per unit of Δu / users) */
  slopeBend: number;
  /** how far the slope's factor may wander per control interval (std) */
  slopeDrift: number;
}

export const DEFAULT_FILTER: FilterOptions = { driftPerMinute: 0.002, noiseFloor: 0.002, noiseLearning: 0.1, changeSlack: 0.5, changeThreshold: 4, slopeBend: 0.5, slopeDrift: 0.02 };
// the noise starts at 3 % (a typical KPI over a 10 s window) and is learnt down or up from there

/**
 * After a declared change the noise is not learnt from the next two readings: their successive
 * differences hold the change's innovation and the estimator's refit after it. Learnt from, they
 * raised the learnt noise to 5–8 % on the benchmark's capacity-rising shop (Poisson and timing
 * make ~2.6 %), so the filter took the later pods' orders for noise and the users ran 3–4 % past
 * the target. Only for readings that share no orders: readings that overlap (a 40 s count every
 * 15 s) make the successive differences underrate the noise, and there the catch-up's differences
 * are what keeps the learnt noise from falling too low (measured: skipping them raised the noisy
 * shop's plateau error at 15 s from 0.99 to 1.14 %).
 */
const CATCH_UP_READINGS = 2;

export class OpmFilter {
  private x: number | null = null;
  private p = 0;
  private atUsers = 0;
  /** learnt relative measurement variance (fraction²) */
  private relNoiseVar: number;
  /** the CUSUMs of the normalised innovations (up, down), and the previous relative innovation */
  private cusumUp = 0;
  private cusumDown = 0;
  private lastInnovation: number | null = null;
  private changes = 0;
  private steps = 0;
  /** the noise is not learnt up to this step: the estimate is still catching up with a declared change */
  private catchUpUntil = 0;
  /** the slope's factor, its variance (null until the first move) and its covariance with the OPM */
  private factor = 1;
  private factorVar: number | null = null;
  private cross = 0;

  private readonly driftPerCycle: number;
  private readonly intervalMs: number;

  constructor(
    readonly options: FilterOptions = DEFAULT_FILTER,
    intervalMs = 60_000,
  ) {
    this.driftPerCycle = options.driftPerMinute * Math.sqrt(intervalMs / 60_000);
    this.intervalMs = intervalMs;
    this.relNoiseVar = Math.max(options.noiseFloor, 0.03) ** 2;
  }

  get value(): number | null {
    return this.x;
  }

  /** the learnt relative noise of one measurement (standard deviation, fraction of the OPM) */
  get relativeNoise(): number {
    return Math.sqrt(this.relNoiseVar);
  }

  /** the estimate's own relative uncertainty (standard deviation / estimate), null before the first */
  get relativeUncertainty(): number | null {
    return this.x === null || !(this.x > 0) ? null : Math.sqrt(this.p) / this.x;
  }

  /** the factor the estimator's slope has been off by (1: right) */
  get slopeFactor(): number {
    return this.factor;
  }

  /** how many changes the filter has declared */
  get changeCount(): number {
    return this.changes;
  }

  /** the users the estimate is for */
  get users(): number {
    return this.atUsers;
  }

  /**
   * One cycle. `users`: users in effect now; `z`: lag-corrected measurement; `slope`, `slopeSd`: the
   * local slope and its uncertainty; `zExtraVar`: variance added by the lag correction; `dtMs`: time
   * since the previous step (the plant's drift is a random walk in time; one interval if omitted);
   * `reading.learnSlope`: whether this reading may teach the slope's factor (a clean reading over a
   * full interval; default yes); `reading.independent`: whether it shares no orders with the one
   * before (a count over the time since the last; default no).
   */
  step(users: number, z: number, slope: number, slopeSd: number, zExtraVar: number, dtMs?: number, expectedNoise?: number, reading: { learnSlope?: boolean; independent?: boolean } = {}): number {
    const learnSlope = reading.learnSlope ?? true;
    // the noise the KPI's nature implies (counted orders over a known span): the start and the floor of what is learnt
    const prior = expectedNoise !== undefined && expectedNoise > 0 ? Math.max(this.options.noiseFloor, expectedNoise) ** 2 : null;
    if (prior !== null && this.steps === 0) this.relNoiseVar = prior;
    if (this.x === null) {
      this.x = z;
      this.p = (this.options.noiseFloor * z) ** 2 + zExtraVar;
      this.atUsers = users;
      return z;
    }
    const du = users - this.atUsers;
    const intervals = dtMs === undefined ? 1 : Math.min(10, Math.max(0, dtMs) / this.intervalMs);
    // predict along the slope times its factor: P ← F P Fᵀ + Q with F = [[1, s Δu], [0, 1]]
    const g = slope * du;
    const relSlopeVar = slope > 0 ? (slopeSd / slope) ** 2 : 0;
    this.factorVar ??= relSlopeVar;
    this.x += this.factor * g;
    this.p += 2 * g * this.cross + g * g * this.factorVar;
    this.cross += g * this.factorVar;
    const bend = (this.options.slopeBend * Math.abs(du)) / Math.max(1, users);
    this.factorVar = Math.min(relSlopeVar, this.factorVar + bend ** 2 + this.options.slopeDrift ** 2 * intervals);
    this.p += (this.driftPerCycle * Math.max(this.x, z)) ** 2 * intervals;
    this.atUsers = users;
    const level = Math.max(1e-9, Math.abs(z));
    const innovation = z - this.x;
    const rel = innovation / level;
    // noise from successive differences: var(ν_k − ν_{k−1}) = 2 σ² for white noise, ~0 for a bias
    this.steps += 1;
    if (this.lastInnovation !== null && this.steps > 3 && this.steps > this.catchUpUntil) {
      // robust: one wild innovation (a model error while the estimates are young) counts at most 3 σ
      const observed = Math.min((rel - this.lastInnovation) ** 2 / 2, 9 * this.relNoiseVar + this.options.noiseFloor ** 2);
      this.relNoiseVar = Math.max(this.options.noiseFloor ** 2, this.relNoiseVar + this.options.noiseLearning * (observed - this.relNoiseVar));
    }
    this.lastInnovation = rel;
    // a change: the normalised innovations keep one sign beyond what noise explains (two-sided CUSUM)
    const r0 = this.relNoiseVar * level * level + zExtraVar;
    const zn = innovation / Math.sqrt(this.p + r0);
    const slack = this.options.changeSlack;
    this.cusumUp = Math.max(0, this.cusumUp + zn - slack);
    this.cusumDown = Math.max(0, this.cusumDown - zn - slack);
    // one innovation this far out is a change too (counted orders have no wild outliers)
    if (this.cusumUp > this.options.changeThreshold || this.cusumDown > this.options.changeThreshold || Math.abs(zn) >= this.options.changeThreshold - this.options.changeSlack) {
      // the state is as uncertain as the change: the estimate moves to the latest measurement and averages afresh
      this.p += innovation ** 2 + r0 * 10;
      this.cusumUp = this.cusumDown = 0;
      this.changes += 1;
      // the next readings' innovations carry the estimate's catch-up with the change, not noise:
      // learnt from, they would make the filter sluggish just when the shop moved (see CATCH_UP_READINGS)
      if (reading.independent) this.catchUpUntil = this.steps + CATCH_UP_READINGS;
      // and what was learnt of the slope's error was learnt on the shop before
      if (this.factorVar !== null) this.factorVar = Math.max(this.factorVar, relSlopeVar);
      this.cross = 0;
    }
    const r = this.relNoiseVar * level * level + zExtraVar;
    const k = this.p / (this.p + r);
    // the factor learns through its covariance with the OPM; a reading that may not teach it leaves it (Schmidt update)
    const kFactor = learnSlope && this.factorVar !== null ? this.cross / (this.p + r) : 0;
    this.factor = Math.min(2, Math.max(0.3, this.factor + kFactor * innovation));
    if (this.factorVar !== null) this.factorVar -= kFactor * this.cross;
    this.cross *= 1 - k;
    this.x += k * innovation;
    this.p *= 1 - k;
    return this.x;
  }

  /** the estimate carried to `users` along `slope` (times its factor) without a measurement (null before the first) */
  predict(users: number, slope: number): number | null {
    return this.x === null ? null : this.x + this.factor * slope * (users - this.atUsers);
  }

  reset(): void {
    this.x = null;
    this.p = 0;
    this.factor = 1;
    this.factorVar = null;
    this.cross = 0;
    this.cusumUp = this.cusumDown = 0;
    this.lastInnovation = null;
    this.steps = 0;
    this.catchUpUntil = 0;
  }
}
