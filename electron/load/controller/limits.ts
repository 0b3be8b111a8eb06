/**
 * Where the load must stop rising, and for how long: the knee as a hypothesis, the run's guards
 * kept in sight, and a saturated load generator told apart from a saturated shop.
 *
 * A knee hypothesis forms on a fresh (users, OPM) pair when
 * - the shop saturates: an added user is worth < 10 % of a light-load one, or errors are 5 points
 *   / p99 10× above light load, two cycles in a row (knee.ts);
 * - the shop hits a cliff: the errors jumped (≥ `cliffErrorJump`) while OPM gained less than half
 *   of what the added users brought before;
 * The controller then holds at the last point where orders still followed users within the guards
 * (`cap`), and keeps testing the hypothesis: when errors clear or OPM at the hold rises (capacity
 * came: an autoscaler, pods finishing their start), and otherwise every `probeEvery`
 * measurements, it probes a bounded step up — after a cliff at most as many users as the error
 * guard could absorb if all their orders failed — and resumes the climb, in such steps, when
 * orders follow (at least `resumeFraction` of a light-load user's orders per added user after a
 * saturation; no error jump after a cliff); otherwise it goes back to the hold.
 *
 * The guards are kept in sight all along: from how the error rate (and log p99) rose with log
 * users while users rose, the users at which they would reach `guardMargin` of the run's limit
 * (and, for errors, three of their own reading-to-reading swings below it: one reading past the
 * limit ends the run) cap every step (a cap below the users when they are past it). Such a cap that keeps the
 * controller from the users it wants is a knee too: the shop cannot give more orders within the
 * user's limits. It moves with what the shop does: when capacity comes, errors fall and the cap
 * rises on its own.
 *
 * A knee is *reported* only if it still holds (binds) at the end of the ramp (or, formed on the
 * plateau, once a probe failed or the guard cap bound twice), and withdrawn if orders follow users
 * again later.
 *
 * Workers at ≥ `generatorCpuPct` CPU: the load generator, not the shop, is the limit. No knee is
 * looked for or reported while it is; users are held where they are and `generatorSaturated` is
 * flagged (more workers are the remedy: `load.locust.workers`).
 */
import { DEFAULT_KNEE, KneeDetector, type Knee, type KneeOptions } from './knee.ts';

export interface LimitOptions {
  knee: KneeOptions;
  /** the run's guard limits (spec.guards), kept in sight; null: none */
  maxErrorRate: number | null;
  maxP99Ms: number | null;
  /** hold when a guard's measure reaches this fraction of its limit, or would after another step */
  guardMargin: number;
  /**
   * a cliff: the error rate rises at least this much per unit of log users (0.5: 0.5 points per 1 %
   * more users; a shop that refuses what it cannot take shows ~1, a smoothly saturating one ~0.1),
   * by at least `cliffErrorJump`, while OPM gains less than half of what the added users brought before
   */
  cliffErrorSlope: number;
  cliffErrorJump: number;
  /** fresh measurements at the hold between probes */
  probeEvery: number;
  /** a probe's step up, fraction of the hold's users */
  probeStep: number;
  /** a probe passes when each added user brings at least this × a light-load user's orders */
  resumeFraction: number;
  /** workers above this CPU % mean the generator is saturated; below `generatorClearPct` it is not */
  generatorCpuPct: number;
  generatorClearPct: number;
}

/** the least the guard caps assume the error rate (per unit of ln users) and ln p99 (per unit of ln users) rise */
const GUARD_MIN_ERROR_SLOPE = 0.15;
const GUARD_MIN_P99_SLOPE = 1;
/** a guard's measure below this fraction of its limit caps nothing */
const GUARD_NEAR = 0.25;
/**
 * p99 rising slower than this with users (per unit of ln users: doubling the users adds < 7 %) is
 * the service's own latency, not load: no number of users takes it over its guard or back under,
 * so it caps nothing while it is under the guard (past it, the guard itself judges the run)
 */
