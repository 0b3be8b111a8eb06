/**
 * What one more user is worth. From (users in effect, measured OPM) pairs the estimator keeps:
 * - the average orders per user — Σ OPM / Σ users over exponentially discounted pairs, which
 *   weighs a pair by its size (the maximum-likelihood estimate when orders are a Poisson count, so
 *   a noisy probe of a few users cannot dominate) — and its highest value, the "light-load"
 *   orders per user the knee detector compares against;
 * - the local elasticity ε = d ln OPM / d ln users, from a least-squares line through the
 *   logarithms of a sliding window of pairs, only when the users in the window are spread enough
 *   to identify it (on a plateau they are not, and the last identified value is kept: no
 *   covariance wind-up, no division by a spread of ~0). The marginal OPM of one more user is
 *   ε × (orders per user at the operating point). A straight-line fit of OPM over users lags a
 *   saturating curve by half a window; the elasticity changes more slowly than the slope, so
 *   ε × the current ratio is much closer at the current point (and see the curvature below).
 * The slope handed to the control law comes from the identified elasticities smoothed by
 * inverse-variance weighting (each fit's standard error against a slowly drifting state), then
 * clamped to [minSlopeFraction, 1.5] × the light-load orders per user: never ~0, never absurd.
 *
 * A fit describes the curve at the centre of its window, half a window of users below the
 * operating point, and the smoothing keeps older fits lower still. High on a capacity curve the
 * elasticity falls fast (on the sandbox shop with capacity 10,000 it goes from 0.62 at 1,500
 * users to 0.37 at the 2,200 that give 7,200 OPM), so that value is well above the elasticity
 * where the load is: the controller then credits added users with orders they do not bring, and
 * on a plateau, where no new fit is possible, it keeps that stale value for good. So the smoothed elasticity is carried to the
 * users in effect along the curvature dε/d ln users, a weighted line through the recent fits'
 * (window centre, elasticity), clamped to ≤ 0 (a capacity curve bends down, never up) and
 * carried at most one window span beyond the fits (`elasticityAt`), and never more than 30 %
 * below the fits' value: an underestimated slope makes steps too large, which costs overshoot.
 * Fits come only from windows in which the users rose (the ramp, a recovery): on a plateau the
 * users move in answer to the KPI's noise, and a fit through those moves is biased.
 */
export interface EstimatorOptions {
  /** pairs in the fit window (at most twice this many when `windowMs` is given) */
  windowPairs: number;
  /**
   * the fit window in ms: pairs older than this (from the newest) leave it, however many cycles
   * that is — control cycles are not regular; without it the window is `windowPairs` pairs
   */
  windowMs?: number;
  /** discount of older pairs in the orders-per-user sums, 0 < discount < 1: per pair, or per `intervalMs` of time when pairs carry times */
  ratioDiscount: number;
  /** the nominal control interval (ms): the unit the discount and the drift of the elasticity are given in */
  intervalMs?: number;
  /** lower clamp of the control slope, as a fraction of the light-load orders per user */
  minSlopeFraction: number;
}

/** a fit's standard error counts as at least this much: one fit through a big jump of users must not outweigh the rest */
const MIN_FIT_SD = 0.03;
/** the curvature lowers the fits' elasticity by at most this fraction */
const MAX_BEND = 0.3;

export interface Pair {
  users: number;
  opm: number;
  /** when the measurement was taken (ms); pairs without a time count as one interval apart */
  t?: number;
}

export interface ElasticityFit {
  elasticity: number;
  se: number;
  /** the window's mean log users: where the fit describes the curve */
  centre: number;
  /** the window's spread of log users */
  span: number;
}

export class PlantEstimator {
  private readonly window: Pair[] = [];
  private ratio: number | null = null;
  private sumOpm = 0;
  private sumUsers = 0;
  private lightRatio: number | null = null;
  private count = 0;
  private lastFit: ElasticityFit | null = null;
  /** smoothed elasticity state and its variance */
  private smooth: number | null = null;
  private smoothVar = 0;
  /** the log users the smoothed elasticity describes (blended with the same gain) */
  private smoothAt = 0;
  /** recent fits: window centre (log users), elasticity, weight */
  private readonly fits: { x: number; e: number; w: number }[] = [];
  /** the widest log-users span of a window seen: how far the elasticity is carried */
  private span = 0;
  private lastT: number | null = null;

  constructor(readonly options: EstimatorOptions) {}

