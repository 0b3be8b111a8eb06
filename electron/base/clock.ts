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