const P99_FLAT_SLOPE = 0.1;
/** how fast errors rise past a cliff (a shop that refuses what it cannot take: 1 − capacity / offered) */
const CLIFF_ERROR_SLOPE = 1;
/** errors seen over users this far apart (ln) rise the shop's own way, not a cliff's */
const SMOOTH_ERRORS_SPREAD = Math.log(1.08);

export const DEFAULT_LIMITS: LimitOptions = {
  knee: DEFAULT_KNEE,
  maxErrorRate: null,
  maxP99Ms: null,
  guardMargin: 0.8,
  cliffErrorSlope: 0.5,
  cliffErrorJump: 0.005,
  probeEvery: 3,
  probeStep: 0.1,
  resumeFraction: 0.5,
  generatorCpuPct: 90,
  generatorClearPct: 80,
};

export interface LimitPair {
  /** decision time (ms since load start) */
  t: number;
  /** users the measurement reflects (mean over its window), and the lowest over it */
  users: number;
  minUsers: number;
  opm: number;
  errorRate: number;
  /**
   * what the error guard judges: the latest interval's error rate (when the KPI counts one; else
   * errorRate) and the users of that interval (the users in effect at the decision; else users)
   */
  guardErrorRate?: number;
  guardUsers?: number;
  p99Ms: number | null;
  generatorCpuPct: number | null;
}

export interface LimitContext {
  /** the light-load orders per user (estimator) */
  lightOrdersPerUser: number | null;
  /** the fitted marginal OPM per added user while users rose (estimator), with its upper bound */
  marginalOpm: { estimate: number; upper: number } | null;
  /** relative noise of one measurement (the OPM filter's) */
  relativeNoise: number;
}

type State = 'climbing' | 'holding' | 'probing';

interface Hold extends Knee {
  reason: string;
  /** what formed it: a saturating shop, or a cliff */
  kind: 'saturation' | 'cliff';
  /** formed at or after the end of the ramp */
  onPlateau: boolean;
  /** errors showed at the hold (so their clearing means something) */
  sawErrors: boolean;
  /** running mean of the measurements at the hold, and how many */
  meanOpm: number;
  meanErrors: number;
  n: number;
}

export interface LimitVerdict {
  /** a knee to report now (once) */
  report?: Knee & { reason: string; byGuard?: boolean };
  /** the knee reported earlier no longer holds */
  cleared?: boolean;
  note?: string;
}

export class LoadLimits {
  private state: State = 'climbing';
  private readonly options: LimitOptions;
  private detector: KneeDetector;
  private readonly pairs: LimitPair[] = [];
  private hold: Hold | null = null;
  private probeUsers = 0;
  private sinceProbe = 0;
  private failedProbes = 0;
  private reported: (Knee & { reason: string }) | null = null;
  private reportedByGuard = false;
  /** the guard cap's binding streak began on the ramp */
  private streakFromRamp = false;
  /** decisions in a row the guard cap did not bind */
  private guardFree = 0;
  private generator = false;
  private generatorHold = 0;
  private lightErrors: number | null = null;
  private pendingNote: string | undefined;
  private pendingCleared = false;
  /** d(error rate)/d(ln users) and d(ln p99)/d(ln users), learnt while users rose (null: not yet) */
  private errorSlope: number | null = null;
  /** the variance of the error rate from one reading to the next at steady users */
  private errorVar = 0;
  /** three or more recent pairs showed errors over users 8 % or more apart: their slope is the shop's, not a cliff's edge */
  private errorsRiseSmoothly = false;
  /** the recent pairs the slopes are fitted to: ln users, error rate, ln p99 */
  private readonly guardPairs: { x: number; e: number; l: number | null }[] = [];
  private p99Slope: number | null = null;
  /** the users at which the guards would be reached (Infinity: far), and how many decisions in a row it bound */
  private guardCap = Infinity;
  /** the guard cap is only the step bound at a possible cliff's edge (errors below GUARD_NEAR of the guard): it makes no knee */
  private guardCapIsEdge = false;
  private guardBinding = 0;
  private guardReason = '';
  private lastPair: LimitPair | null = null;
  /** after a released hypothesis: users rise by at most one probe step per measurement (null: no bound) */
  private climbCap: number | null = null;
  private climbStep = 0;

