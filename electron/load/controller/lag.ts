/**
 * Which user count a measurement reflects — reasoned in time, not in control cycles, because the
 * cycles are not regular: the lifecycle's loop calls `decide()` once per interval on the run's
 * clock, but a slow Locust answer, a GC pause or (in the sandbox at a high time scale) an
 * event-loop stall makes a cycle late, and the loop then runs the cycles it missed back to back.
 *
 * A KPI lags the users that produced it: Locust's `current_rps` is a 10 s window served from a 2 s
 * cache (`windowMs`, `delayMs`), a scrape pipeline may add whole intervals. A KPI counted from
 * Locust's counters states its window (`Window`: the span between two reads); the others do not,
 * and the window is then the last `windowMs` ending `delayMs` before the decision. Any extra lag
 * on top is measured as dead time, in ms: from the first decision that saw users running to the
 * first non-zero measurement (bounded by `maxLagMs`; a stated window starts from no extra lag),
 * unless the caller states it.
 *
 * The users are known as a trajectory: at each decision the users in effect (Locust's count), and
 * from there Locust moves toward the commanded count at the commanded spawn rate. A measurement
 * taken at `t` reflects the trajectory's mean over [t − lag − delay − window, t − lag − delay]; on
 * regular cycles that is the users in effect at `t` (the spawn is over well within an interval),
 * after a short cycle it is the users of before the last command, however many cycles that was.
 */
export interface PairingOptions {
  /** the longest extra lag considered (ms) */
  maxLagMs: number;
  /** the extra lag if known (ms); measured as dead time otherwise */
  lagMs?: number;
  /** how long a window the KPI averages (ms); Locust's current_rps: 10 s */
  windowMs: number;
  /** how old the newest data in a measurement is (ms); Locust's stats cache: 2 s */
  delayMs: number;
}

/** how many first readings refine the lag */
const REFINE_READINGS = 12;
/** a refined lag must lower the χ² of log(orders per user) by at least this much (a 3 σ improvement) */
const MIN_IMPROVEMENT = 9;
/** relative noise of a KPI reading beyond the counting noise (bursty traffic) */
const BURST_NOISE = 0.03;

/** the span a measurement is the mean over (ms since load start), when the KPI states it */
export interface Window {
  fromMs: number;
  toMs: number;
}

interface Segment {
  /** decision time (ms since load start) */
  t: number;
  /** users in effect then */
  users: number;
  /** the count commanded then, and the spawn rate toward it (users/s) */
  command: number;
  rate: number;
}

export interface Effect {
  /** mean users over the span the measurement reflects */
  users: number;
  /** lowest and highest users over that span */
  min: number;
  max: number;
}

export class MeasurementPairing {
  private readonly segments: Segment[] = [];
  private lag: number | null;
  private firstUsersAt: number | null = null;
  /** when users were first commanded (the trajectory leaves 0), and the latest zero reading after that */
  private startedAt: number | null = null;
  /** the data end of the latest zero reading after users were commanded */
  private lastZeroAt: number | null = null;
  /** the first positive readings, kept to refine the lag (below); null once it is settled */
  private readings: { t: number; opm: number; window?: Window | undefined }[] | null = [];
  private stated: boolean;
  /** the longest stated window seen (ms): how much trajectory to keep */
  private longestWindow = 0;

  constructor(readonly options: PairingOptions) {
    this.lag = options.lagMs === undefined ? null : Math.min(options.maxLagMs, Math.max(0, options.lagMs));
    this.stated = options.lagMs !== undefined;
    if (this.stated) this.readings = null;
  }

  /** records the users in effect at decision time `t` (ms); times never go back */
  record(t: number, users: number): void {
    const last = this.segments[this.segments.length - 1];
    const at = last ? Math.max(last.t, t) : t;
    // until the command is known, hold the users seen
    this.segments.push({ t: at, users, command: users, rate: 0 });
    if (this.firstUsersAt === null && users > 0) this.firstUsersAt = at;
    // keep what the longest span back needs (all of it while the lag is being refined), and a bounded history
    if (this.readings !== null) return;
    const keepFrom = at - this.options.maxLagMs - this.options.delayMs - Math.max(this.options.windowMs, this.longestWindow) - 1;
    while (this.segments.length > 2 && (this.segments[1]?.t ?? Infinity) <= keepFrom) this.segments.shift();
    if (this.segments.length > 10_000) this.segments.shift();
  }

