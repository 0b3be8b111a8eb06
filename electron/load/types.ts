/**
 * The load engine's seams: a Locust driver, KPI sources and the controller.
 */

/** Locust master stats, normalised across Locust versions (2.12 … current 2.x). */
export interface LocustStats {
  state: 'ready' | 'spawning' | 'running' | 'stopped' | 'cleanup' | 'stopping' | 'missing' | string;
  userCount: number;
  workerCount: number | null;
  /** aggregated failures / requests */
  failRatio: number;
  /** per request entry, keyed "METHOD name" */
  requests: Map<string, { method: string; name: string; numRequests: number; numFailures: number; currentRps: number; currentFailPerSec: number; p99Ms: number | null; p50Ms: number | null }>;
  aggregated: { numRequests: number; numFailures: number; currentRps: number; currentFailPerSec: number; p99Ms: number | null };
}

export interface LocustDriver {
  /** start or retarget: user count and spawn rate (users/s), validated before sending */
  swarm(users: number, spawnRate: number, host?: string, signal?: AbortSignal): Promise<void>;
  stop(signal?: AbortSignal): Promise<void>;
  resetStats(signal?: AbortSignal): Promise<void>;
  stats(signal?: AbortSignal): Promise<LocustStats>;
}

/** One measurement of the KPI and the guard signals. */
export interface KpiSample {
  /** clock time of the measurement (ms) */
  t: number;
  /** orders per minute; null when not measurable (yet) */
  opm: number | null;
  errorRate: number;
  p99Ms: number | null;
  users: number;
}

export interface KpiSource {
  sample(signal?: AbortSignal): Promise<KpiSample>;
}

/** What the controller sees each control interval. */
export interface ControllerInput {
  /** ms since load start */
  elapsedMs: number;
  setpointOpm: number;
  targetOpm: number;
  measuredOpm: number | null;
  users: number;
  p99Ms: number | null;
  errorRate: number;
  /** control cycles left in the ramp (0 on the plateau) */
  remainingRampCycles: number;
}

export interface ControllerDecision {
  users: number;
  spawnRate: number;
  /** set once saturation is detected: users go up and OPM no longer follows */
  knee?: { users: number; opm: number; p99Ms: number | null };
  stalled?: boolean;
  note?: string;
}

export interface Controller {
  readonly name: 'adaptive' | 'baseline';
  decide(input: ControllerInput): ControllerDecision;
}

/** linear ramp from 0 to target over rampUp, then the target */
export function setpointAt(elapsedMs: number, targetOpm: number, rampUpMs: number): number {
  if (elapsedMs <= 0) return 0;
  if (elapsedMs >= rampUpMs) return targetOpm;
  return (targetOpm * elapsedMs) / rampUpMs;
}
