/**
 * Long pure work (reading and checking a 1 MiB spec) written once as a generator that yields at
 * intervals, and run either straight through (`runSteps`, for the CLI and the renderer) or
 * cooperatively (`runStepsAsync`): a host with an event loop pauses whenever a slice of time has
 * passed, so a server keeps answering (status, abort) while a big spec is validated. A yield costs
 * a generator step; the pause (the host's setImmediate) only happens once per slice.
 */

export type Steps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface StepPacing {
  /** lets the host's event loop run (e.g. `() => new Promise((r) => setImmediate(r))`) */
  pause: () => Promise<void>;
  /** work this long between pauses, in ms; default 8 */
  sliceMs?: number;
  /** a clock in ms; default Date.now */
  now?: () => number;
}

export async function runStepsAsync<T>(steps: Steps<T>, pacing: StepPacing): Promise<T> {
  const now = pacing.now ?? Date.now;
  const slice = pacing.sliceMs ?? 8;
  let since = now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (now() - since >= slice) {
      await pacing.pause();
      since = now();
    }
  }
}
