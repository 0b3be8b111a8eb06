/**
 * Which user count a measurement reflects. A KPI lags the users that produced it: Locust's
 * `current_rps` is a ~10 s window served from a 2 s cache, a Prometheus `rate(...[1m])` averages a
 * minute, and a scrape pipeline may add whole intervals. The lag is measured as dead time: the
 * number of control cycles between the first users being in effect and the first non-zero
 * measurement (bounded by `maxLagCycles`), unless the caller states it.
 */
export class MeasurementPairing {
  /** `input.users` at each decision, i.e. the users in effect when that decision's sample was taken */
  private readonly history: number[] = [];
  private lag: number | null;
  private firstUsersCycle: number | null = null;

  constructor(
    readonly maxLagCycles: number,
    knownLagCycles?: number,
  ) {
    this.lag = knownLagCycles === undefined ? null : Math.min(maxLagCycles, Math.max(0, Math.round(knownLagCycles)));
  }

  /** records the users in effect at this cycle; returns the cycle index */
  record(users: number): number {
    const cycle = this.history.length;
    this.history.push(users);
    if (this.firstUsersCycle === null && users > 0) this.firstUsersCycle = cycle;
    return cycle;
  }

  /** a positive measurement at `cycle`: fixes the lag the first time */
  observePositive(cycle: number): void {
    if (this.lag !== null || this.firstUsersCycle === null) return;
    this.lag = Math.min(this.maxLagCycles, Math.max(0, cycle - this.firstUsersCycle));
  }

  get lagCycles(): number | null {
    return this.lag;
  }

  /** cycles since users were first in effect (0 before that) */
  cyclesSinceFirstUsers(cycle: number): number {
    return this.firstUsersCycle === null ? 0 : cycle - this.firstUsersCycle;
  }

  /** the users whose load the measurement taken at `cycle` reflects (null while unknown) */
  usersInEffect(cycle: number): number | null {
    if (this.lag === null) return null;
    const i = cycle - this.lag;
    return i >= 0 ? (this.history[i] ?? null) : 0;
  }

  /** users in effect at `cycle` (the decision's own input) */
  usersAt(cycle: number): number {
    return this.history[cycle] ?? 0;
  }
}
