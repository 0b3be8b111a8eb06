import type { Clock } from '../../electron/base/clock.ts';

/**
 * Clocks for tests: time moves only when a test (ManualClock) or the pending sleepers
 * (VirtualClock) move it, so whole runs and control loops are deterministic however loaded the
 * machine is. Production code runs on electron/base/clock.ts's ScaledClock.
 */

/** a bound on the wake-ups of one ManualClock.advance */
const MAX_WAKE_UPS = 1_000_000;

/**
 * Sleepers of a clock whose time only moves when it is told to (ManualClock, VirtualClock):
 * registered with their deadline, removed when their signal aborts, woken earliest first
 * (ties in the order they went to sleep).
 */
class SleeperQueue {
  private sleepers: { until: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  /** a promise for `until`; `onAdded` runs once the sleeper is queued */
  add(until: number, signal: AbortSignal | undefined, onAdded?: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const entry = { until, seq: this.seq++, resolve };
      this.sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
      onAdded?.();
    });
  }
  /** the earliest sleeper, if its deadline is at most `limit`, taken off the queue */
  takeNext(limit = Infinity): { until: number; resolve: () => void } | undefined {
    this.sleepers.sort((a, b) => a.until - b.until || a.seq - b.seq);
    const next = this.sleepers[0];
    if (!next || next.until > limit) return undefined;
    this.sleepers.shift();
    return next;
  }
  get size(): number {
    return this.sleepers.length;
  }
}

/** A clock whose time moves only by waking its sleepers: what ManualClock and VirtualClock share. */
abstract class SleeperClock implements Clock {
  readonly timeScale = Infinity;
  protected t: number;
  protected readonly sleepers = new SleeperQueue();
  constructor(start: number) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepers.add(this.t + Math.max(0, ms), signal, () => this.onSleeper());
  }
  /** called once a sleeper is queued */
  protected onSleeper(): void {}
  /** wake the earliest sleeper due by `limit`, time jumping to its deadline; false when none is */
  protected wakeNext(limit = Infinity): boolean {
    const next = this.sleepers.takeNext(limit);
    if (!next) return false;
    this.t = Math.max(this.t, next.until);
    next.resolve();
    return true;
  }
}

/**
 * A clock that only moves when told to: for deterministic tests.
 * Sleepers wake in time order as `advance` passes their deadline.
 */
export class ManualClock extends SleeperClock {
  constructor(start = 0) {
    super(start);
  }
  /** move time forward, waking sleepers in order; yields to the event loop between wake-ups */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (let wakeUps = 0; this.wakeNext(end); wakeUps++) {
      if (wakeUps >= MAX_WAKE_UPS) throw new Error(`ManualClock.advance: more than ${MAX_WAKE_UPS} wake-ups in one advance (a sleeper loops on sleep(0)?)`);
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
  get pendingSleepers(): number {
    return this.sleepers.size;
  }
}

/**
 * Virtual time for tests of whole runs: time moves only by waking sleepers. Every millisecond of
 * real time with sleepers pending, the earliest sleeper wakes and the clock jumps to its deadline.
 * A run's control loop then sees exactly the simulated times it asked for, however loaded the
 * machine is (unlike a ScaledClock, where a stalled event loop is simulated time passing).
 */
export class VirtualClock extends SleeperClock {
  private pending = false;
  constructor(start = Date.UTC(2026, 10, 23, 8, 0, 0)) {
    super(start);
  }
  protected override onSleeper(): void {
    if (this.pending) return;
    this.pending = true;
    // a timer, not setImmediate: real I/O in flight (fsync, loopback HTTP) gets a millisecond per
    // jump to land, so simulated time does not race ahead of it by thousands of steps
    setTimeout(() => {
      this.pending = false;
      if (!this.wakeNext()) return;
      if (this.sleepers.size) this.onSleeper();
    }, 1);
  }
}