  /** the command sent at the latest decision (how the trajectory goes on from there) */
  commanded(users: number, spawnRate: number): void {
    const last = this.segments[this.segments.length - 1];
    if (!last) return;
    last.command = users;
    last.rate = Number.isFinite(spawnRate) && spawnRate > 0 ? spawnRate : 0;
    if (this.startedAt === null && users > 0 && last.rate > 0) this.startedAt = last.t;
  }

  /** where a measurement's data ends: the stated window's end, or `delayMs` before it was taken */
  private dataEnd(t: number, window?: Window): number {
    if (window) this.longestWindow = Math.min(3_600_000, Math.max(this.longestWindow, window.toMs - window.fromMs));
    return window ? window.toMs : t - this.options.delayMs;
  }

  /** a zero measurement at `t` while users were commanded: the lag is at least what it shows */
  observeZero(t: number, window?: Window): void {
    if (this.lag === null && this.startedAt !== null) this.lastZeroAt = this.dataEnd(t, window);
  }

  /**
   * A positive measurement at `t`: fixes the lag the first time, as the time from the first
   * decision that saw users to this one — on regular cycles the old "cycles of dead time" ×
   * interval, unchanged. Bounded by what the readings prove: no more than this reading's data end
   * (t − delay) minus when the users started, no less than the last zero reading's.
   */
  observePositive(t: number, window?: Window): void {
    if (this.lag !== null || this.firstUsersAt === null) return;
    const end = this.dataEnd(t, window);
    // a stated window needs no dead time: no extra lag unless a zero reading proved some
    let lag = window ? 0 : t - this.firstUsersAt;
    if (this.startedAt !== null) {
      if (!window) lag = Math.min(lag, end - this.startedAt);
      if (this.lastZeroAt !== null) lag = Math.max(lag, this.lastZeroAt - this.startedAt);
    }
    this.lag = Math.min(this.options.maxLagMs, Math.max(0, lag));
  }

  /**
   * A positive reading used by the controller. The dead time brackets the lag only as finely as the
   * cycles fall: a first reading after a stall may come long after the users started, and the time
   * from the first decision that saw users to the first orders then says little. So the first
   * `REFINE_READINGS` readings refine it: of the lags the dead time allows, the one under which
   * orders per user are most consistent across them (the users move a lot early on, so a wrong lag
   * shows as readings that do not scale with the users they are paired with). Returns true when the
   * lag changed (the caller re-pairs what it learnt: `readingPairs()`).
   */
  addReading(t: number, opm: number, window?: Window): boolean {
    if (this.readings === null || this.lag === null || !(opm > 0)) return false;
    this.readings.push({ t, opm, window });
    const before = this.lag;
    if (this.readings.length >= 3) {
      const { lower, upper } = this.bounds();
      if (upper > lower) {
        const steps = Math.min(120, Math.max(1, Math.ceil((upper - lower) / 500)));
        const cands: { lag: number; score: number }[] = [];
        for (let i = 0; i <= steps; i++) {
          const lag = lower + ((upper - lower) * i) / steps;
          cands.push({ lag, score: this.inconsistency(lag) });
        }
        const min = Math.min(...cands.map((c) => c.score));
        const current = this.inconsistency(before);
        // only a clearly better fit: noise must not move the lag (a 10 s count of a few users' orders is ±30 %)
        if (Number.isFinite(min) && current - min > MIN_IMPROVEMENT && min < 0.5 * current) {
          // the lags that fit as well form a range (the users held still between steps): take its middle
          const fit = cands.filter((c) => c.score <= min + Math.max(1, 0.1 * min));
          const lo = fit[0]?.lag ?? before;
          const hi = fit[fit.length - 1]?.lag ?? before;
          this.lag = (lo + hi) / 2;
        }
      }
    }
    if (this.readings.length >= REFINE_READINGS) this.readings = null;
    return this.lag !== before;
  }

  /** the kept readings paired under the current lag (to re-learn after the lag changed) */
  readingPairs(): { t: number; users: number; opm: number }[] {
    return (this.readings ?? []).map((r) => ({ t: r.t, opm: r.opm, users: this.effectAt(r.t, r.window)?.users ?? 0 })).filter((p) => p.users >= 1);
  }

