import { UsageError } from '../../../shared/model/errors.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { isRunId } from '../../../shared/model/run-id.ts';
import { defaultIsAlive, needsRecovery, readJournal, readSnapshot, summarizeJournal } from '../run/journal.ts';
import { markRecovered, restoreDeadRun, type RecoveryResult } from '../run/recovery.ts';
import type { LockHolder } from './env-lock.ts';
import { defaultOwner, prepareTestEnvironment, type LaunchDeps } from './launch-run.ts';

/**
 * The one recovery policy, for every host (`conductor recover`, the API's recovery:restore, a
 * restarted server): a run is recovered only if it has a snapshot, its process is not alive on
 * this host (a live run restores itself on Ctrl-C/SIGTERM — two writers on one test environment,
 * never), and it is pending (it wrote and did not finish with a complete restore) unless `force`.
 * Recovery takes the test environment's lock like a run (taking it over from the dead run on this
 * host at once; from another host once its lease expired), then stops Locust, restores, cleans
 * up and records the run (electron/core/run/recovery.ts).
 */

export interface RecoverOptions {
  /** restore even when the run is not pending (it finished, or was recovered): undoes every later change to those apps */
  force?: boolean;
  /** wait for the test environment's lock instead of refusing */
  wait?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  onWaiting?: (holder: LockHolder) => void;
}

export type RecoverOutcome =
  | { kind: 'recovered'; result: RecoveryResult; lock: string }
  | { kind: 'not-needed'; message: string }
  | { kind: 'sandbox'; message: string };

export interface RecoverDeps extends LaunchDeps {
  /** is the process that wrote a run still running it? (default: a live pid on this host) */
  isAlive?: (pid: number, host: string) => boolean;
}

export async function recoverRun(runId: string, deps: RecoverDeps, opts: RecoverOptions = {}): Promise<RecoverOutcome> {
  if (!isRunId(runId)) throw new UsageError(`invalid run id "${runId.slice(0, 140)}": expected letters, digits, ".", "_" or "-", starting with a letter or digit`);
  const snapshot = await readSnapshot(deps.dataDir, runId).catch(() => null);
  if (!snapshot) throw new UsageError(`no run ${runId} with a snapshot in ${deps.dataDir}; \`conductor recover\` lists the runs that need a restore`, { runId });
  const journal = summarizeJournal(await readJournal(deps.dataDir, runId));
  const isAlive = deps.isAlive ?? defaultIsAlive;
  const s = journal.started;
  if (s && !journal.ended && !journal.recovered && isAlive(s.pid, s.host)) {
    throw new UsageError(`run ${runId} is still running (process ${s.pid} on this host); stop it with Ctrl-C or SIGTERM — it restores the test environment itself — instead of recovering it`, { runId, pid: s.pid });
  }
  if (!needsRecovery(journal) && !opts.force) {
    const why = journal.recovered ? 'it was already recovered' : journal.ended ? `it ended (${journal.ended.state}) with the test environment restored` : 'it made no change to the test environment';
    return { kind: 'not-needed', message: `run ${runId} needs no restore: ${why}. Nothing written. (--force restores its snapshot anyway, undoing later changes to those apps.)` };
  }
  if (snapshot.spec.spec.sandbox) {
    const message = `run ${runId} used the embedded sandbox, which ended with its process; nothing to restore`;
    await markRecovered(deps.dataDir, runId, message);
    return { kind: 'sandbox', message };
  }

  const here = (deps.owner ?? defaultOwner()).host;
  const { env, clock, lock } = await prepareTestEnvironment(snapshot.spec, deps, {
    runId,
    timeScale: 1,
    ...(opts.wait ? { wait: true } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
    // the dead run's own lock, on this host, with its process gone: ours at once
    takeOver: (h) => h.runId === runId && h.host === here && (h.pid === null || !isAlive(h.pid, h.host)),
  });
  try {
    const result = await restoreDeadRun(
      runId,
      { clock, substrates: env.substrates, locust: env.locust, kpi: env.kpi, logger: deps.logger, dataDir: deps.dataDir, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
      { ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.force ? { force: true } : {}) },
    );
    return { kind: 'recovered', result, lock: lock.where };
  } finally {
    await lock.release();
    await env.close().catch(() => undefined);
  }
}
