import { setMaxListeners } from 'node:events';
import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import type { AppProgress, RunEvent, Verdict } from '../../../shared/model/run.ts';
import { RunHistory } from '../records/history.ts';
import { buildReport } from '../records/report.ts';
import { computeVerdict } from '../rules/verdict.ts';
import { unitsOf } from '../rules/units.ts';
import { needsRecovery, readJournal, readSnapshot, RunJournal, summarizeJournal } from './journal.ts';
import { cleanupPhase } from './phases/cleanup.ts';
import { restorePhase, type RestoreResult } from './phases/restore.ts';
import { RunContext, type ConductorDeps } from './run-context.ts';

/**
 * Finishing a run whose conductor died (kill -9, a lost node, a power cut): the abort path it
 * never took. Stop the spec's Locust, put the test environment back to the snapshot through the
 * same restore code a live run uses (diff against the snapshot, write only what differs, wait for
 * rollouts), run the cleanup hooks, record the run in the history (unless it has an entry) and
 * mark it recovered in its journal. Safe to run twice. Each step is an event (abort steps, app
 * progress, logs), so every host reports it the same way.
 *
 * The rules of *whether* to recover (the run's process alive? pending? --force?) and the test
 * environment's lock are the caller's: electron/core/service/recover-run.ts.
 */

export interface RecoveryResult {
  runId: string;
  restoreComplete: boolean;
  message: string;
  apps: AppProgress[];
  verdict: Verdict;
}

export async function restoreDeadRun(runId: string, deps: ConductorDeps, opts: { onEvent?: (e: RunEvent) => void; force?: boolean } = {}): Promise<RecoveryResult> {
  const snapshot = await readSnapshot(deps.dataDir, runId);
  if (!snapshot) throw new ConductorError('NOT_FOUND', `run ${runId} has no snapshot in ${deps.dataDir}; nothing to recover`, { runId });
  const summary = summarizeJournal(await readJournal(deps.dataDir, runId));
  const { spec } = snapshot;
  const journal = new RunJournal(deps.dataDir, runId);
  const ctx = new RunContext(spec, deps, journal, runId, snapshot.testEnvironment);
  if (opts.onEvent) ctx.onEvent(opts.onEvent);
  const reason = `recovered: the conductor running it stopped${summary.lastPhase ? ` in phase ${summary.lastPhase}` : ''}`;
  await journal.append({ type: 'note', message: `recovery started (last phase: ${summary.lastPhase ?? 'none'}, ${summary.writeIntents} write(s) journaled)` });

  // the abort path: Locust first (it may still be running the dead run's users), then restore and cleanup
  ctx.abort(reason, 'user');
  await ctx.settleLoad('recovery');
  const signal = new AbortController().signal;
  setMaxListeners(10_000, signal);
  const units = unitsOf(spec.spec.applications).filter((u) => snapshot.test[u.name]);
  let restore: RestoreResult;
  ctx.abortStep('restoring');
  try {
    restore = await ctx.phase('restore', () => restorePhase(ctx, { units, snapshot: new Map(Object.entries(snapshot.test)), ...(opts.force ? { compareAndSet: false } : {}) }, signal));
  } catch (err) {
    restore = { complete: false, failures: [errorMessage(err)] };
  }
  ctx.abortStep('cleaning-up');
  try {
    await ctx.phase('cleanup', () => cleanupPhase(ctx, signal));
  } catch (err) {
    ctx.flag(`cleanup failed: ${errorMessage(err)}`);
  }
  const verdict = computeVerdict({ spec, samples: [], knee: null, outcome: { kind: 'aborted', reason }, restoreComplete: restore.complete, restoreFailures: restore.failures });
  ctx.finished(verdict);

  const history = new RunHistory(deps.dataDir);
  if (!(await history.has(runId))) {
    try {
      await history.save(buildReport({ spec, status: ctx.finalStatus(), verdict, endedAt: new Date().toISOString(), parityBefore: null, parityAfter: null, timeline: ctx.timeline }));
    } catch (err) {
      ctx.log('error', `saving the recovered run to the history failed: ${errorMessage(err)}`);
    }
  }
  const message = restore.complete
    ? `run ${runId}: the test environment (${snapshot.testEnvironment}) is back to its state before the run${needsRecovery(summary) ? '' : ' (it was not pending)'}`
    : `run ${runId}: restore incomplete: ${restore.failures.join('; ')}`;
  await journal.append({ type: 'recovered', restoreComplete: restore.complete, message });
  return { runId, restoreComplete: restore.complete, message, apps: ctx.status.apps.filter((a) => a.phase === 'restore'), verdict };
}

/** Close a pending run without touching any platform (its embedded sandbox ended with its process). */
export async function markRecovered(dataDir: string, runId: string, message: string): Promise<void> {
  await new RunJournal(dataDir, runId).append({ type: 'recovered', restoreComplete: true, message });
}
