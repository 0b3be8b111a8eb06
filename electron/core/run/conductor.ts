import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { ParityReport } from '../../../shared/model/parity.ts';
import type { RunEvent, RunReport, RunStatus, RunTrigger, Verdict } from '../../../shared/model/run.ts';
import { PHASES } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { describeTestEnvironment } from '../../../shared/spec/validate.ts';
import { DriftWatch } from './drift.ts';
import { RunHistory } from '../records/history.ts';
import { RunJournal } from './journal.ts';
import { WebhookNotifier } from './notifier.ts';
import { readParity } from '../rules/parity.ts';
import { preflight, RefusedBeforeWrite } from './preflight.ts';
import { watchOtherWriters } from './other-writers.ts';
import { cleanupPhase } from './phases/cleanup.ts';
import { errorMessage } from './phases/common.ts';
import { deployPhase } from './phases/deploy.ts';
import { LoadLoop } from './phases/load.ts';
import { restorePhase, type RestoreResult } from './phases/restore.ts';
import { scalePhase } from './phases/scale.ts';
import { snapshotPhase, type Snapshotted } from './phases/snapshot.ts';
import { validatePhase, type Validated } from './phases/validate.ts';
import { buildReport } from '../records/report.ts';
import { RunContext, type ConductorDeps } from './run-context.ts';
import { computeVerdict, type RunOutcome } from '../rules/verdict.ts';

export type { ConductorDeps } from './run-context.ts';

/**
 * The conductor: one call runs the whole load test and always leaves the test environment as it
 * found it.
 *
 *   validate → snapshot → deploy → scale → ramp → plateau → restore → cleanup → verdict
 *                  (any phase) ── abort / guard breach / error ──► restore → cleanup → verdict
 *
 * Restore runs whenever a write was issued, under its own signal: an abort cancels the forward
 * phases' waits but never the restore. Every transition and write is journaled; the report is
 * stored in the history.
 */

export interface RunOptions {
  /** default: a new id (time, spec name, random suffix) */
  runId?: string;
  /** aborting this signal aborts the run (its reason, if a string, is the abort reason) */
  signal?: AbortSignal;
  /** every RunEvent, in order */
  onEvent?: (event: RunEvent) => void;
  /** named in the status, for banners and confirmations; default: derived from the test targets */
  testEnvironment?: string;
  /** who started the run, shown in the history */
  trigger?: RunTrigger;
}

export interface RunResult {
  status: RunStatus;
  verdict: Verdict;
  report: RunReport;
}

export interface RunHandle {
  readonly runId: string;
  /** a copy of the live status */
  status(): RunStatus;
  /** abort (idempotent): returns true if this call started the abort */
  abort(reason?: string): boolean;
  /** resolves once the run is journaled as started (its run-started entry on disk, the event emitted) */
  readonly started: Promise<void>;
  readonly done: Promise<RunResult>;
}

