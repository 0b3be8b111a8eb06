import type { Clock } from '../../base/clock.ts';

/** Bounded exponential backoff. Delays are on the run's clock, so a scaled sandbox clock waits less real time. */
export interface RetryPolicy {
  /** total attempts including the first; default 4 */
  attempts: number;
  /** first delay in ms; doubled each attempt; default 250 */
  baseDelayMs: number;
  /** cap on one delay; default 5000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000 };

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

/**
 * Run `fn` until it succeeds, `shouldRetry(err)` says no, or the attempts are used up.
 * `signal` aborts the waiting between attempts (the rejection is whatever `onAbort` builds).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: { policy: RetryPolicy; clock: Clock; shouldRetry: (err: unknown) => boolean; signal?: AbortSignal; onRetry?: (err: unknown, attempt: number, delayMs: number) => void; onAbort: () => Error },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= opts.policy.attempts || !opts.shouldRetry(err)) throw err;
      const delay = backoffDelay(opts.policy, attempt);
      opts.onRetry?.(err, attempt, delay);
      try {
        await opts.clock.sleep(delay, opts.signal);
      } catch {
        throw opts.onAbort();
      }
    }
  }
}

/** Sleep until `deadline` on the clock, in bounded chunks (a timer cannot hold more than ~24.8 days). */
export async function sleepUntil(clock: Clock, deadline: number, signal?: AbortSignal): Promise<void> {
  const CHUNK = 86_400_000;
  for (let i = 0; i < 1_000_000; i++) {
    const left = deadline - clock.now();
    if (left <= 0) return;
    await clock.sleep(Math.min(left, CHUNK), signal);
  }
}
