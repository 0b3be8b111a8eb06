import { setMaxListeners } from 'node:events';
import { AbortedError, toErrorDto, errorMessage } from '../../../shared/model/errors.ts';
import type { ParityReport } from '../../../shared/model/parity.ts';
import { reduceRunEvent } from '../../../shared/model/run-reducer.ts';
import type { AppProgress, GuardEvent, GuardLimits, Knee, PhaseName, RunEvent, RunStatus, RunTrigger, Sample, Verdict } from '../../../shared/model/run.ts';
import { loadPlanOf } from '../../../shared/spec/run-plan.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import type { Controller, KpiSource, LocustDriver } from '../../load/types.ts';
import type { Substrates } from '../../substrates/types.ts';
import type { Clock } from '../../base/clock.ts';
import type { Logger } from '../../base/logger.ts';
import type { RunJournal } from './journal.ts';

const FORWARD_PHASES = new Set<PhaseName>(['validate', 'snapshot', 'deploy', 'scale', 'ramp', 'plateau']);

/** Everything the conductor talks to, passed in so tests swap any of it. */
export interface ConductorDeps {
  clock: Clock;
  substrates: Substrates;
  locust: LocustDriver;
  kpi: KpiSource;
  /** a fresh controller for this run (default: electron/load/controller controllerForSpec) */
  controllerFor?: (spec: LoadTest, info: { workers: number | null }) => Controller;
  logger: Logger;
  /** where the journal, reports and history live */
  dataDir: string;
  /** for webhooks and HTTP cleanup hooks; defaults to the global fetch */
  fetch?: typeof fetch;
  /** reads parity (defaults to electron/core/rules/parity.ts readParity) */
  readParity?: (spec: LoadTest, substrates: Substrates, signal?: AbortSignal) => Promise<ParityReport>;
}

/** spec.guards (defaults applied) as the run status carries them */
export function guardLimitsOf(spec: LoadTest): GuardLimits {
  const g = spec.spec.guards;
  return { maxErrorRate: g.maxErrorRate, maxP99Ms: g.maxP99Ms ?? null, stallSamples: g.stallSamples, gracePeriodMs: g.gracePeriod, productionDrift: g.productionDrift };
}

export type AbortKind = 'user' | 'guard';

/**
 * One run's shared state: its status (the fold of the events it emits — shared/model/run-reducer.ts
 * — so every UI that folds the same events shows the same thing), its journal, and its control:
 * the abort signal every forward wait listens to, and stopping the load. What the phases produce
 * (units, snapshot, plans, restore results) is not kept here: each phase returns it.
 */
export class RunContext {
  private current: RunStatus;
  readonly runStart: number;
  readonly timeline: (AppProgress & { t: number })[] = [];
  /** aborted by a user abort, a guard breach or production drift in abort mode: cancels every wait of the forward phases */
  readonly work = new AbortController();
  abortKind: AbortKind | null = null;
  abortReason: string | null = null;
  private stopPromise: Promise<void> | null = null;
  private loadRunning = false;
  private loadStopped = false;
  private readonly listeners: ((e: RunEvent) => void)[] = [];

  constructor(
    readonly spec: LoadTest,
    readonly deps: ConductorDeps,
    readonly journal: RunJournal,
    runId: string,
    testEnvironment: string,
    trigger?: RunTrigger,
  ) {
    // every app's wait listens on this signal
    setMaxListeners(10_000, this.work.signal);
    this.runStart = deps.clock.now();
    this.current = {
      runId,
      specName: spec.metadata.name,
      state: 'pending',
      phase: null,
      startedAt: new Date().toISOString(),
      timeScale: deps.clock.timeScale,
      phases: [],
      apps: spec.spec.applications.map((a) => ({ app: a.name, phase: 'validate', state: 'pending' })),
      samples: [],
      guards: [],
      knee: null,
      abort: null,
      verdict: null,
      testEnvironment,
      flags: [],
      guardLimits: guardLimitsOf(spec),
      load: loadPlanOf(spec),
      ...(trigger ? { trigger } : {}),
    };
  }

  get runId(): string {
    return this.current.runId;
  }

  /** the live status (read only: it changes only through emitted events) */
  get status(): Readonly<RunStatus> {
    return this.current;
  }

  get logger(): Logger {
    return this.deps.logger;
  }

  /** ms since run start on the run's clock */
  elapsed(): number {
    return this.deps.clock.now() - this.runStart;
  }

  onEvent(listener: (e: RunEvent) => void): void {
    this.listeners.push(listener);
  }

