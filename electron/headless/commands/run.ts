import type { Command } from 'commander';
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CliContext } from '../cli-context.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { rawStream } from '../safe-output.ts';
import { TerminalDisplay } from '../terminal-display.ts';
import type { RunResult } from '../../core/run/conductor.ts';
import type { LaunchDeps, LaunchedRun } from '../../core/service/launch-run.ts';
import { openCliEnvironment } from '../open-environment.ts';
import { holdingSignals, signalReason, type SignalSource } from '../signals.ts';
import type { Logger } from '../../base/logger.ts';
import { writePrivateFile } from '../../base/fs-atomic.ts';
import type { OpenEnvironment } from '../../core/service/environment.ts';
import type { VerdictStatus } from '../../../shared/model/run.ts';
import { resolveDataDir } from './data-dir.ts';
import { parseTimeScale } from '../options.ts';
import { ConductorError, errorMessage } from '../../../shared/model/errors.ts';
import { describePause } from '../../../shared/model/gitops.ts';

/**
 * `conductor run FILE`: the whole lifecycle in the terminal, started through the core's launcher
 * (identity check, the test environment's lock — `--wait` waits for it). Ctrl-C (or SIGTERM, or
 * SIGHUP when the terminal goes away) aborts: Locust stops at once, the test environment is
 * restored, cleanup runs, and the run ends as aborted; further signals only say that the restore
 * is in progress. Exit: 0 passed, 1 failed, 3 aborted or error (2 for a bad spec or usage, test
 * being production, or the test environment taken by another run).
 */

/** once the terminal is gone, writes to it fail (EIO, EPIPE): the restore must not die of that */
const ignoreClosedStream = (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EIO' && err.code !== 'EPIPE') throw err;
};

export interface RunCommandDeps {
  signals?: SignalSource;
  openEnvironment?: OpenEnvironment;
  /** the lock's owner and timings (tests) */
  owner?: LaunchDeps['owner'];
  lock?: LaunchDeps['lock'];
}

export function exitCodeFor(verdict: VerdictStatus): number {
  return verdict === 'passed' ? EXIT.OK : verdict === 'failed' ? EXIT.CHECK_FAILED : EXIT.RUNTIME;
}

/** mkdir -p, one level at a time (Node 20's recursive mkdir never returns for some paths, e.g. under /proc) */
async function makeParents(dir: string): Promise<void> {
  const missing: string[] = [];
  let d = dir;
  for (let i = 0; i < 64; i += 1) {
    const st = await stat(d).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
    d = dirname(d);
  }
  for (const m of missing) await mkdir(m, 0o700).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
}

/** The journal must be writable before the first write to the test environment: without it, no recovery. */
export async function checkDataDir(dir: string, what: string): Promise<void> {
  try {
    await makeParents(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${what} ${dir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? String(err)}); journals and history need a writable directory (--data-dir DIR or CONDUCTOR_DATA_DIR)`);
  }
}

/** An output file must be writable before the run starts: a run is long, and its report is what CI keeps. */
export async function checkOutputPath(flag: string, path: string): Promise<string> {
  const p = resolve(path);
  const st = await stat(p).catch(() => null);
  if (st?.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory; expected a file path`);
  try {
    await makeParents(dirname(p));
    await access(dirname(p), constants.W_OK);
    if (st) await access(p, constants.W_OK);
  } catch (err) {
    throw new UsageError(`${flag} ${path}: cannot write there (${(err as NodeJS.ErrnoException).code ?? String(err)}); expected a writable file path`);
  }
  return p;
}

function cliLogger(io: CliContext['io'], display: () => TerminalDisplay | null, debug: boolean): Logger {
  // messages of the run itself (fields.runId) arrive as run events and are shown by the display
  const line = (level: string, m: string, fields?: Record<string, unknown>) => {
    if (fields && 'runId' in fields) return;
    const d = display();
    if (d) d.message(`${level}: ${m}`);
    else io.stderr.write(`${level}: ${m}\n`);
  };
  return {
    info: () => undefined, // the run's own events carry what matters
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
    debug: (m) => (debug ? io.stderr.write(`debug: ${m}\n`) : undefined),
  };
}