  constructor(options: Partial<LimitOptions> = {}) {
    this.options = { ...DEFAULT_LIMITS, ...options, knee: { ...DEFAULT_KNEE, ...options.knee } };
    this.detector = new KneeDetector(this.options.knee);
  }

  /** the most users the controller may command now (null: no limit) */
  cap(): number | null {
    const caps: number[] = [];
    if (Number.isFinite(this.guardCap)) caps.push(this.guardCap);
    if (this.generator) caps.push(this.generatorHold);
    if (this.state === 'holding' && this.hold) caps.push(this.hold.users);
    if (this.state === 'probing') caps.push(this.probeUsers);
    if (this.state === 'climbing' && this.climbCap !== null) caps.push(this.climbCap);
    return caps.length ? Math.min(...caps) : null;
  }

  /** the cap no longer limits the controller: the bounded climb after a knee is over */
  unbound(): void {
    if (this.state === 'climbing') this.climbCap = null;
  }

  /** a fresh pair on the bounded climb: one more step allowed */
  private stepClimb(p: LimitPair): void {
    if (this.climbCap === null) return;
    this.climbCap = Math.max(this.climbCap + 1, Math.round(Math.max(this.climbCap, p.users) * (1 + this.climbStep)));
  }

  get generatorSaturated(): boolean {
    return this.generator;
  }

  /** the hypothesis the controller holds at (null while climbing) */
  get holding(): (Knee & { reason: string }) | null {
    return this.hold && this.state !== 'climbing' ? { users: this.hold.users, opm: this.hold.opm, p99Ms: this.hold.p99Ms, reason: this.hold.reason } : null;
  }

  /** one fresh measurement, paired with the users it reflects */
  observe(p: LimitPair, ctx: LimitContext, plateau: boolean, detectKnee = true): void {
    this.observeGenerator(p);
    if (this.generator || !detectKnee) return; // OPM that stops following here says nothing about the shop
    this.learnGuards(p);
    this.lastPair = p;
    if (this.state === 'climbing') this.climbing(p, ctx, plateau);
    else if (this.state === 'holding') this.holdingStep(p, ctx);
    else this.probingStep(p, ctx);
    if (this.state === 'climbing') this.remember(p);
  }

  /**
   * What to tell the run this cycle: the knee, once it still holds at the end of the ramp (or,
   * formed on the plateau, after a probe failed) while it limits the users (`binding`); its
   * withdrawal when it no longer holds.
   */
  verdict(atOrAfterRampEnd: boolean, binding: boolean): LimitVerdict {
    const out: LimitVerdict = {};
    if (this.pendingNote) out.note = this.pendingNote;
    this.pendingNote = undefined;
    // the guard cap binds: the users the controller wants would take the shop past a guard
    const guardBinds = binding && Number.isFinite(this.guardCap) && !this.guardCapIsEdge && this.guardCap <= (this.cap() ?? Infinity);
    this.guardBinding = guardBinds ? this.guardBinding + 1 : 0;
    // a streak that began on the ramp is the ramp running into the guard; one that begins on the plateau needs more to tell it from noise
    if (!guardBinds) this.streakFromRamp = false;
    else if (this.guardBinding === 1) this.streakFromRamp = !atOrAfterRampEnd;
    this.guardFree = guardBinds ? 0 : this.guardFree + 1;
    if (this.pendingCleared || (this.reportedByGuard && this.guardFree >= 3)) {
      this.pendingCleared = false;
      if (this.reported) {
        out.cleared = true;
        this.reported = null;
        this.reportedByGuard = false;
      }
    }
    if (this.reported || !atOrAfterRampEnd || !binding) return out;
    const h = this.hold;
    if (h && this.state !== 'climbing' && (!h.onPlateau || this.failedProbes > 0)) {
      this.reported = { users: h.users, opm: h.opm, p99Ms: h.p99Ms, reason: h.reason };
      out.report = this.reported;
    } else if (guardBinds && this.guardBinding >= (this.streakFromRamp ? 2 : 4) && this.lastPair) {
      const p = this.lastPair;
      this.reported = { users: this.guardCap, opm: p.opm * Math.min(1, this.guardCap / p.users), p99Ms: p.p99Ms, reason: this.guardReason };
      this.reportedByGuard = true;
      out.report = { ...this.reported, byGuard: true };
    }
    return out;
  }

