/**
 * What one more user is worth. From (users in effect, measured OPM) pairs the estimator keeps:
 * - the average orders per user — Σ OPM / Σ users over exponentially discounted pairs, which
 *   weighs a pair by its size (the maximum-likelihood estimate when orders are a Poisson count, so
 *   a noisy 1-user probe cannot dominate) — and its highest value, the "light-load" orders per
 *   user the knee detector compares against;
 * - the local slope dOPM/dUsers from a least-squares line over a sliding window of pairs, only
 *   when the users in the window are spread enough to identify it (on a plateau they are not, and
 *   the last identified slope is kept: no covariance wind-up, no division by a spread of ~0).
 * The slope handed to the control law is the identified slopes smoothed by inverse-variance
 * weighting (each fit's standard error against a slowly drifting state), then clamped to [minSlopeFraction, 1.5] × the light-load
 * orders per user, so it is never ~0 and never absurd.
 */
export interface EstimatorOptions {
  /** pairs in the slope window */
  windowPairs: number;
  /** discount of older pairs in the orders-per-user sums, 0 < discount < 1 */
  ratioDiscount: number;
  /** lower clamp of the control slope, as a fraction of the light-load orders per user */
  minSlopeFraction: number;
}

export interface Pair {
  users: number;
  opm: number;
}

export class PlantEstimator {
  private readonly window: Pair[] = [];
  private ratio: number | null = null;
  private sumOpm = 0;
  private sumUsers = 0;
  private lastSe: number | null = null;
  /** smoothed slope state and its variance */
  private smooth: number | null = null;
  private smoothVar = 0;
  private lightRatio: number | null = null;
  private identified: number | null = null;
  private count = 0;
  private lastFit: number | null = null;

  constructor(readonly options: EstimatorOptions) {}

  update(pair: Pair): void {
    if (!(pair.users > 0) || !Number.isFinite(pair.opm) || pair.opm < 0) return;
    this.sumOpm = this.sumOpm * this.options.ratioDiscount + pair.opm;
    this.sumUsers = this.sumUsers * this.options.ratioDiscount + pair.users;
    this.ratio = this.sumOpm / this.sumUsers;
    this.lightRatio = this.lightRatio === null ? this.ratio : Math.max(this.lightRatio, this.ratio);
    this.count += 1;
    this.window.push(pair);
    while (this.window.length > this.options.windowPairs) this.window.shift();
    const fit = this.fitSlope();
    this.lastFit = fit?.slope ?? null;
    if (fit) {
      this.identified = fit.slope;
      this.lastSe = fit.se;
      const fitVar = Math.max(fit.se ** 2, (0.01 * Math.abs(fit.slope)) ** 2, 1e-12);
      if (this.smooth === null) {
        this.smooth = fit.slope;
        this.smoothVar = fitVar;
      } else {
        // the slope drifts as the load moves along the capacity curve: 5 % per fit
        this.smoothVar += (0.05 * Math.abs(this.smooth)) ** 2;
        const k = this.smoothVar / (this.smoothVar + fitVar);
        this.smooth += k * (fit.slope - this.smooth);
        this.smoothVar *= 1 - k;
      }
    }
  }

  /** least-squares slope (and its standard error) over the window, or null when the users do not vary enough */
  private fitSlope(): { slope: number; se: number } | null {
    const n = this.window.length;
    if (n < 3) return null;
    let sx = 0;
    let sy = 0;
    for (const p of this.window) {
      sx += p.users;
      sy += p.opm;
    }
    const mx = sx / n;
    const my = sy / n;
    let sxx = 0;
    let sxy = 0;
    let minX = Infinity;
    let maxX = -Infinity;
    for (const p of this.window) {
      sxx += (p.users - mx) ** 2;
      sxy += (p.users - mx) * (p.opm - my);
      minX = Math.min(minX, p.users);
      maxX = Math.max(maxX, p.users);
    }
    // identifiable only if the users span at least 10 % of their mean (and a few users)
    if (maxX - minX < Math.max(3, 0.1 * mx) || sxx <= 0) return null;
    const slope = sxy / sxx;
    let rss = 0;
    for (const p of this.window) rss += (p.opm - my - slope * (p.users - mx)) ** 2;
    return { slope, se: Math.sqrt(rss / Math.max(1, n - 2) / sxx) };
  }

  /** standard deviation of the control slope's state (null before a slope is identified) */
  get slopeStandardError(): number | null {
    return this.smooth === null ? null : Math.sqrt(this.smoothVar);
  }

  /** pairs seen since the start or the last reset */
  get pairs(): number {
    return this.count;
  }

  /** average orders per user (EMA), null before the first pair */
  get ordersPerUser(): number | null {
    return this.ratio;
  }

  /** the highest smoothed orders per user seen: the light-load value */
  get lightLoadOrdersPerUser(): number | null {
    return this.lightRatio;
  }

  /** the slope fitted on the latest update, unclamped; null when not identifiable this cycle */
  get fittedSlope(): number | null {
    return this.lastFit;
  }

  /** the fitted slope when the latest pair has the most users of the window (users went up) */
  get risingSlope(): number | null {
    const last = this.window[this.window.length - 1];
    if (this.lastFit === null || !last) return null;
    return this.window.every((p) => p.users <= last.users) ? this.lastFit : null;
  }

  /** the slope for the control law: identified or, before that, the average orders per user; clamped */
  controlSlope(): number | null {
    const light = this.lightRatio;
    if (light === null || !(light > 0)) return null;
    const raw = this.smooth ?? this.ratio ?? light;
    return Math.min(1.5 * light, Math.max(this.options.minSlopeFraction * light, raw));
  }

  reset(): void {
    this.window.length = 0;
    this.ratio = null;
    this.sumOpm = 0;
    this.sumUsers = 0;
    this.identified = null;
    this.lastSe = null;
    this.smooth = null;
    this.smoothVar = 0;
    this.count = 0;
    this.lastFit = null;
    // the light-load orders per user survives a stall: it describes the shop, not this episode
  }
}
