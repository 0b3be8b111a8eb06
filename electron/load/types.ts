/**
 * The load engine's seams: a Locust driver, KPI sources and the controller.
 */
import type { EndpointSample } from '../../shared/model/run.ts';

/** One entry of Locust's request statistics (a request name, or the `Aggregated` row). */
export interface LocustEntry {
  method: string;
  name: string;
  /** counters since the last stats reset: whole requests, as Locust counts them */
  numRequests: number;
  numFailures: number;
  /** Locust's ~10 s sliding-window rates (never `total_rps`) */
  currentRps: number;
  currentFailPerSec: number;
  /** percentiles since the last stats reset (no Locust version reports a per-request window); p95 is absent on 2.12 */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface LocustWorker {
  id: string;
  state: string;
  userCount: number;
  /** the worker process's CPU % as the worker reports it (Locust warns above 90) */
  cpuPercent: number | null;
}

/** Locust master stats, normalised across Locust versions (2.12 … current 2.x). */
export interface LocustStats {
  state: 'ready' | 'spawning' | 'running' | 'stopped' | 'cleanup' | 'stopping' | 'missing' | string;
  userCount: number;
  workerCount: number | null;
  /** the connected workers (a master's answer only; null from a standalone Locust) */
  workers: LocustWorker[] | null;
  /** aggregated failures / requests since the last reset */
  failRatio: number;
  /** per request entry, keyed "METHOD name" */
  requests: Map<string, LocustEntry>;
  aggregated: LocustEntry;
  /** aggregated percentiles over Locust's ~10 s window, where the version reports them (p99 only when the locustfile charts it) */
  current: { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null };
  /** clock time the answer was fetched from the master, when the driver knows it */
  fetchedAt?: number;
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
  /** the error rate over the latest read pair only (about one control interval), where the source counts: what the error guard judges */
  recentErrorRate?: number;
  p99Ms: number | null;
  /** median and p95 latency over the source's current window (Locust's, all requests); absent or null when it has none */
  p50Ms?: number | null;
  p95Ms?: number | null;
  users: number;
  /**
   * the clock-time span the OPM (and error rate) are the mean over, when the source knows it
   * exactly (counters read twice); absent for a sliding window the source cannot place
   */
  window?: { from: number; to: number };
  /** per request name over the same span (the busiest names, the KPI's own always) */
  endpoints?: EndpointSample[];
  /** the load generator's busiest worker, CPU % (Locust's workers report it); null when unknown */
  generatorCpuPct?: number | null;
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
  /**
   * the error rate the error guard judges (the latest read pair, about one interval: KpiSample's
   * recentErrorRate), where the KPI counts one; the guard's distance is measured on it
   */
  recentErrorRate?: number;
  /** control cycles left in the ramp (0 on the plateau) */
  remainingRampCycles: number;
  /**
   * the span (ms since load start) the measured OPM is the mean over, when the KPI knows it
   * (Locust's counters read twice); absent: a sliding window ending about now (the controller's
   * `kpiWindowMs` / `kpiDelayMs`)
   */
  measurementWindow?: { fromMs: number; toMs: number };
  /** the load generator's busiest worker, CPU % (absent or null: unknown) */
  generatorCpuPct?: number | null;
}

export interface ControllerDecision {
  users: number;
  spawnRate: number;
  /** set once saturation is detected: users go up and OPM no longer follows */
  knee?: { users: number; opm: number; p99Ms: number | null; reason?: string; byGuard?: boolean };
  stalled?: boolean;
  /** the load generator, not the shop, limits the load (its workers' CPU is above ~90 %): no knee is reported while it is */
  generatorSaturated?: boolean;
  /** the knee reported earlier no longer holds (orders follow users again): withdraw it */
  kneeCleared?: boolean;
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