export function registerRun(program: Command, ctx: CliContext, deps: RunCommandDeps = {}): void {
  program
    .command('run')
    .description('run a load test: snapshot, deploy production versions, scale, ramp and hold the target OPM, restore, clean up, verdict')
    .argument('<file>', 'LoadTest spec (YAML or JSON)')
    .option('--time-scale <n>', 'simulated seconds per real second: the embedded sandbox, or (matching it) a `conductor sandbox` on this machine; refused for anything else')
    .option('--report <file>', 'write the run report (JSON)')
    .option('--junit <file>', 'write a JUnit XML report for CI systems')
    .option('--summary <file>', 'write a Markdown summary')
    .option('--html <file>', 'write a self-contained HTML report (charts, guards, parity, timeline; opens offline)')
    .option('--data-dir <dir>', 'where journals and history live (default $CONDUCTOR_DATA_DIR or ~/.conductor)')
    .option('--wait', 'when another run holds the test environment, wait for it to end instead of refusing')
    .action(async (file: string, opts: { timeScale?: string; report?: string; junit?: string; summary?: string; html?: string; dataDir?: string; wait?: boolean }) => {
      const { io } = ctx;
      const env = io.env ?? process.env;
      const timeScale = parseTimeScale(opts.timeScale);
      const [{ loadSpecFile }, { launchRun }, { listPendingRecoveries }, { reportJson, reportJunit, reportMarkdown }, { renderReportHtml }] = await Promise.all([
        import('../../core/service/spec-loader.ts'),
        import('../../core/service/launch-run.ts'),
        import('../../core/run/journal.ts'),
        import('../../core/records/report.ts'),
        import('../../../shared/report/html.ts'),
      ]);
      const spec = await loadSpecFile(file);
      const outputs: { path: string; render: (r: RunResult['report']) => string }[] = [];
      if (opts.report) outputs.push({ path: await checkOutputPath('--report', opts.report), render: reportJson });
      if (opts.junit) outputs.push({ path: await checkOutputPath('--junit', opts.junit), render: reportJunit });
      if (opts.summary) outputs.push({ path: await checkOutputPath('--summary', opts.summary), render: reportMarkdown });
      if (opts.html) outputs.push({ path: await checkOutputPath('--html', opts.html), render: renderReportHtml });
      if (timeScale !== undefined && spec.spec.sandbox) spec.spec.sandbox.timeScale = timeScale;
      const dataDir = resolveDataDir(opts.dataDir, env);
      await checkDataDir(dataDir, opts.dataDir ? '--data-dir' : env.CONDUCTOR_DATA_DIR ? 'CONDUCTOR_DATA_DIR' : 'the data directory');
      const debug = program.opts<{ debug?: boolean }>().debug === true;
      const tty = io.stdout.isTTY === true;
      let display: TerminalDisplay | null = null;
      const logger = cliLogger(io, () => display, debug);

      const pending = await listPendingRecoveries(dataDir).catch(() => []);
      if (pending.length) {
        io.stderr.write(`warning: ${pending.length} earlier run(s) did not finish and may have left the test environment changed: ${pending.map((p) => p.runId).join(', ')} — see \`conductor recover\`\n`);
      }

      const open = deps.openEnvironment ?? openCliEnvironment;
      const signals = deps.signals ?? process;
      const stop = new AbortController();
      let handle: LaunchedRun | null = null;
      const say = (msg: string) => {
        if (display && tty) display.message(msg);
        else io.stderr.write(msg + '\n');
      };
      io.stdout.on?.('error', ignoreClosedStream);
      io.stderr.on?.('error', ignoreClosedStream);
      try {
        await holdingSignals(
          signals,
          (count, signal) => {
            if (count === 1) {
              stop.abort(signalReason(signal));
              say(handle ? 'aborting: stopping the load and restoring the test environment — Ctrl-C again will not interrupt the restore' : 'cancelled before the run started; nothing was written');
            } else say('restoring the test environment, please wait');
          },
          async () => {
            handle = await launchRun(
              spec,
              { dataDir, logger, open, env, ...(deps.owner ? { owner: deps.owner } : {}), ...(deps.lock ? { lock: deps.lock } : {}) },
              {
                ...(timeScale !== undefined ? { timeScale } : {}),
                ...(opts.wait ? { wait: true } : {}),
                signal: stop.signal,
                trigger: { source: 'manual', summary: 'conductor run on the command line' },
                onEvent: (e) => display?.onEvent(e),
                onWaiting: (h) => io.stderr.write(`waiting: the test environment is in use by run ${h.runId} (${h.owner}, since ${h.since}); this run starts when it ends (Ctrl-C cancels)\n`),
              },
            );
            if (timeScale !== undefined && timeScale !== 1 && !spec.spec.sandbox) {
              io.stderr.write(`note: --time-scale ${timeScale} speeds up the conductor's own clock (control interval, ramp, plateau, timeouts); it must match the time scale of the \`conductor sandbox\` this spec reaches\n`);
            }
            const h = handle;
            // the panel draws with cursor codes: it writes raw and escapes the text it shows itself
            display = new TerminalDisplay({ out: rawStream(io.stdout), tty, status: () => h.status() });
            if (!tty) io.stdout.write(`run ${h.runId}: ${spec.metadata.name} on ${h.testEnvironment} (data in ${dataDir}; lock: ${h.lock})\n`);
            const result = await h.done;
            display.finish();
            display = null;
            // the verdict first: a report that cannot be written must not hide it
            const v = result.verdict;
            io.stdout.write(`\n${spec.metadata.name}: ${v.status.toUpperCase()}${v.plateauOpm !== null ? ` — plateau ${Math.round(v.plateauOpm)} OPM of ${v.targetOpm}` : ''}\n`);
            for (const r of v.reasons) io.stdout.write(`  - ${r}\n`);
            for (const r of result.report.regressions ?? []) io.stdout.write(`  - regression: ${r}\n`);
            // what the run held off and did not hand back (GitOps controllers, ECS auto scaling)
            for (const p of result.status.gitops ?? []) if (p.state !== 'resumed') io.stdout.write(`  - ${describePause(p)}\n`);
            io.stdout.write(`stored as run ${h.runId} in ${dataDir} (\`conductor history show ${h.runId}\`)\n`);
            let exitCode: number = exitCodeFor(v.status);
            for (const o of outputs) {
              try {
                await writePrivateFile(o.path, o.render(result.report));
                io.stdout.write(`wrote ${o.path}\n`);
              } catch (err) {
                io.stderr.write(`error: could not write ${o.path}: ${errorMessage(err)} (the report is in the history: \`conductor history show ${h.runId} -o json\`)\n`);
                exitCode = EXIT.RUNTIME;
              }
            }
            ctx.setExitCode(exitCode);
          },
        );
      } catch (err) {
        // Ctrl-C while waiting for the lock: nothing started, nothing written
        if (stop.signal.aborted && !handle) throw new ConductorError('ABORTED', `${errorMessage(stop.signal.reason)} while waiting for the test environment; nothing was written`);
        throw err;
      } finally {
        (display as TerminalDisplay | null)?.finish();
        io.stdout.off?.('error', ignoreClosedStream);
        io.stderr.off?.('error', ignoreClosedStream);
      }
    });
}
