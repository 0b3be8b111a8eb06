import { setMaxListeners } from 'node:events';
import type { AppState, EcsDesiredState, K8sDesiredState } from '../../../shared/model/app-state.ts';
import { AbortedError, toErrorDto, errorMessage } from '../../../shared/model/errors.ts';
import type { ParityReport } from '../../../shared/model/parity.ts';
import type { AppProgress, GuardEvent, GuardLimits, Knee, PhaseName, PhaseRecord, RunEvent, RunStatus, RunTrigger, Sample } from '../../../shared/model/run.ts';
import { loadPlanOf, overridesOf } from '../../../shared/spec/run-plan.ts';
import type { Application, LoadTest } from '../../../shared/spec/schema.ts';
import type { Controller, KpiSource, LocustDriver } from '../../load/types.ts';
import type { EcsAppRef, K8sAppRef, Substrates } from '../../substrates/types.ts';
import type { Clock } from '../../base/clock.ts';
import type { RunJournal } from './journal.ts';
import type { Logger } from '../../base/logger.ts';
import type { AppPlan } from '../rules/plan.ts';

const FORWARD_PHASES = new Set<PhaseName>(['validate', 'snapshot', 'deploy', 'scale', 'ramp', 'plateau']);

/** Everything the conductor talks to, passed in so tests swap any of it. */
export interface ConductorDeps {
  clock: Clock;
  substrates: Substrates;
  locust: LocustDriver;
  kpi: KpiSource;
  /** a fresh controller for this run (default: electron/load/controller createController from the spec) */
  controllerFor?: (spec: LoadTest, info: { workers: number | null }) => Controller;
  logger: Logger;
  /** where the journal, reports and history live */
  dataDir: string;
  /** for webhooks and HTTP cleanup hooks; defaults to the global fetch */
  fetch?: typeof fetch;
  /** reads parity (defaults to electron/core/parity.ts readParity) */
  readParity?: (spec: LoadTest, substrates: Substrates, signal?: AbortSignal) => Promise<ParityReport>;
}

/** spec.guards (defaults applied) as the run status carries them */
export function guardLimitsOf(spec: LoadTest): GuardLimits {
  const g = spec.spec.guards;
  return { maxErrorRate: g.maxErrorRate, maxP99Ms: g.maxP99Ms ?? null, stallSamples: g.stallSamples, gracePeriodMs: g.gracePeriod, productionDrift: g.productionDrift };
}

/** One in-scope application and the substrate it lives on. */
export interface AppUnit {
  app: Application;
  name: string;
  substrate: 'kubernetes' | 'ecs';
  k8s?: K8sAppRef;
  ecs?: EcsAppRef;
}

export type AbortKind = 'user' | 'guard';