  update(pair: Pair): void {
    if (!(pair.users > 0) || !Number.isFinite(pair.opm) || pair.opm < 0) return;
    // how many intervals since the previous pair: the discount and the drift are per interval of time
    const intervals = this.intervalsSince(pair.t);
    const discount = Math.pow(this.options.ratioDiscount, intervals);
    this.sumOpm = this.sumOpm * discount + pair.opm;
    this.sumUsers = this.sumUsers * discount + pair.users;
    this.ratio = this.sumOpm / this.sumUsers;
    this.count += 1;
    // the light-load value once three pairs back it (one small noisy probe is not a light-load level)
    if (this.count >= 3 || this.lightRatio !== null) this.lightRatio = Math.max(this.lightRatio ?? 0, this.ratio);
    this.window.push(pair);
    const { windowMs } = this.options;
    if (windowMs !== undefined && pair.t !== undefined) {
      const from = pair.t - windowMs;
      while (this.window.length > 0 && (this.window[0]?.t ?? from) <= from) this.window.shift();
      while (this.window.length > 2 * this.options.windowPairs) this.window.shift();
    } else while (this.window.length > this.options.windowPairs) this.window.shift();
    const fit = this.fitElasticity();
    this.lastFit = fit;
    if (!fit) return;
    const fitVar = Math.max(fit.se ** 2, MIN_FIT_SD ** 2);
    this.fits.push({ x: fit.centre, e: fit.elasticity, w: 1 / fitVar });
    while (this.fits.length > 2 * this.options.windowPairs) this.fits.shift();
    this.span = Math.max(this.span, fit.span);
    if (this.smooth === null) {
      this.smooth = fit.elasticity;
      this.smoothVar = fitVar;
      this.smoothAt = fit.centre;
    } else {
      // the elasticity drifts as the load moves along the capacity curve (a random walk: per interval)
      this.smoothVar += 0.05 ** 2 * Math.max(0.25, intervals);
      const k = this.smoothVar / (this.smoothVar + fitVar);
      this.smooth += k * (fit.elasticity - this.smooth);
      this.smoothAt += k * (fit.centre - this.smoothAt);
      this.smoothVar *= 1 - k;
    }
  }

  private intervalsSince(t: number | undefined): number {
    const prev = this.lastT;
    if (t !== undefined) this.lastT = t;
    const interval = this.options.intervalMs;
    if (t === undefined || prev === null || interval === undefined || !(interval > 0)) return 1;
    return Math.min(10, Math.max(0, t - prev) / interval);
  }

  /**
   * dε/d ln users from the recent fits (weighted least squares of elasticity over window centre),
   * ≤ 0; 0 while the fits' centres are not spread enough to tell
   */
  curvature(): number {
    const f = this.fits;
    if (f.length < 3) return 0;
    const sw = f.reduce((a, p) => a + p.w, 0);
    const mx = f.reduce((a, p) => a + p.w * p.x, 0) / sw;
    const me = f.reduce((a, p) => a + p.w * p.e, 0) / sw;
    let sxx = 0;
    let sxe = 0;
    for (const p of f) {
      sxx += p.w * (p.x - mx) ** 2;
      sxe += p.w * (p.x - mx) * (p.e - me);
    }
    const xs = f.map((p) => p.x);
    if (Math.max(...xs) - Math.min(...xs) < Math.log(1.1) || sxx <= 0) return 0;
    // only a curvature the fits show beyond their noise (2 standard errors): clamping noise at 0 would bend every shop down
    const c = sxe / sxx;
    return c < -2 / Math.sqrt(sxx) ? c : 0;
  }

  /** the smoothed elasticity carried along the curvature to `users` (at most one window span beyond the fits); null before a fit */
  elasticityAt(users: number): number | null {
    if (this.smooth === null) return null;
    if (!(users > 0)) return this.smooth;
    const dx = Math.min(Math.max(0, Math.log(users) - this.smoothAt), Math.max(this.span, Math.log(1.1)));
    return this.smooth + this.curvature() * dx;
  }

