/**
 * Saturation: users go up and OPM no longer follows. The knee is declared when, for
 * `confirmCycles` consecutive measurements, one of these holds:
 * - the marginal OPM of an added user (from the fit, while users are rising) is below
 *   `minMarginalFraction` × the light-load orders per user with confidence: the fit's upper
 *   confidence bound is below it, so noise alone does not make a knee;
 * - the error rate has risen by more than `errorRateRise` over its light-load level;
 * - p99 latency is above `p99Factor` × its light-load level.
 * The knee is the operating point where the streak started: the controller holds there.
 *
 * The thresholds mark saturation, not the first symptoms of load. A shop whose orders per user
 * fall with load still gives a fair share of idle per added user at 70–75 % of its capacity, with
 * latency a few times its idle value and, on the sandbox shop, a few % of failed requests (the
 * failed orders are already missing from the OPM). A knee there fails the run's verdict and stops
 * the load short of a target the shop can carry, so the defaults fire only where adding users has
 * stopped paying: an added user worth < 10 % of a light-load user (90 % of the asymptote on an
 * exponential capacity curve), the error rate 5 points up (the default `guards.maxErrorRate`), or
 * p99 at 10 × its light-load value (90 % utilisation on a queue). Error rate and latency limits of
 * the user's own are the run's guards (`guards.maxErrorRate`, `guards.maxP99Ms`), not the knee.
 */
export interface KneeOptions {
  minMarginalFraction: number;
  errorRateRise: number;
  p99Factor: number;
  confirmCycles: number;
}

export const DEFAULT_KNEE: KneeOptions = { minMarginalFraction: 0.1, errorRateRise: 0.05, p99Factor: 10, confirmCycles: 2 };

export interface Knee {
  users: number;
  opm: number;
  p99Ms: number | null;
}

export interface KneeObservation {
  users: number;
  opm: number;
  /** fitted marginal OPM per user over a window in which users rose (estimate, upper confidence bound); null when not identifiable */
  marginalOpm: { estimate: number; upper: number } | null;
  lightOrdersPerUser: number | null;
  errorRate: number;
  p99Ms: number | null;
}

export class KneeDetector {
  private streak = 0;
  private candidate: (Knee & { reason: string }) | null = null;
  private lightErrorRate: number | null = null;
  private lightP99: number | null = null;
  private found: (Knee & { reason: string }) | null = null;

  constructor(readonly options: KneeOptions = DEFAULT_KNEE) {}

  get knee(): (Knee & { reason: string }) | null {
    return this.found;
  }

  /** returns the knee on the cycle it is found, null otherwise (and after) */
  observe(o: KneeObservation): (Knee & { reason: string }) | null {
    if (this.found) return null;
    const reason = this.reason(o);
    if (reason === null) {
      this.streak = 0;
      this.candidate = null;
      // light-load levels: the lowest seen while not saturated
      if (Number.isFinite(o.errorRate)) this.lightErrorRate = Math.min(this.lightErrorRate ?? o.errorRate, o.errorRate);
      if (o.p99Ms !== null && o.p99Ms > 0) this.lightP99 = Math.min(this.lightP99 ?? o.p99Ms, o.p99Ms);
      return null;
    }
    this.streak += 1;
    this.candidate ??= { users: o.users, opm: o.opm, p99Ms: o.p99Ms, reason };
    if (this.streak < this.options.confirmCycles) return null;
    this.found = this.candidate;
    return this.found;
  }

  private reason(o: KneeObservation): string | null {
    const { minMarginalFraction, errorRateRise, p99Factor } = this.options;
    if (o.marginalOpm !== null && o.lightOrdersPerUser !== null && o.lightOrdersPerUser > 0 && o.marginalOpm.upper < minMarginalFraction * o.lightOrdersPerUser)
      return `marginal OPM per added user ${o.marginalOpm.estimate.toFixed(2)} < ${minMarginalFraction} × light-load ${o.lightOrdersPerUser.toFixed(2)}`;
    if (this.lightErrorRate !== null && Number.isFinite(o.errorRate) && o.errorRate > this.lightErrorRate + errorRateRise)
      return `error rate ${(o.errorRate * 100).toFixed(2)} % rose more than ${(errorRateRise * 100).toFixed(1)} points`;
    if (this.lightP99 !== null && o.p99Ms !== null && o.p99Ms > p99Factor * this.lightP99)
      return `p99 ${Math.round(o.p99Ms)} ms > ${p99Factor} × light-load ${Math.round(this.lightP99)} ms`;
    return null;
  }
}