  private observeGenerator(p: LimitPair): void {
    const cpu = p.generatorCpuPct;
    if (cpu === null) return;
    if (!this.generator && cpu >= this.options.generatorCpuPct) {
      this.generator = true;
      this.generatorHold = Math.max(1, Math.round(p.users));
      this.pendingNote = `the load generator is saturated (workers at ${Math.round(cpu)} % CPU): holding ${this.generatorHold} users; more workers are needed, this is not the shop's knee`;
    } else if (this.generator && cpu < this.options.generatorClearPct) {
      this.generator = false;
      this.pendingNote = `the load generator has room again (workers at ${Math.round(cpu)} % CPU)`;
    }
  }

  private remember(p: LimitPair): void {
    this.pairs.push(p);
    if (this.pairs.length > 60) this.pairs.shift();
    if (Number.isFinite(p.errorRate)) this.lightErrors = Math.min(this.lightErrors ?? p.errorRate, p.errorRate);
  }

  /** the last pair below `users` where orders still followed users — errors at their light-load level: the best OPM there */
  private lastGood(users: number): LimitPair | null {
    const clean = (this.lightErrors ?? 0) + this.options.cliffErrorJump;
    let best: LimitPair | null = null;
    for (const q of this.pairs) {
      if (q.users >= users * 0.995 || q.errorRate > clean) continue;
      if (!best || q.opm > best.opm) best = q;
    }
    return best;
  }