  /** least-squares elasticity (and its standard error) over the window; null when the users do not vary enough */
  private fitElasticity(): ElasticityFit | null {
    const pts = this.window.filter((p) => p.users > 0 && p.opm > 0).map((p) => ({ x: Math.log(p.users), y: Math.log(p.opm) }));
    const n = pts.length;
    if (n < 3) return null;
    const mx = pts.reduce((a, p) => a + p.x, 0) / n;
    const my = pts.reduce((a, p) => a + p.y, 0) / n;
    let sxx = 0;
    let sxy = 0;
    for (const p of pts) {
      sxx += (p.x - mx) ** 2;
      sxy += (p.x - mx) * (p.y - my);
    }
    const minX = Math.min(...pts.map((p) => p.x));
    const maxX = Math.max(...pts.map((p) => p.x));
    // identifiable only if the users span at least 10 % (log 1.1) and more than 3 users
    if (maxX - minX < Math.log(1.1) || Math.exp(maxX) - Math.exp(minX) < 3 || sxx <= 0) return null;
    // and only from users that rose (the ramp, a recovery): users that went down as well are the
    // loop's answer to the KPI's noise, and a fit through them is biased (closed-loop identification)
    for (let i = 1; i < pts.length; i++) if ((pts[i]?.x ?? 0) < (pts[i - 1]?.x ?? 0) - Math.log(1.01)) return null;
    const elasticity = sxy / sxx;
    let rss = 0;
    for (const p of pts) rss += (p.y - my - elasticity * (p.x - mx)) ** 2;
    return { elasticity, se: Math.sqrt(rss / Math.max(1, n - 2) / sxx), centre: mx, span: maxX - minX };
  }

  /** average orders per user (discounted Σ OPM / Σ users), null before the first pair */
  get ordersPerUser(): number | null {
    return this.ratio;
  }

  /** the highest average orders per user seen: the light-load value */
  get lightLoadOrdersPerUser(): number | null {
    return this.lightRatio;
  }

  /** pairs seen since the start or the last reset */
  get pairs(): number {
    return this.count;
  }

  /**
   * the marginal OPM per added user from this cycle's fit when the latest pair has the most users
   * of the window (users went up): its estimate and its upper confidence bound (≈ 95 %); null otherwise
   */
  risingMarginal(ratioNow: number): { estimate: number; upper: number } | null {
    const last = this.window[this.window.length - 1];
    if (!this.lastFit || !last || !this.window.every((p) => p.users <= last.users)) return null;
    return { estimate: this.lastFit.elasticity * ratioNow, upper: (this.lastFit.elasticity + 2 * this.lastFit.se) * ratioNow };
  }

  /**
   * the slope dOPM/dUsers at orders-per-user `ratioNow` for the control law, clamped; null before
   * any pair. With `usersNow`, the elasticity is the one carried to those users (`elasticityAt`).
   */
  controlSlope(ratioNow?: number, usersNow?: number): number | null {
    const light = this.lightRatio ?? this.ratio;
    if (light === null || !(light > 0)) return null;
    const ratio = ratioNow !== undefined && ratioNow > 0 ? ratioNow : (this.ratio ?? light);
    const smooth = this.smooth ?? 1;
    const at = usersNow !== undefined ? this.elasticityAt(usersNow) : null;
    // carried at most MAX_BEND below the fits: a slope too low makes steps too big (overshoot), so
    // one odd fit must not turn the curvature into a near-zero slope
    const elasticity = at === null ? smooth : Math.max(at, (1 - MAX_BEND) * smooth);
    const raw = elasticity * ratio;
    return Math.min(1.5 * light, Math.max(this.options.minSlopeFraction * light, raw));
  }

  /** relative uncertainty of the control slope (the smoothed elasticity's standard deviation / elasticity) */
  relativeSlopeUncertainty(): number | null {
    if (this.smooth === null) return null;
    return Math.sqrt(this.smoothVar) / Math.max(0.05, Math.abs(this.smooth));
  }

  /**
   * The shop changed (the OPM filter saw a change): pairs from before it describe another shop, so
   * the fit window and its fits start again; the smoothed elasticity is kept as the starting point,
   * less certain, and the orders per user start from the latest pair.
   */
  changed(): void {
    this.window.length = 0;
    this.fits.length = 0;
    this.lastFit = null;
    this.span = 0;
    this.sumOpm = 0;
    this.sumUsers = 0;
    if (this.smooth !== null) this.smoothVar = Math.max(this.smoothVar, 0.1 ** 2);
  }

  /** forget everything, the light-load orders per user too (what was learnt was paired wrongly) */
  clear(): void {
    this.reset();
    this.lightRatio = null;
  }

  reset(): void {
    this.window.length = 0;
    this.ratio = null;
    this.sumOpm = 0;
    this.sumUsers = 0;
    this.lastFit = null;
    this.smooth = null;
    this.smoothVar = 0;
    this.smoothAt = 0;
    this.fits.length = 0;
    this.span = 0;
    this.count = 0;
    this.lastT = null;
    // the light-load orders per user survives a stall: it describes the shop, not this episode
  }
}
