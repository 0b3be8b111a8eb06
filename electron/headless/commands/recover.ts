import type { Command } from 'commander';
import type { CliContext } from '../cli.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { ScaledClock } from '../../base/clock.ts';
import { openEnvironment } from '../../core/service/environment.ts';
import { defaultIsAlive, listPendingRecoveries, needsRecovery, readJournal, readSnapshot, summarizeJournal } from '../../core/run/journal.ts';
import { markRecovered, recover } from '../../core/run/recovery.ts';
import type { Logger } from '../../base/logger.ts';
import type { OpenEnvironment } from '../../core/service/service.ts';
import { resolveDataDir } from './data-dir.ts';

/**
 * `conductor recover [RUN_ID]`: list runs that did not finish (crash, kill -9, power cut) and left
 * the test environment changed; with a RUN_ID (or --all), restore the test environment to the
 * run's snapshot. A run that is still running (its process is alive on this host) is refused; a run
 * that needs no restore is left alone unless --force. Exit 0 when restored (or nothing to do), 2 for
 * an unknown or still-running run, 3 when a restore is incomplete.
 */
export function registerRecover(program: Command, ctx: CliContext, deps: { openEnvironment?: OpenEnvironment } = {}): void {
  program
    .command('recover')
    .description('list unfinished runs, or restore the test environment of one (RUN_ID) or all (--all) to the snapshot taken before it')
    .argument('[runId]', 'the run to restore')
    .option('--all', 'restore every unfinished run')
    .option('--force', 'restore RUN_ID to its snapshot even when it is not pending (it finished, or was recovered) — this undoes every change made to those apps since that run')
    .option('--data-dir <dir>', 'where journals live (default $CONDUCTOR_DATA_DIR or ~/.conductor)')
    .action(async (runId: string | undefined, opts: { all?: boolean; force?: boolean; dataDir?: string }) => {
      const { io } = ctx;
      const env = io.env ?? process.env;
      const dataDir = resolveDataDir(opts.dataDir, env);
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
      if (runId) {
        if (!(await readSnapshot(dataDir, runId).catch(() => null))) {
          throw new UsageError(`no run ${runId} with a snapshot in ${dataDir}; \`conductor recover\` lists the runs that need a restore`);
        }
        const journal = summarizeJournal(await readJournal(dataDir, runId));
        const s = journal.started;
        if (s && !journal.ended && !journal.recovered && defaultIsAlive(s.pid, s.host)) {
          // two writers on one test environment: never
          throw new UsageError(`run ${runId} is still running (process ${s.pid} on this host); stop it with Ctrl-C or SIGTERM — it restores the test environment itself — instead of recovering it`);
        }
        if (!needsRecovery(journal) && !opts.force) {
          const why = journal.recovered ? 'it was already recovered' : journal.ended ? `it ended (${journal.ended.state}) with the test environment restored` : 'it made no change to the test environment';
          io.stdout.write(`run ${runId} needs no restore: ${why}. Nothing written. (--force restores its snapshot anyway, undoing later changes to those apps.)\n`);
          return;
        }
      }
      if (!ids.length) {
        io.stdout.write(`no unfinished runs in ${dataDir}\n`);
        return;
      }
      const logger: Logger = { info: () => undefined, debug: () => undefined, warn: (m) => io.stderr.write(`warn: ${m}\n`), error: (m) => io.stderr.write(`error: ${m}\n`) };
      const open = deps.openEnvironment ?? ((s, o) => openEnvironment(s, o));
      let incomplete = 0;
      for (const id of ids) {
        const snapshot = (await readSnapshot(dataDir, id))!;
        if (snapshot.spec.spec.sandbox) {
          const message = `run ${id} used the embedded sandbox, which ended with its process; nothing to restore`;
          await markRecovered(dataDir, id, message);
          io.stdout.write(message + '\n');
          continue;
        }
        io.stdout.write(`restoring ${snapshot.testEnvironment} to its state before run ${id} …\n`);
        const environment = await open(snapshot.spec, { timeScale: 1, env, logger });
        try {
          const r = await recover(id, {
            substrates: environment.substrates,
            clock: environment.clock ?? new ScaledClock(1),
            logger,
            dataDir,
            onEvent: (e) => {
              if (e.type === 'app-progress' && e.progress.state !== 'rolling' && e.progress.state !== 'pending') {
                io.stdout.write(`  ${e.progress.app}: ${e.progress.state}${e.progress.reason ? ` — ${e.progress.reason}` : e.progress.detail ? ` (${e.progress.detail})` : ''}\n`);
              }
            },
          });
          io.stdout.write(r.message + '\n');
          if (!r.restoreComplete) incomplete += 1;
        } finally {
          await environment.close().catch(() => undefined);
        }
      }
      ctx.setExitCode(incomplete ? EXIT.RUNTIME : EXIT.OK);
    });
}