  /**
   * how errors and p99 grow with users — least squares over the recent pairs when their users
   * span at least 5 % (single steps are too short to tell noise from slope) — and the users at
   * which they would reach the guards
   */
  private learnGuards(p: LimitPair): void {
    // how much the error rate swings from one reading to the next while the users hold still
    const prev = this.lastPair;
    if (prev && Math.abs(Math.log(p.users / prev.users)) < Math.log(1.03)) {
      const swing = (p.errorRate - prev.errorRate) ** 2 / 2;
      this.errorVar = this.errorVar === 0 ? swing : this.errorVar + 0.2 * (swing - this.errorVar);
    }
    // the guard's view: the latest interval's errors with that interval's users (on a ramp the
    // KPI's 40 s span still averages in the half minute before, with fewer users and fewer errors)
    const gUsers = p.guardUsers !== undefined && p.guardUsers > 0 ? p.guardUsers : p.users;
    const judged = Math.max(p.errorRate, p.guardErrorRate ?? 0);
    this.guardPairs.push({ x: Math.log(gUsers), e: judged, l: p.p99Ms !== null && p.p99Ms > 0 ? Math.log(p.p99Ms) : null });
    if (this.guardPairs.length > 10) this.guardPairs.shift();
    // the readings that show errors above their light-load level
    const failing = (this.lightErrors ?? 0) + this.options.cliffErrorJump;
    const showing = this.guardPairs.filter((q) => q.e > failing);
    const xs = this.guardPairs.map((q) => q.x);
    if (Math.max(...xs) - Math.min(...xs) >= Math.log(1.05)) {
      const fit = (ys: { x: number; y: number }[]): number | null => {
        if (ys.length < 3) return null;
        const mx = ys.reduce((a, q) => a + q.x, 0) / ys.length;
        const my = ys.reduce((a, q) => a + q.y, 0) / ys.length;
        let sxx = 0;
        let sxy = 0;
        for (const q of ys) {
          sxx += (q.x - mx) ** 2;
          sxy += (q.x - mx) * (q.y - my);
        }
        return sxx > 0 ? Math.max(0, sxy / sxx) : null;
      };
      this.errorSlope = fit(this.guardPairs.map((q) => ({ x: q.x, y: q.e }))) ?? this.errorSlope;
      this.p99Slope = fit(this.guardPairs.flatMap((q) => (q.l === null ? [] : [{ x: q.x, y: q.l }]))) ?? this.p99Slope;
      // errors seen growing with users: three or more pairs showing them, their users 8 % or more
      // apart (the KPI's span averages errors and users over half a minute, so at a cliff's edge the
      // first few pairs look like a gentle rise over a few %: only a wider spread tells the shop's
      // way from an edge); once seen, it is the shop's way
      const sx = showing.map((q) => q.x);
      if (sx.length >= 3 && Math.max(...sx) - Math.min(...sx) >= SMOOTH_ERRORS_SPREAD) this.errorsRiseSmoothly = true;
    }
    const { maxErrorRate, maxP99Ms, guardMargin } = this.options;
    let cap = Infinity;
    let reason = '';
    // ln(users at the limit / users now) = headroom / slope; past the limit: a cap below the users
    // (a slope of at least `minSlope`: a guard is a hard limit, so its cap assumes the measure rises at least that fast)
    const capFor = (headroom: number, slope: number | null, minSlope: number, from = p.users): number => {
      const k = Math.max(slope ?? 0, minSlope);
      return from * Math.exp(Math.max(-0.2, Math.min(0.5, headroom / k)));
    };
    // a guard far off is no limit yet: its slope, learnt from small noisy values, would only stop the
    // climb early; but errors that rose above their light-load level before any were seen rising
    // with users may be a cliff's edge (a shop that refuses what it cannot take: one more step of
    // the ramp's size there fails more orders than the guard allows)
    const edge = !this.errorsRiseSmoothly && judged > failing;
    let edgeOnly = false;
    if (maxErrorRate !== null && (judged >= GUARD_NEAR * maxErrorRate || edge)) {
      // until three pairs have shown errors rising smoothly, they may be a cliff's: assume the steepest
      // a single reading past the limit ends the run: keep three of the error rate's own swings below it too
      const ceiling = Math.min(guardMargin * maxErrorRate, maxErrorRate - 3 * Math.sqrt(this.errorVar));
      // not yet seen rising the shop's way: as steep as a cliff, or as the last step showed if steeper than the floor
      const local = this.localErrorSlope(showing);
      const minSlope = this.errorsRiseSmoothly ? GUARD_MIN_ERROR_SLOPE : local !== null ? Math.max(GUARD_MIN_ERROR_SLOPE, local) : CLIFF_ERROR_SLOPE;
      const c = capFor(ceiling - judged, this.errorsRiseSmoothly ? this.errorSlope : null, minSlope, gUsers);
      if (c < cap) {
        cap = c;
        // near the edge only a precaution on the step: no limit the run is told of
        edgeOnly = judged < GUARD_NEAR * maxErrorRate;
        reason = `the error rate would pass ${(guardMargin * maxErrorRate * 100).toFixed(1)} % (the guard is ${(maxErrorRate * 100).toFixed(1)} %) beyond ~${Math.round(c)} users`;
      }
    }
    const p99Flat = this.p99Slope !== null && this.p99Slope < P99_FLAT_SLOPE && p.p99Ms !== null && maxP99Ms !== null && p.p99Ms < maxP99Ms;
    if (maxP99Ms !== null && p.p99Ms !== null && p.p99Ms >= GUARD_NEAR * maxP99Ms && !p99Flat) {
      const c = capFor(Math.log((guardMargin * maxP99Ms) / p.p99Ms), this.p99Slope, GUARD_MIN_P99_SLOPE);
      if (c < cap) {
        cap = c;
        edgeOnly = false;
        reason = `p99 would pass ${Math.round(guardMargin * maxP99Ms)} ms (the guard is ${maxP99Ms} ms) beyond ~${Math.round(c)} users`;
      }
    }
    this.guardCap = Number.isFinite(cap) ? Math.max(1, Math.floor(cap)) : Infinity;
    this.guardCapIsEdge = edgeOnly;
    this.guardReason = reason;
  }

  /**
   * d(error rate)/d(ln users) between the last two readings that showed errors, when the users
   * rose at least 2 % between them (null otherwise): a cliff's edge shows ~1 there, a shop whose
   * errors grow gently a tenth of that
   */
  private localErrorSlope(showing: readonly { x: number; e: number }[]): number | null {
    const a = showing[showing.length - 2];
    const b = showing[showing.length - 1];
    if (!a || !b || b !== this.guardPairs[this.guardPairs.length - 1] || b.x - a.x < Math.log(1.02)) return null;
    return Math.max(0, (b.e - a.e) / (b.x - a.x));
  }

