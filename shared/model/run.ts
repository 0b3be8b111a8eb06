import type { ErrorDto } from './errors.ts';
import type { GitOpsPause, OtherWriterChange } from './gitops.ts';
import type { ResolvedOverride } from './override.ts';
import type { ParityReport } from './parity.ts';

export const PHASES = ['validate', 'snapshot', 'deploy', 'scale', 'ramp', 'plateau', 'restore', 'cleanup', 'verdict'] as const;
export type PhaseName = (typeof PHASES)[number];

export type RunState = 'pending' | 'running' | 'aborting' | 'passed' | 'failed' | 'aborted' | 'error';
export type AppProgressState = 'pending' | 'rolling' | 'ready' | 'failed' | 'skipped';

export interface AppProgress {
  app: string;
  phase: PhaseName;
  state: AppProgressState;
  /** e.g. "3/6 updated, 2/6 ready" */
  detail?: string;
  reason?: string;
}

/** One control-loop sample: what the KPI controller saw and decided. */
export interface Sample {
  /** ms since run start on the run's clock */
  t: number;
  phase: 'ramp' | 'plateau';
  targetOpm: number;
  setpointOpm: number;
  actualOpm: number;
  users: number;
  spawnRate: number;
  errorRate: number;
  p99Ms: number | null;
  /** median and p95 latency over Locust's current window (all requests), where the version reports them */
  p50Ms?: number | null;
  p95Ms?: number | null;
  /** per request name over this control interval (Locust's counters); absent when the KPI source has none */
  endpoints?: EndpointSample[];
}

/**
 * One request name's statistics over one control interval, from Locust's counters read at the
 * interval's two ends: whole requests, as Locust counts them. Percentiles are Locust's own for
 * that name since the stats reset at load start (no Locust version keeps a per-name window);
 * p95 is null on Locust 2.12, which reports p90 instead. A sample carries the busiest names (at
 * most 20) and always the KPI's own request.
 */
