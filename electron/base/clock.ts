/**
 * One clock for a run (and for the whole sandbox). Tests and the sandbox run it faster than
 * real time: with timeScale N, one real second is N simulated seconds.
 */
export interface Clock {
  /** simulated milliseconds since the epoch */
  now(): number;
  /** resolve after `ms` simulated milliseconds; rejects with the signal's reason when aborted */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  readonly timeScale: number;
}

export class ScaledClock implements Clock {
  private readonly realStart: number;
  private readonly simStart: number;
  constructor(
    readonly timeScale = 1,
    private readonly realNow: () => number = () => Date.now(),
  ) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
    this.realStart = realNow();
    this.simStart = this.realStart;
  }
  now(): number {
    return this.simStart + (this.realNow() - this.realStart) * this.timeScale;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const wakeAt = this.realNow() + Math.max(0, ms / this.timeScale);
      let timer: ReturnType<typeof setTimeout>;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      // Node's timers overflow past ~24.8 days (2^31-1 ms) and fire at once: wait in chunks
      const arm = () => {
        const left = wakeAt - this.realNow();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          return resolve();
        }
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      arm();
    });
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;
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

/**
 * A clock that only moves when told to: for deterministic tests and the controller benchmark.
 * Sleepers wake in time order as `advance` passes their deadline.
 */
export class ManualClock implements Clock {
  readonly timeScale = Infinity;
  private t: number;
  private readonly sleepers = new SleeperQueue();
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepers.add(this.t + Math.max(0, ms), signal);
  }
  /** move time forward, waking sleepers in order; yields to the event loop between wake-ups */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (let wakeUps = 0; ; wakeUps++) {
      if (wakeUps >= MAX_WAKE_UPS) throw new Error(`ManualClock.advance: more than ${MAX_WAKE_UPS} wake-ups in one advance (a sleeper loops on sleep(0)?)`);
      const next = this.sleepers.takeNext(end);
      if (!next) break;
      this.t = Math.max(this.t, next.until);
      next.resolve();
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
export class VirtualClock implements Clock {
  readonly timeScale = Infinity;
  private t: number;
  private readonly sleepers = new SleeperQueue();
  private pending = false;
  constructor(start = Date.UTC(2026, 10, 23, 8, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepers.add(this.t + Math.max(0, ms), signal, () => this.schedule());
  }
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    // a timer, not setImmediate: real I/O in flight (fsync, loopback HTTP) gets a millisecond per
    // jump to land, so simulated time does not race ahead of it by thousands of steps
    setTimeout(() => {
      this.pending = false;
      const next = this.sleepers.takeNext();
      if (!next) return;
      this.t = Math.max(this.t, next.until);
      next.resolve();
      if (this.sleepers.size) this.schedule();
    }, 1);
  }
}