  private climbing(p: LimitPair, ctx: LimitContext, plateau: boolean): void {
    this.stepClimb(p);
    // a cliff: one step up, the errors jump (for the users added) and OPM stops following
    const prev = this.pairs[this.pairs.length - 1];
    if (prev && p.users >= prev.users * 1.02 && p.minUsers >= prev.users) {
      const jump = p.errorRate - prev.errorRate;
      const slope = jump / Math.log(p.users / prev.users);
      const noiseOpm = Math.max(0.005, ctx.relativeNoise) * p.opm * Math.SQRT2;
      if (jump >= this.options.cliffErrorJump && slope >= this.options.cliffErrorSlope && p.opm - prev.opm - noiseOpm < 0.5 * (prev.opm / prev.users) * (p.users - prev.users))
        return this.startHold(this.lastGood(p.users) ?? prev, `a cliff: errors ${(prev.errorRate * 100).toFixed(1)} → ${(p.errorRate * 100).toFixed(1)} % while orders stopped following users`, 'cliff', plateau);
    }
    // saturation (the detector's rules, two cycles in a row)
    const found = this.detector.observe({
      users: Math.round(p.users),
      opm: p.opm,
      marginalOpm: ctx.marginalOpm,
      lightOrdersPerUser: ctx.lightOrdersPerUser,
      errorRate: p.errorRate,
      p99Ms: p.p99Ms,
    });
    if (!found) return;
    // failing already where the streak began (a cliff the OPM noise hid): back to where errors were still at light load
    const failing = p.errorRate > (this.lightErrors ?? 0) + 2 * this.options.cliffErrorJump;
    const good = failing ? this.lastGood(found.users) : null;
    // errors or latency that jumped are a wall like a cliff: probed in guard-safe steps; orders that stopped following, a saturation
    const kind = found.reason.startsWith('marginal') ? 'saturation' : 'cliff';
    if (good) this.startHold(good, `${found.reason}, failing beyond ${Math.round(good.users)} users`, 'cliff', plateau);
    else this.startHold({ ...p, users: found.users, opm: found.opm, p99Ms: found.p99Ms }, found.reason, kind, plateau);
  }

  private startHold(at: { users: number; opm: number; p99Ms: number | null; errorRate?: number }, reason: string, kind: Hold['kind'], plateau: boolean): void {
    this.climbCap = null;
    const users = Math.max(1, Math.round(at.users));
    this.hold = { users, opm: at.opm, p99Ms: at.p99Ms, reason, kind, onPlateau: plateau, meanOpm: at.opm, meanErrors: at.errorRate ?? 0, n: 0, sawErrors: false };
    this.state = 'holding';
    this.sinceProbe = 0;
    this.failedProbes = 0;
    this.pendingNote = `knee hypothesis at ${users} users, ${Math.round(at.opm)} OPM (${reason}): holding there and probing`;
  }

  private holdingStep(p: LimitPair, ctx: LimitContext): void {
    const h = this.hold;
    if (!h) return;
    // only measurements taken wholly at the hold describe it
    if (p.minUsers < h.users * 0.97 || p.users > h.users * 1.01) return;
    h.n += 1;
    const w = 1 / Math.min(h.n, 4);
    h.meanOpm += w * (p.opm - h.meanOpm);
    h.meanErrors += w * (p.errorRate - h.meanErrors);
    const noise = Math.max(0.005, ctx.relativeNoise);
    // errors seen at the hold that have cleared since: capacity came
    if (p.errorRate >= (this.lightErrors ?? 0) + 0.01) h.sawErrors = true;
    const cleared = h.sawErrors && p.errorRate <= (this.lightErrors ?? 0) + 0.005;
    const grew = p.opm > h.opm * (1 + 3 * noise);
    this.sinceProbe += 1;
    // a knee that held on its probes is probed less often (each probe past a cliff fails orders for
    // an interval or two): every probeEvery measurements, then twice, then four times that; capacity
    // that comes shows at the hold first (errors clear, orders rise) and is probed at once
    const every = this.options.probeEvery * Math.min(4, 2 ** this.failedProbes);
    if (cleared || grew || this.sinceProbe >= every) this.startProbe(cleared || grew ? (cleared ? 'errors cleared at the hold' : 'orders at the hold rose') : 'a scheduled probe');
  }

