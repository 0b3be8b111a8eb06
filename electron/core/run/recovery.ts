import { setMaxListeners } from 'node:events';
import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import type { AppProgress, RunEvent } from '../../../shared/model/run.ts';
import { RunJournal, readJournal, readSnapshot, summarizeJournal, needsRecovery } from './journal.ts';
import { unitsOf } from './phases/common.ts';
import { contextForRecovery, restorePhase, type RestoreDeps } from './phases/restore.ts';

export { listPendingRecoveries } from './journal.ts';

/**
 * Crash recovery: put the test environment of an unfinished run back to its snapshot, through
 * the same restore code a live run uses (diff against the snapshot, write only what differs,
 * wait for rollouts), then mark the run recovered in its journal. Safe to run twice.
 */

export interface RecoveryResult {
  runId: string;
  restored: boolean;
  restoreComplete: boolean;
  message: string;
  apps: AppProgress[];
}

export async function recover(runId: string, deps: RestoreDeps & { onEvent?: (e: RunEvent) => void }): Promise<RecoveryResult> {
  const snapshot = await readSnapshot(deps.dataDir, runId);
  if (!snapshot) throw new ConductorError('NOT_FOUND', `run ${runId} has no snapshot in ${deps.dataDir}; nothing to recover`, { runId });
  const summary = summarizeJournal(await readJournal(deps.dataDir, runId));
  const journal = new RunJournal(deps.dataDir, runId);
  const units = unitsOf(snapshot.spec.spec.applications).filter((u) => snapshot.test[u.name]);
  const ctx = contextForRecovery(snapshot.spec, snapshot.test, deps, journal, units);
  if (deps.onEvent) ctx.onEvent(deps.onEvent);
  const wasPending = needsRecovery(summary);
  await journal.append({ type: 'note', message: `recovery started (last phase: ${summary.lastPhase ?? 'none'}, ${summary.writeIntents} write(s) journaled)` });
  try {
    const signal = new AbortController().signal;
    setMaxListeners(10_000, signal);
    await restorePhase(ctx, signal);
  } catch (err) {
    ctx.restoreComplete = false;
    ctx.restoreFailures.push(errorMessage(err));
  }
  const message = ctx.restoreComplete
    ? `run ${runId}: the test environment (${snapshot.testEnvironment}) is back to its state before the run${wasPending ? '' : ' (it was not pending)'}`
    : `run ${runId}: restore incomplete: ${ctx.restoreFailures.join('; ')}`;
  await journal.append({ type: 'recovered', restoreComplete: ctx.restoreComplete, message });
  return { runId, restored: ctx.restoreComplete, restoreComplete: ctx.restoreComplete, message, apps: ctx.status.apps.filter((a) => a.phase === 'restore') };
}

/** Close a pending run without touching any platform (its embedded sandbox ended with its process). */
export async function markRecovered(dataDir: string, runId: string, message: string): Promise<void> {
  await new RunJournal(dataDir, runId).append({ type: 'recovered', restoreComplete: true, message });
}