  /** fold the event into the status, then tell every listener */
  emit(event: RunEvent): void {
    this.current = reduceRunEvent(this.current, event) ?? this.current;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.warn(`run event listener failed: ${errorMessage(err)}`);
      }
    }
  }

  snapshotStatus(): RunStatus {
    return structuredClone(this.current);
  }

  /** the run is under way: the status every subscriber starts from */
  started(): void {
    this.emit({ type: 'run-started', runId: this.runId, status: { ...this.snapshotStatus(), state: 'running' } });
  }

  /** the verdict, then the final status */
  finished(verdict: Verdict): void {
    this.abortStep('done');
    this.emit({ type: 'verdict', runId: this.runId, verdict });
  }

  /** the status as it ends: the verdict's state (the live status stays active until run-ended) */
  finalStatus(): RunStatus {
    const s = this.snapshotStatus();
    return s.verdict ? { ...s, state: s.verdict.status } : s;
  }

  ended(): void {
    this.emit({ type: 'run-ended', runId: this.runId, status: this.finalStatus() });
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.logger[level](message, { runId: this.runId });
    this.emit({ type: 'log', runId: this.runId, level, message });
  }

  /** something the verdict's reader must see (shown with the verdict, kept in the report) */
  flag(message: string): void {
    if (this.current.flags.includes(message)) return;
    this.logger.warn(message, { runId: this.runId });
    this.emit({ type: 'flag', runId: this.runId, message });
  }

  setApp(app: string, phase: PhaseName, state: AppProgress['state'], detail?: string, reason?: string): void {
    const progress: AppProgress = { app, phase, state, ...(detail !== undefined ? { detail } : {}), ...(reason !== undefined ? { reason } : {}) };
    const prev = this.current.apps.find((a) => a.app === app);
    if (prev && prev.phase === phase && prev.state === state && prev.detail === detail && prev.reason === reason) return;
    this.timeline.push({ ...progress, t: this.elapsed() });
    this.emit({ type: 'app-progress', runId: this.runId, progress });
  }

  /**
   * Run one phase: recorded in the status and the journal, its result passed back. A phase that
   * returns 'skipped' is recorded as skipped; a throw marks it failed and propagates.
   */
  async phase<T>(name: PhaseName, fn: () => Promise<T>): Promise<T> {
    await this.journal.append({ type: 'phase', phase: name, state: 'running' });
    this.emit({ type: 'phase', runId: this.runId, phase: name, state: 'running', t: this.elapsed() });
    let state: 'done' | 'failed' | 'skipped' = 'failed';
    let error: ReturnType<typeof toErrorDto> | undefined;
    try {
      // a forward phase never starts once the run is aborting
      if (FORWARD_PHASES.has(name)) this.work.signal.throwIfAborted();
      const r = await fn();
      state = r === 'skipped' ? 'skipped' : 'done';
      return r;
    } catch (err) {
      error = toErrorDto(err);
      throw err;
    } finally {
      await this.journal.append({ type: 'phase', phase: name, state, ...(error ? { message: error.message } : {}) }).catch((e: unknown) => this.logger.error(`journal append failed: ${errorMessage(e)}`));
      this.emit({ type: 'phase', runId: this.runId, phase: name, state, t: this.elapsed(), ...(error ? { error } : {}) });
    }
  }

  /** record a phase that did not run */
  skipPhase(name: PhaseName): void {
    this.emit({ type: 'phase', runId: this.runId, phase: name, state: 'skipped', t: this.elapsed() });
  }

  addSample(sample: Sample): void {
    this.emit({ type: 'sample', runId: this.runId, sample });
  }

  addGuard(event: GuardEvent): void {
    this.emit({ type: 'guard', runId: this.runId, guard: event });
  }

  setKnee(knee: Knee): void {
    if (this.current.knee) return;
    this.emit({ type: 'knee', runId: this.runId, knee });
  }

  /** the knee reported earlier no longer holds (the controller saw orders follow users again) */
  withdrawKnee(reason: string): void {
    if (!this.current.knee) return;
    this.emit({ type: 'knee-withdrawn', runId: this.runId, t: this.elapsed(), reason });
  }

  parity(when: 'before' | 'during' | 'after', report: ParityReport): void {
    this.emit({ type: 'parity', runId: this.runId, when, report });
  }

  abortStep(step: NonNullable<RunStatus['abort']>['step']): void {
    const a = this.current.abort;
    if (!a || a.step === step) return;
    this.emit({ type: 'abort', runId: this.runId, step, reason: a.reason, t: this.elapsed() });
  }

  get aborting(): boolean {
    return this.abortKind !== null;
  }

  /**
   * Abort the run: stop Locust at once, cancel every wait of the forward phases. Idempotent:
   * a second call returns false and changes nothing (it never interrupts restore or cleanup).
   */
  abort(reason: string, kind: AbortKind = 'user'): boolean {
    const phase = this.current.phase;
    if (this.abortKind !== null || this.current.verdict !== null || phase === 'restore' || phase === 'cleanup' || phase === 'verdict') return false;
    this.abortKind = kind;
    this.abortReason = reason;
    this.emit({ type: 'abort', runId: this.runId, step: 'stopping-load', reason, t: this.elapsed() });
    // first thing: stop the load (even before the loop notices), then cancel the waits
    this.stopLoad('abort');
    this.work.abort(new AbortedError(reason, { kind }));
    return true;
  }

  /** the load loop started Locust: from now on the run ends by stopping it */
  loadStarted(): void {
    this.loadRunning = true;
  }

  /** Stop Locust once (if the run started it or an abort asked); failures are logged — restore goes on regardless. */
  stopLoad(why: string): Promise<void> {
    if (this.loadStopped) return this.stopPromise ?? Promise.resolve();
    this.loadStopped = true;
    const p = this.deps.locust
      .stop(AbortSignal.timeout(10_000))
      .then(() => this.logger.info(`load stopped (${why})`, { runId: this.runId }))
      .catch((err: unknown) => this.log('warn', `stopping Locust failed: ${errorMessage(err)}`));
    this.stopPromise = p;
    return p;
  }

  /** wait for a stop already issued (by abort or the end of the plateau), or issue it if the load ran */
  async settleLoad(why: string): Promise<void> {
    if (this.loadRunning || this.stopPromise) await this.stopLoad(why);
  }
}
