import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { EXIT, UsageError, runIdArgument } from '../exit-codes.ts';
import { openCliEnvironment } from '../open-environment.ts';
import type { LaunchDeps } from '../../core/service/launch-run.ts';
import { holdingSignals, signalReason, type SignalSource } from '../signals.ts';
import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import { describePause } from '../../../shared/model/gitops.ts';
import type { Logger } from '../../base/logger.ts';
import type { OpenEnvironment } from '../../core/service/environment.ts';
import { resolveDataDir } from './data-dir.ts';

/**
 * `conductor recover [RUN_ID]`: list runs that did not finish (crash, kill -9, power cut) and left
 * the test environment changed; with a RUN_ID (or --all), finish them through the core's one
 * recovery policy (electron/core/service/recover-run.ts): take the test environment's lock, stop
 * Locust, restore the snapshot, run the cleanup hooks, record the run. Signals never interrupt a
 * restore (a Ctrl-C while waiting for the lock cancels the wait). Exit 0 when restored (or nothing
 * to do), 2 for an unknown or still-running run or a taken test environment, 3 when a restore is
 * incomplete.
 */
export interface RecoverCommandDeps {
  openEnvironment?: OpenEnvironment;
  signals?: SignalSource;
  owner?: LaunchDeps['owner'];
  lock?: LaunchDeps['lock'];
}

export function registerRecover(program: Command, ctx: CliContext, deps: RecoverCommandDeps = {}): void {
  program
    .command('recover')
    .description('list unfinished runs, or restore the test environment of one (RUN_ID) or all (--all) to the snapshot taken before it')
    .argument('[runId]', 'the run to restore', runIdArgument)
    .option('--all', 'restore every unfinished run')
    .option('--force', 'restore RUN_ID to its snapshot even when it is not pending (it finished, or was recovered) — this undoes every change made to those apps since that run')
    .option('--data-dir <dir>', 'where journals live (default $CONDUCTOR_DATA_DIR or ~/.conductor)')
    .option('--wait', 'when another run holds the test environment, wait for it instead of refusing')
    .action(async (runId: string | undefined, opts: { all?: boolean; force?: boolean; dataDir?: string; wait?: boolean }) => {
      const { io } = ctx;
      const env = io.env ?? process.env;
      const dataDir = resolveDataDir(opts.dataDir, env);
      const [{ listPendingRecoveries }, { recoverRun }] = await Promise.all([import('../../core/run/journal.ts'), import('../../core/service/recover-run.ts')]);
      const pending = await listPendingRecoveries(dataDir);
      if (!runId && !opts.all) {
        if (!pending.length) {
          io.stdout.write(`no unfinished runs in ${dataDir}\n`);
          return;
        }
        io.stdout.write(`${pending.length} unfinished run(s) in ${dataDir}:\n`);
        for (const p of pending) io.stdout.write(`  ${p.runId}  ${p.specName}  started ${p.startedAt}  last phase ${p.lastPhase ?? '-'}  on ${p.testEnvironment}\n`);
        io.stdout.write('restore one with `conductor recover RUN_ID`, or all with `conductor recover --all`\n');
        return;
      }
      if (runId && opts.all) throw new UsageError('give either a RUN_ID or --all, not both');
      const ids = runId ? [runId] : pending.map((p) => p.runId);
      if (!ids.length) {
        io.stdout.write(`no unfinished runs in ${dataDir}\n`);
        return;
      }
      const logger: Logger = { info: () => undefined, debug: () => undefined, warn: (m) => io.stderr.write(`warn: ${m}\n`), error: (m) => io.stderr.write(`error: ${m}\n`) };
      const open = deps.openEnvironment ?? openCliEnvironment;
      const stop = new AbortController();
      let restoring = false;
      let incomplete = 0;
      await holdingSignals(
        deps.signals ?? process,
        (_count, signal) => {
          if (!restoring) {
            stop.abort(signalReason(signal));
            io.stderr.write('cancelled while waiting for the test environment; nothing was written\n');
          } else io.stderr.write('recovering: restoring the test environment — this is not interrupted; please wait\n');
        },
        async () => {
          for (const id of ids) {
            if (stop.signal.aborted) break;
            const r = await recoverRun(
              id,
              { dataDir, logger, open, env, ...(deps.owner ? { owner: deps.owner } : {}), ...(deps.lock ? { lock: deps.lock } : {}) },
              {
                ...(opts.force && runId ? { force: true } : {}),
                ...(opts.wait ? { wait: true } : {}),
                signal: stop.signal,
                onWaiting: (h) => io.stderr.write(`waiting: the test environment is in use by run ${h.runId} (${h.owner}, since ${h.since}); Ctrl-C cancels\n`),
                onEvent: (e) => {
                  if (e.type === 'abort' && e.step === 'stopping-load') {
                    restoring = true;
                    io.stdout.write(`recovering run ${id}: stopping Locust …\n`);
                  } else if (e.type === 'abort' && e.step === 'restoring') io.stdout.write(`restoring the test environment to its state before run ${id} …\n`);
                  else if (e.type === 'abort' && e.step === 'cleaning-up') io.stdout.write('running the cleanup hooks …\n');
                  else if (e.type === 'app-progress' && e.progress.state !== 'rolling' && e.progress.state !== 'pending') {
                    io.stdout.write(`  ${e.progress.app}: ${e.progress.state}${e.progress.reason ? ` — ${e.progress.reason}` : e.progress.detail ? ` (${e.progress.detail})` : ''}\n`);
                  } else if (e.type === 'gitops' && e.pause.state !== 'paused') {
                    // a GitOps controller or an ECS auto scaling the dead run held off: lifted (or left, and why)
                    io.stdout.write(`  ${describePause(e.pause)}\n`);
                  } else if (e.type === 'flag' || (e.type === 'log' && e.level !== 'info')) io.stdout.write(`  ${e.type === 'flag' ? 'warn' : e.level}: ${e.message}\n`);
                },
              },
            );
            restoring = false;
            if (r.kind !== 'recovered') {
              io.stdout.write(r.message + '\n');
              continue;
            }
            io.stdout.write(`${r.result.message}; recorded in the history (\`conductor history show ${id}\`)\n`);
            if (!r.result.restoreComplete) incomplete += 1;
          }
        },
      );
      if (stop.signal.aborted && !incomplete) throw new ConductorError('ABORTED', `${errorMessage(stop.signal.reason)} while waiting for the test environment; nothing was written`);
      ctx.setExitCode(incomplete ? EXIT.RUNTIME : EXIT.OK);
    });
}