  /** what the readings allow: every kept reading must post-date the users; no less than the last zero reading showed */
  private bounds(): { lower: number; upper: number } {
    const start = this.startedAt ?? this.firstUsersAt ?? 0;
    const first = this.readings?.[0];
    const upper = Math.min(this.options.maxLagMs, (first ? this.dataEnd(first.t, first.window) : 0) - start);
    const lower = this.lastZeroAt === null ? 0 : Math.max(0, this.lastZeroAt - start);
    return { lower, upper: Math.max(lower, upper) };
  }

  /**
   * how inconsistent orders per user are over the kept readings under lag `lag`: Σ (log ratio −
   * weighted mean)² / variance, with each reading's variance that of a count of orders over the KPI
   * window (1 / count) plus a few % of bursts — a χ² with ~n − 1 degrees of freedom when the lag is right
   */
  private inconsistency(lag: number): number {
    const xs: { x: number; w: number }[] = [];
    for (const r of this.readings ?? []) {
      const end = this.dataEnd(r.t, r.window) - lag;
      const length = r.window ? r.window.toMs - r.window.fromMs : this.options.windowMs;
      const u = end > 0 ? this.span(Math.max(0, end - length), end).users : 0;
      if (!(u >= 0.5)) return Infinity;
      const count = (r.opm / 60) * (length / 1000);
      xs.push({ x: Math.log(r.opm / u), w: 1 / (1 / Math.max(1, count) + BURST_NOISE ** 2) });
    }
    const sw = xs.reduce((a, p) => a + p.w, 0);
    const mean = xs.reduce((a, p) => a + p.w * p.x, 0) / sw;
    return xs.reduce((a, p) => a + p.w * (p.x - mean) ** 2, 0);
  }

  /** the measured (or stated) extra lag in ms; null while unknown */
  get lagMs(): number | null {
    return this.lag;
  }

  /** ms since users were first in effect (0 before that) */
  sinceFirstUsers(t: number): number {
    return this.firstUsersAt === null ? 0 : Math.max(0, t - this.firstUsersAt);
  }

  /** the users the measurement taken at `t` (over `window`, when stated) reflects (null while the lag is unknown) */
  effectAt(t: number, window?: Window): Effect | null {
    if (this.lag === null) return null;
    // a stated window is a count divided by its whole span, so the users are averaged over all of it,
    // with none before the load started; an unstated one (Locust's window, reset as the load
    // starts) holds no data from before the start: it begins at 0 at the earliest
    const end = this.dataEnd(t, window) - this.lag;
    if (!(end > 0)) return { users: 0, min: 0, max: 0 };
    const start = window ? end - (window.toMs - window.fromMs) : Math.max(0, end - this.options.windowMs);
    return this.span(start, end);
  }

  /** users on the trajectory at time `t` */
  usersAt(t: number): number {
    let seg: Segment | undefined;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (s && s.t <= t) {
        seg = s;
        break;
      }
    }
    if (!seg) return 0;
    const diff = seg.command - seg.users;
    return seg.users + Math.sign(diff) * Math.min(Math.abs(diff), (seg.rate * (t - seg.t)) / 1000);
  }

  /** mean, min and max of the trajectory over [start, end] (exact: piecewise linear, sampled at its corners) */
  private span(start: number, end: number): Effect {
    if (!(end > start)) {
      const u = this.usersAt(end);
      return { users: u, min: u, max: u };
    }
    // the trajectory is piecewise linear; its corners: decision times and the ends of spawns
    const corners = new Set<number>([start, end]);
    for (const s of this.segments) {
      if (s.t > start && s.t < end) corners.add(s.t);
      if (s.rate > 0) {
        const done = s.t + (Math.abs(s.command - s.users) / s.rate) * 1000;
        if (done > start && done < end) corners.add(done);
      }
    }
    const ts = [...corners].sort((a, b) => a - b);
    let area = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i + 1 < ts.length; i++) {
      const a = ts[i] ?? 0;
      const b = ts[i + 1] ?? 0;
      // a decision time is a jump: the left piece ends at the limit from the left
      const ua = this.usersAt(a);
      const ub = this.usersBefore(b);
      area += ((ua + ub) / 2) * (b - a);
      min = Math.min(min, ua, ub);
      max = Math.max(max, ua, ub);
    }
    return { users: area / (end - start), min, max };
  }

  /** the trajectory's limit from the left at `t` (the segment before a decision at exactly `t`) */
  private usersBefore(t: number): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i];
      if (s && s.t < t) {
        const diff = s.command - s.users;
        return s.users + Math.sign(diff) * Math.min(Math.abs(diff), (s.rate * (t - s.t)) / 1000);
      }
    }
    return 0;
  }
}