export function newRunId(specName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${stamp}-${specName.slice(0, 60)}-${randomBytes(3).toString('hex')}`;
}

export function startRun(spec: LoadTest, deps: ConductorDeps, opts: RunOptions = {}): RunHandle {
  const runId = opts.runId ?? newRunId(spec.metadata.name);
  const journal = new RunJournal(deps.dataDir, runId);
  const ctx = new RunContext(spec, deps, journal, runId, opts.testEnvironment ?? describeTestEnvironment(spec), opts.trigger);
  const notifier = new WebhookNotifier(spec, { logger: deps.logger, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  ctx.onEvent((e) => notifier.notify(e));
  if (opts.onEvent) ctx.onEvent(opts.onEvent);
  const onSignal = () => {
    const r: unknown = opts.signal?.reason;
    ctx.abort(typeof r === 'string' ? r : r instanceof Error && r.message ? r.message : 'aborted', 'user');
  };
  if (opts.signal?.aborted) queueMicrotask(onSignal);
  else opts.signal?.addEventListener('abort', onSignal, { once: true });
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const done = conduct(ctx, notifier, markStarted).finally(() => {
    markStarted(); // a run that failed before its journal was written has still "started" as far as waiters go
    opts.signal?.removeEventListener('abort', onSignal);
  });
  return {
    runId,
    status: () => ctx.snapshotStatus(),
    abort: (reason = 'aborted by the user') => ctx.abort(reason, 'user'),
    started,
    done,
  };
}

/** Run a load test to the end; resolves with the verdict (it rejects only on a bug or a journal that cannot be written). */
export function runLoadTest(spec: LoadTest, deps: ConductorDeps, opts: RunOptions = {}): Promise<RunResult> {
  return startRun(spec, deps, opts).done;
}

async function conduct(ctx: RunContext, notifier: WebhookNotifier, markStarted: () => void): Promise<RunResult> {
  const { spec, deps } = ctx;
  await ctx.journal.append({
    type: 'run-started',
    runId: ctx.runId,
    specName: spec.metadata.name,
    pid: process.pid,
    host: hostname(),
    testEnvironment: ctx.status.testEnvironment,
    startedAt: ctx.status.startedAt,
  });
  ctx.started();
  markStarted();

  let outcome: RunOutcome = { kind: 'completed' };
  let drift: DriftWatch | null = null;
  let validated: Validated | null = null;
  let snapshot: Snapshotted | null = null;
  let refused = false;
  let stopOthers: (() => void) | null = null;
  try {
    validated = await ctx.phase('validate', () => validatePhase(ctx));
    const v = validated;
    snapshot = await ctx.phase('snapshot', async () => {
      const s = await snapshotPhase(ctx, v);
      // before the first write: plan (overrides resolved), refuse paused Deployments, hold off GitOps
      await preflight(ctx, s);
      return s;
    });
    const s = snapshot;
    const plans = await ctx.phase('deploy', () => deployPhase(ctx, s));
    await ctx.phase('scale', () => scalePhase(ctx, s, plans));
    drift = new DriftWatch(ctx, s);
    stopOthers = watchOtherWriters(ctx, s.active);
    const workersBefore = s.workers ? s.test.get(s.workers.name) : null;
    const loop = new LoadLoop(ctx, drift, v.locustWorkers, s.workers && workersBefore ? { unit: s.workers, before: workersBefore } : null);
    await ctx.phase('ramp', () => loop.run('ramp'));
    await ctx.phase('plateau', () => loop.run('plateau'));
  } catch (err) {
    if (ctx.abortKind === 'user') outcome = { kind: 'aborted', reason: ctx.abortReason ?? 'aborted' };
    else if (ctx.abortKind === 'guard') outcome = { kind: 'guard', reason: ctx.abortReason ?? 'guard breached' };
    else {
      refused = err instanceof RefusedBeforeWrite;
      outcome = { kind: 'error', reason: errorMessage(err) };
      ctx.log('error', `run failed in ${ctx.status.phase ?? 'start-up'}: ${errorMessage(err)}`);
    }
  } finally {
    drift?.stop();
    stopOthers?.();
  }
  for (const p of PHASES.slice(0, PHASES.indexOf('restore'))) if (!ctx.status.phases.some((r) => r.phase === p)) ctx.skipPhase(p);

  // load off first (abort already issued the stop; this waits for it, bounded)
  await ctx.settleLoad(outcome.kind === 'completed' ? 'run complete' : outcome.kind);

  // restore: own signal, never the user's
  const restoreSignal = new AbortController().signal;
  setMaxListeners(10_000, restoreSignal);
  let restore: RestoreResult = { complete: true, failures: [] };
  if (snapshot && ctx.journal.writeIntents > 0) {
    const input = { units: snapshot.workers ? [...snapshot.units, snapshot.workers] : snapshot.units, snapshot: snapshot.test };
    ctx.abortStep('restoring');
    try {
      restore = await ctx.phase('restore', () => restorePhase(ctx, input, restoreSignal));
    } catch (err) {
      restore = { complete: false, failures: [errorMessage(err)] };
      ctx.log('error', `restore failed: ${errorMessage(err)}`);
    }
  } else ctx.skipPhase('restore');

  // a run refused before its first write created no test data: its cleanup hooks would be writes of their own
  if (validated && !refused) {
    ctx.abortStep('cleaning-up');
    try {
      await ctx.phase('cleanup', () => cleanupPhase(ctx, restoreSignal));
    } catch (err) {
      ctx.flag(`cleanup failed: ${errorMessage(err)}`);
    }
  } else ctx.skipPhase('cleanup');

  let parityAfter: ParityReport | null = null;
  if (snapshot && ctx.journal.writeIntents > 0) {
    try {
      const read = deps.readParity ?? readParity;
      parityAfter = await read(spec, deps.substrates, AbortSignal.timeout(60_000));
      ctx.parity('after', parityAfter);
    } catch (err) {
      ctx.log('warn', `parity after the run could not be read: ${errorMessage(err)}`);
    }
  }

  const verdict = await ctx.phase('verdict', async () =>
    computeVerdict({ spec, samples: ctx.status.samples, knee: ctx.status.knee, outcome, restoreComplete: restore.complete, restoreFailures: restore.failures }),
  );
  ctx.finished(verdict);

  const endedAt = new Date().toISOString();
  let report = buildReport({ spec, status: ctx.finalStatus(), verdict, endedAt, parityBefore: snapshot?.parityBefore ?? null, parityAfter, timeline: ctx.timeline });
  try {
    const summary = await new RunHistory(deps.dataDir).save(report);
    for (const r of summary.regression) ctx.flag(`regression: ${r}`);
    report = { ...report, regressions: summary.regression, status: ctx.finalStatus() };
  } catch (err) {
    ctx.log('error', `saving the run to the history failed: ${errorMessage(err)}`);
  }
  await ctx.journal.append({ type: 'run-ended', state: verdict.status, restoreComplete: restore.complete });
  ctx.ended();
  await notifier.flush();
  return { status: ctx.finalStatus(), verdict, report };
}