/** Mutable state of one run, shared by the phases. The RunStatus in here is what every UI renders. */
export class RunContext {
  readonly status: RunStatus;
  readonly runStart: number;
  readonly timeline: (AppProgress & { t: number })[] = [];
  /** aborted by a user abort, a guard breach or production drift in abort mode: cancels every wait of the forward phases */
  readonly work = new AbortController();
  abortKind: AbortKind | null = null;
  abortReason: string | null = null;
  /** Locust stop issued by abort(), awaited before restore */
  stopPromise: Promise<void> | null = null;
  loadStarted = false;
  loadStopped = false;
  units: AppUnit[] = [];
  /** app → production state read at snapshot time */
  production = new Map<string, AppState | null>();
  /** app → test state before the run */
  snapshot = new Map<string, AppState | null>();
  plans = new Map<string, AppPlan>();
  /** apps skipped for the whole run (missing in test …) */
  skipped = new Set<string>();
  restoreComplete = true;
  restoreFailures: string[] = [];
  parityBefore: ParityReport | null = null;
  parityAfter: ParityReport | null = null;
  /** worker count Locust reported at validate (null: unknown) */
  locustWorkers: number | null = null;
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
    this.status = {
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
      overrides: overridesOf(spec),
      load: loadPlanOf(spec),
      ...(trigger ? { trigger } : {}),
    };
  }

  get runId(): string {
    return this.status.runId;
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

  emit(event: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.logger.warn(`run event listener failed: ${errorMessage(err)}`);
      }
    }
  }

  snapshotStatus(): RunStatus {
    return structuredClone(this.status);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.logger[level](message, { runId: this.runId });
    this.emit({ type: 'log', runId: this.runId, level, message });
  }

  flag(message: string): void {
    if (this.status.flags.includes(message)) return;
    this.status.flags.push(message);
    this.log('warn', message);
  }

  setApp(app: string, phase: PhaseName, state: AppProgress['state'], detail?: string, reason?: string): void {
    const progress: AppProgress = { app, phase, state, ...(detail !== undefined ? { detail } : {}), ...(reason !== undefined ? { reason } : {}) };
    const i = this.status.apps.findIndex((a) => a.app === app);
    const prev = i >= 0 ? this.status.apps[i] : undefined;
    if (prev && prev.phase === phase && prev.state === state && prev.detail === detail && prev.reason === reason) return;
    if (i >= 0) this.status.apps[i] = progress;
    else this.status.apps.push(progress);
    this.timeline.push({ ...progress, t: this.elapsed() });
    this.emit({ type: 'app-progress', runId: this.runId, progress });
  }

  /** run one phase: records it in the status and the journal; a throw marks it failed and propagates */
  async phase(name: PhaseName, fn: () => Promise<void | 'skipped'>): Promise<void> {
    const record: PhaseRecord = { phase: name, startedAt: this.elapsed(), state: 'running' };
    this.status.phases.push(record);
    this.status.phase = name;
    await this.journal.append({ type: 'phase', phase: name, state: 'running' });
    this.emit({ type: 'phase', runId: this.runId, phase: name, state: 'running', t: record.startedAt });
    try {
      // a forward phase never starts once the run is aborting
      if (FORWARD_PHASES.has(name)) this.work.signal.throwIfAborted();
      const r = await fn();
      record.state = r === 'skipped' ? 'skipped' : 'done';
    } catch (err) {
      record.state = 'failed';
      record.error = toErrorDto(err);
      throw err;
    } finally {
      record.endedAt = this.elapsed();
      await this.journal.append({ type: 'phase', phase: name, state: record.state, ...(record.error ? { message: record.error.message } : {}) }).catch((e: unknown) =>
        this.logger.error(`journal append failed: ${e instanceof Error ? e.message : String(e)}`),
      );
      this.emit({ type: 'phase', runId: this.runId, phase: name, state: record.state, t: record.endedAt });
    }
  }

  /** record a phase that did not run */
  skipPhase(name: PhaseName): void {
    const t = this.elapsed();
    this.status.phases.push({ phase: name, startedAt: t, endedAt: t, state: 'skipped' });
    this.emit({ type: 'phase', runId: this.runId, phase: name, state: 'skipped', t });
  }

  addSample(sample: Sample): void {
    this.status.samples.push(sample);
    this.emit({ type: 'sample', runId: this.runId, sample });
  }

  addGuard(event: GuardEvent): void {
    this.status.guards.push(event);
    this.emit({ type: 'guard', runId: this.runId, guard: event });
  }

  setKnee(knee: Knee): void {
    if (this.status.knee) return;
    this.status.knee = knee;
    this.emit({ type: 'knee', runId: this.runId, knee });
  }

  abortStep(step: NonNullable<RunStatus['abort']>['step']): void {
    if (!this.status.abort || this.status.abort.step === step) return;
    this.status.abort.step = step;
    this.emit({ type: 'abort', runId: this.runId, step, reason: this.status.abort.reason });
  }

  get aborting(): boolean {
    return this.abortKind !== null;
  }

  /**
   * Abort the run: stop Locust at once, cancel every wait of the forward phases. Idempotent:
   * a second call returns false and changes nothing (it never interrupts restore or cleanup).
   */
  abort(reason: string, kind: AbortKind = 'user'): boolean {
    if (this.abortKind !== null || this.status.verdict !== null || this.status.phase === 'restore' || this.status.phase === 'cleanup' || this.status.phase === 'verdict') return false;
    this.abortKind = kind;
    this.abortReason = reason;
    this.status.state = 'aborting';
    this.status.abort = { requestedAt: this.elapsed(), reason, step: 'stopping-load' };
    this.emit({ type: 'abort', runId: this.runId, step: 'stopping-load', reason, t: this.status.abort.requestedAt });
    // first thing: stop the load (even before the loop notices), then cancel the waits
    this.stopPromise = this.stopLoad('abort');
    this.work.abort(new AbortedError(reason, { kind }));
    return true;
  }

  /** stop Locust once; failures are logged (restore goes on regardless) */
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

  /** journal the intent, write through the test-side writer, journal the result */
  async write(unit: AppUnit, purpose: 'deploy' | 'scale' | 'restore', desired: K8sDesiredState | EcsDesiredState, signal: AbortSignal, onIntentJournaled?: () => void): Promise<void> {
    const test = this.deps.substrates.test;
    if (unit.substrate === 'kubernetes') {
      await this.journal.append({ type: 'write-intent', app: unit.name, purpose, substrate: 'kubernetes', desired: desired as K8sDesiredState });
    } else {
      await this.journal.append({ type: 'write-intent', app: unit.name, purpose, substrate: 'ecs', desired: desired as EcsDesiredState });
    }
    onIntentJournaled?.();
    try {
      let result: string | undefined;
      if (unit.substrate === 'kubernetes') await test.kubernetes!.apply(unit.k8s!, desired as K8sDesiredState, signal);
      else result = await test.ecs!.apply(unit.ecs!, desired as EcsDesiredState, signal);
      await this.journal.append({ type: 'write-done', app: unit.name, purpose, ...(result ? { result } : {}) });
    } catch (err) {
      await this.journal.append({ type: 'write-failed', app: unit.name, purpose, message: errorMessage(err) });
      throw err;
    }
  }
}