  /** a probe's step: after a cliff, at most what the error guard absorbs if every added user's orders failed */
  private probeStepFor(h: Hold): number {
    const guardStep = this.options.maxErrorRate !== null ? 0.8 * this.options.maxErrorRate : this.options.probeStep;
    return h.kind === 'cliff' ? Math.min(this.options.probeStep, guardStep) : this.options.probeStep;
  }

  private startProbe(why: string): void {
    const h = this.hold;
    if (!h) return;
    const step = this.probeStepFor(h);
    this.probeUsers = Math.max(h.users + 1, Math.round(h.users * (1 + step)));
    this.state = 'probing';
    this.sinceProbe = 0;
    this.pendingNote = `probing the knee hypothesis (${why}): ${h.users} → ${this.probeUsers} users`;
  }

  private probingStep(p: LimitPair, ctx: LimitContext): void {
    const h = this.hold;
    if (!h) return;
    const limit = this.options.maxErrorRate;
    // a probe that brings the guards near goes straight back
    if (limit !== null && p.errorRate >= this.options.guardMargin * limit) return this.failProbe(`errors ${(p.errorRate * 100).toFixed(1)} % at the probe`);
    if (p.minUsers < this.probeUsers * 0.97) return; // not wholly at the probe yet
    const light = ctx.lightOrdersPerUser ?? h.opm / h.users;
    const added = Math.max(1, p.users - h.users);
    const noise = Math.max(0.005, ctx.relativeNoise) * Math.max(p.opm, h.meanOpm) * Math.SQRT2;
    const gain = p.opm - h.meanOpm;
    const jump = p.errorRate - h.meanErrors;
    // after a cliff the errors must stay clean; after a saturation they must not jump
    const errorsJumped = h.kind === 'cliff' ? jump >= this.options.cliffErrorJump : jump >= this.options.cliffErrorJump && jump / Math.log(Math.max(1.001, p.users / h.users)) >= this.options.cliffErrorSlope;
    // after an error-bound hold the errors are the sharp signal (orders need only not fall); after a saturation, orders must follow
    const follows = h.kind === 'cliff' ? gain + noise >= 0 : gain - noise >= this.options.resumeFraction * light * added;
    // and another step like the probe must keep the errors clear of the guard
    const step = this.probeStepFor(h);
    const nextErrors = p.errorRate + (Math.max(0, jump) * Math.log(1 + step)) / Math.log(Math.max(1.001, p.users / h.users));
    const guardClear = limit === null || nextErrors < this.options.guardMargin * limit;
    if (!errorsJumped && follows && guardClear) return this.release(p, gain / added, step);
    this.failProbe(`${Math.round(gain)} more OPM for ${Math.round(added)} more users${errorsJumped ? `, errors ${(p.errorRate * 100).toFixed(1)} %` : ''}`);
  }

  private failProbe(why: string): void {
    this.state = 'holding';
    this.sinceProbe = 0;
    this.failedProbes += 1;
    this.pendingNote = `the knee still holds (${why}): back to ${this.hold?.users ?? 0} users`;
  }

  private release(p: LimitPair, perUser: number, step: number): void {
    this.pendingNote = `orders follow users again (${perUser.toFixed(2)} OPM per added user at ${Math.round(p.users)} users): resuming the climb in steps of ${Math.round(step * 100)} %`;
    this.climbCap = Math.max(this.probeUsers + 1, Math.round(this.probeUsers * (1 + step)));
    this.climbStep = step;
    this.state = 'climbing';
    this.hold = null;
    this.pendingCleared = true;
    this.detector = new KneeDetector(this.options.knee);
    // what was learnt below the knee still holds; the pairs at the knee do not describe the shop now
    this.pairs.length = 0;
    this.remember(p);
  }
}