export interface EndpointSample {
  /** "METHOD name" as Locust shows it, e.g. "POST /orders" */
  name: string;
  /** requests and failed requests in the interval */
  requests: number;
  failures: number;
  /** requests per second over the interval */
  rps: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface Knee {
  users: number;
  opm: number;
  p99Ms: number | null;
  t: number;
  /** why the load stops there, in words (the controller's) */
  reason?: string;
  /** a guard, not the shop's capacity, stops the load there: more users would take it past the guard */
  byGuard?: boolean;
}

export type GuardName = 'maxErrorRate' | 'maxP99Ms' | 'stall' | 'productionDrift';

export interface GuardEvent {
  guard: GuardName;
  state: 'ok' | 'breaching' | 'breached';
  value: number | string | null;
  limit: number | string | null;
  message: string;
  t: number;
}

export type VerdictStatus = 'passed' | 'failed' | 'aborted' | 'error';

export interface Verdict {
  status: VerdictStatus;
  reasons: string[];
  /** mean OPM over the plateau */
  plateauOpm: number | null;
  targetOpm: number;
  plateauP99Ms: number | null;
  errorRate: number | null;
  knee: Knee | null;
  restoreComplete: boolean;
}

export interface PhaseRecord {
  phase: PhaseName;
  startedAt: number;
  endedAt?: number;
  state: 'running' | 'done' | 'failed' | 'skipped';
  error?: ErrorDto;
}

/** The guards a run was configured with (spec.guards, defaults applied), so a UI can show each one against its limit. */
export interface GuardLimits {
  /** 0–1 */
  maxErrorRate: number;
  /** null: no p99 guard */
  maxP99Ms: number | null;
  /** consecutive zero-OPM samples (with users running) that count as a stall */
  stallSamples: number;
  /** how long a breach must last before it aborts the run (run-clock ms) */
  gracePeriodMs: number;
  /** a production deploy that lands mid-run: abort the run, or flag it and go on */
  productionDrift: 'abort' | 'flag';
}

/** The run's planned load (run-clock ms), so a chart can span the whole run from its start. */
export interface LoadPlan {
  targetOpm: number;
  rampUpMs: number;
  plateauMs: number;
  controlIntervalMs: number;
}

/**
 * Who or what started a run, shown in the history: `source` as the run queue names it (manual —
 * the command line, the desktop app or the cockpit/API —, github, gitlab, argocd, cloudevents,
 * event, schedule) and one line saying more ("conductor run on the command line", "GitHub push to
 * acme/checkout main by alice").
 */
export interface RunTrigger {
  source: string;
  summary: string;
}

/** The live status of a run, as shown in the cockpit and the terminal. */
export interface RunStatus {
  runId: string;
  specName: string;
  state: RunState;
  phase: PhaseName | null;
  startedAt: string;
  timeScale: number;
  phases: PhaseRecord[];
  apps: AppProgress[];
  samples: Sample[];
  guards: GuardEvent[];
  knee: Knee | null;
  abort: { requestedAt: number; reason: string; step: 'stopping-load' | 'restoring' | 'cleaning-up' | 'done' } | null;
  verdict: Verdict | null;
  /** test environment names, for the confirmation dialog and banners */
  testEnvironment: string;
  flags: string[];
  /** the configured guard limits, filled in by the core when the run starts */
  guardLimits?: GuardLimits;
  /** feature-branch images per app and container, resolved before any write (sidecars never get one) */
  overrides?: ResolvedOverride[];
  /** the planned ramp and plateau, filled in by the core when the run starts */
  load?: LoadPlan;
  trigger?: RunTrigger;
  /** GitOps controllers the run paused in the test environment, and whether they were resumed */
  gitops?: GitOpsPause[];
  /** changes someone else made to in-scope test objects during the run */
  otherWriters?: OtherWriterChange[];
}

/** The full run report (JSON), written at the end of every run. */
export interface RunReport {
  runId: string;
  specName: string;
  /** the resolved spec, defaults applied */
  spec: unknown;
  startedAt: string;
  endedAt: string;
  status: RunStatus;
  parityBefore: ParityReport | null;
  parityAfter: ParityReport | null;
  verdict: Verdict;
  /** every app's progress over time (t: ms since run start), for the report's per-app timeline */
  timeline?: (AppProgress & { t: number })[];
  /** regressions against the previous run of the same spec, filled in by the history */
  regressions?: string[];
}

export interface RunSummary {
  runId: string;
  specName: string;
  startedAt: string;
  endedAt: string | null;
  verdict: VerdictStatus | null;
  plateauOpm: number | null;
  targetOpm: number;
  plateauP99Ms: number | null;
  errorRate: number | null;
  regression: string[];
  /** the run the regressions were checked against (null: none earlier, or this run is not comparable) */
  baselineRunId?: string | null;
  overrides?: ResolvedOverride[];
  trigger?: RunTrigger;
  /** apps the run skipped (missing in test or production) */
  skipped?: string[];
  /** the run's flags (skipped apps, production drift, cleanup problems, regressions) */
  flags?: string[];
}

/**
 * Events pushed to every subscriber during a run (IPC or server-sent events). The run's status is
 * their fold: shared/model/run-reducer.ts.
 */
export type RunEvent =
  | { type: 'run-started'; runId: string; status: RunStatus }
  /** t: ms since run start on the run's clock; a failed phase carries its error */
  | { type: 'phase'; runId: string; phase: PhaseName; state: PhaseRecord['state']; t: number; error?: ErrorDto }
  | { type: 'app-progress'; runId: string; progress: AppProgress }
  | { type: 'sample'; runId: string; sample: Sample }
  | { type: 'guard'; runId: string; guard: GuardEvent }
  | { type: 'knee'; runId: string; knee: Knee }
  /** the knee reported earlier no longer holds (orders follow users again: capacity came); the status's knee is cleared */
  | { type: 'knee-withdrawn'; runId: string; t: number; reason: string }
  | { type: 'parity'; runId: string; when: 'before' | 'during' | 'after'; report: ParityReport }
  | { type: 'abort'; runId: string; step: NonNullable<RunStatus['abort']>['step']; reason: string; t: number }
  /** something the verdict's reader must see (an app skipped, production drift, a failed cleanup hook) */
  | { type: 'flag'; runId: string; message: string }
  /** the feature-branch images resolved per container, before the first write */
  | { type: 'overrides'; runId: string; overrides: ResolvedOverride[] }
  /** a GitOps hold placed, lifted or left (one per app; the latest replaces the earlier) */
  | { type: 'gitops'; runId: string; pause: GitOpsPause }
  /** someone else changed an in-scope test object */
  | { type: 'other-writer'; runId: string; change: OtherWriterChange }
  | { type: 'log'; runId: string; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'verdict'; runId: string; verdict: Verdict }
  | { type: 'run-ended'; runId: string; status: RunStatus };
