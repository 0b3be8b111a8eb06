import { setMaxListeners } from 'node:events';
import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import type { AppProgress, RunEvent } from '../../../shared/model/run.ts';
import { RunJournal, openHolds, readJournal, readSnapshot, summarizeJournal, needsRecovery, type JournalEntry } from './journal.ts';
import { mergeWritten, type Written } from '../rules/compare-and-set.ts';
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

/** app → what a run's journal says it wrote (deploy and scale), for restore's compare-and-set. */
export function writtenByRun(entries: JournalEntry[]): Map<string, Written> {
  const out = new Map<string, Written>();
  const pending = new Map<string, JournalEntry & { type: 'write-intent' }>();
  for (const e of entries) {
    if (e.type === 'write-intent' && e.purpose !== 'restore') {
      pending.set(e.app, e);
      out.set(e.app, mergeWritten(out.get(e.app), e.desired));
    } else if (e.type === 'write-done' && e.purpose !== 'restore' && e.result) {
      const intent = pending.get(e.app);
      if (intent) out.set(e.app, mergeWritten(out.get(e.app), intent.desired, e.result));
    }
  }
  return out;
}

export async function recover(runId: string, deps: RestoreDeps & { onEvent?: (e: RunEvent) => void; force?: boolean }): Promise<RecoveryResult> {
  const snapshot = await readSnapshot(deps.dataDir, runId);
  if (!snapshot) throw new ConductorError('NOT_FOUND', `run ${runId} has no snapshot in ${deps.dataDir}; nothing to recover`, { runId });
  const entries = await readJournal(deps.dataDir, runId);
  const summary = summarizeJournal(entries);
  const journal = new RunJournal(deps.dataDir, runId);
  const units = unitsOf(snapshot.spec.spec.applications).filter((u) => snapshot.test[u.name]);
  const ctx = contextForRecovery(snapshot.spec, snapshot.test, deps, journal, units);
  // GitOps controllers the run held off and never let go: restore lifts them
  ctx.holds = openHolds(entries);
  // compare-and-set against what the run wrote (--force: back to the snapshot whatever happened since)
  ctx.written = deps.force ? null : writtenByRun(entries);
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
