import type { Command } from 'commander';
import { access, constants, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CliContext } from '../cli.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { TerminalDisplay } from '../terminal-display.ts';
import { ScaledClock } from '../../core/clock.ts';
import { startRun, type RunResult } from '../../core/conductor.ts';
import { openEnvironment } from '../../core/environment.ts';
import { listPendingRecoveries } from '../../core/journal.ts';
import type { Logger } from '../../core/logger.ts';
import { reportJson, reportJunit, reportMarkdown } from '../../core/report.ts';
import { loadSpecFile } from '../../core/spec-loader.ts';
import type { OpenEnvironment } from '../../core/service.ts';
import { describeTestEnvironment } from '../../../shared/spec/validate.ts';
import type { VerdictStatus } from '../../../shared/model/run.ts';
import { resolveDataDir } from './data-dir.ts';

/**
 * `conductor run FILE`: the whole lifecycle in the terminal. Ctrl-C (or SIGTERM) aborts: Locust
 * stops at once, the test environment is restored, cleanup runs, and the run ends as aborted; a
 * second Ctrl-C only says that the restore is in progress. Exit: 0 passed, 1 failed, 3 aborted
 * or error (2 for a bad spec or usage).
 */

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface RunCommandDeps {
  signals?: SignalSource;
  openEnvironment?: OpenEnvironment;
}

export function exitCodeFor(verdict: VerdictStatus): number {
  return verdict === 'passed' ? EXIT.OK : verdict === 'failed' ? EXIT.CHECK_FAILED : EXIT.RUNTIME;
}

export function parseTimeScale(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.1 || n > 10_000) throw new UsageError(`--time-scale: expected a number between 0.1 and 10000, found "${raw}"`);
  return n;
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
  for (const m of missing) await mkdir(m).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
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
    .option('--time-scale <n>', 'simulated seconds per real second (the embedded sandbox; for other specs, the conductor\'s clock — for a standalone sandbox)')
    .option('--report <file>', 'write the run report (JSON)')
    .option('--junit <file>', 'write a JUnit XML report for CI systems')
    .option('--summary <file>', 'write a Markdown summary')
    .option('--data-dir <dir>', 'where journals and history live (default $CONDUCTOR_DATA_DIR or ~/.conductor)')
    .action(async (file: string, opts: { timeScale?: string; report?: string; junit?: string; summary?: string; dataDir?: string }) => {
      const { io } = ctx;
      const env = io.env ?? process.env;
      const timeScale = parseTimeScale(opts.timeScale);
      const spec = await loadSpecFile(file);
      const outputs: { path: string; render: (r: RunResult['report']) => string }[] = [];
      if (opts.report) outputs.push({ path: await checkOutputPath('--report', opts.report), render: reportJson });
      if (opts.junit) outputs.push({ path: await checkOutputPath('--junit', opts.junit), render: reportJunit });
      if (opts.summary) outputs.push({ path: await checkOutputPath('--summary', opts.summary), render: reportMarkdown });
      if (timeScale !== undefined && spec.spec.sandbox) spec.spec.sandbox.timeScale = timeScale;
      const dataDir = resolveDataDir(opts.dataDir, env);
      const debug = program.opts<{ debug?: boolean }>().debug === true;
      const tty = io.stdout.isTTY === true;
      let display: TerminalDisplay | null = null;
      const logger = cliLogger(io, () => display, debug);

      if (timeScale !== undefined && !spec.spec.sandbox && timeScale !== 1) {
        io.stderr.write(`note: --time-scale ${timeScale} speeds up the conductor's own clock (control interval, ramp, plateau); only meaningful against a standalone sandbox running at the same scale\n`);
      }
      const pending = await listPendingRecoveries(dataDir).catch(() => []);
      if (pending.length) {
        io.stderr.write(`warning: ${pending.length} earlier run(s) did not finish and may have left the test environment changed: ${pending.map((p) => p.runId).join(', ')} — see \`conductor recover\`\n`);
      }

      const open = deps.openEnvironment ?? ((s, o) => openEnvironment(s, o));
      const environment = await open(spec, { timeScale: spec.spec.sandbox?.timeScale ?? 1, env, logger });
      const signals = deps.signals ?? process;
      let interrupts = 0;
      let handle: ReturnType<typeof startRun> | null = null;
      const say = (msg: string) => {
        if (display && tty) display.message(msg);
        else io.stderr.write(msg + '\n');
      };
      const onSignal = () => {
        interrupts += 1;
        if (!handle) return;
        if (interrupts === 1 && handle.abort('interrupted (Ctrl-C)')) say('aborting: stopping the load and restoring the test environment — Ctrl-C again will not interrupt the restore');
        else say('restoring the test environment, please wait');
      };
      signals.on('SIGINT', onSignal);
      signals.on('SIGTERM', onSignal);
      try {
        handle = startRun(
          spec,
          {
            clock: timeScale !== undefined && !spec.spec.sandbox ? new ScaledClock(timeScale) : (environment.clock ?? new ScaledClock(spec.spec.sandbox?.timeScale ?? 1)),
            substrates: environment.substrates,
            locust: environment.locust,
            kpi: environment.kpi,
            ...(environment.controllerFor ? { controllerFor: environment.controllerFor } : {}),
            logger,
            dataDir,
          },
          { testEnvironment: describeTestEnvironment(spec), onEvent: (e) => display?.onEvent(e) },
        );
        const h = handle;
        display = new TerminalDisplay({ out: io.stdout, tty, status: () => h.status() });
        if (!tty) io.stdout.write(`run ${h.runId}: ${spec.metadata.name} on ${describeTestEnvironment(spec)} (data in ${dataDir})\n`);
        const result = await h.done;
        display.finish();
        display = null;
        // the verdict first: a report that cannot be written must not hide it
        const v = result.verdict;
        io.stdout.write(`\n${spec.metadata.name}: ${v.status.toUpperCase()}${v.plateauOpm !== null ? ` — plateau ${Math.round(v.plateauOpm)} OPM of ${v.targetOpm}` : ''}\n`);
        for (const r of v.reasons) io.stdout.write(`  - ${r}\n`);
        for (const r of result.report.regressions ?? []) io.stdout.write(`  - regression: ${r}\n`);
        io.stdout.write(`stored as run ${h.runId} in ${dataDir} (\`conductor history show ${h.runId}\`)\n`);
        let exitCode: number = exitCodeFor(v.status);
        for (const o of outputs) {
          try {
            await writeFile(o.path, o.render(result.report));
            io.stdout.write(`wrote ${o.path}\n`);
          } catch (err) {
            io.stderr.write(`error: could not write ${o.path}: ${err instanceof Error ? err.message : String(err)} (the report is in the history: \`conductor history show ${h.runId} -o json\`)\n`);
            exitCode = EXIT.RUNTIME;
          }
        }
        ctx.setExitCode(exitCode);
      } finally {
        display?.finish();
        signals.off('SIGINT', onSignal);
        signals.off('SIGTERM', onSignal);
        await environment.close().catch(() => undefined);
      }
    });
}
