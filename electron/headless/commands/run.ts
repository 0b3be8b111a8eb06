import type { Command } from 'commander';
import { access, constants, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CliContext } from '../cli.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { TerminalDisplay } from '../terminal-display.ts';
import { ScaledClock } from '../../base/clock.ts';
import { startRun, type RunResult } from '../../core/run/conductor.ts';
import { openEnvironment } from '../../core/service/environment.ts';
import { listPendingRecoveries } from '../../core/run/journal.ts';
import type { Logger } from '../../base/logger.ts';
import { reportJson, reportJunit, reportMarkdown } from '../../core/records/report.ts';
import { renderReportHtml } from '../../../shared/report/html.ts';
import { loadSpecFile } from '../../core/service/spec-loader.ts';
import type { OpenEnvironment } from '../../core/service/service.ts';
import type { Substrates as OpenedSubstrates } from '../../substrates/types.ts';
import { describeTestEnvironment } from '../../../shared/spec/validate.ts';
import type { VerdictStatus } from '../../../shared/model/run.ts';
import { resolveDataDir } from './data-dir.ts';
import { errorMessage } from '../../../shared/model/errors.ts';

/**
 * `conductor run FILE`: the whole lifecycle in the terminal. Ctrl-C (or SIGTERM, or SIGHUP when the
 * terminal goes away) aborts: Locust
 * stops at once, the test environment is restored, cleanup runs, and the run ends as aborted; a
 * second Ctrl-C only says that the restore is in progress. Exit: 0 passed, 1 failed, 3 aborted
 * or error (2 for a bad spec or usage).
 */

export type AbortSignalName = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export interface SignalSource {
  on(signal: AbortSignalName, listener: (signal?: AbortSignalName) => void): unknown;
  off(signal: AbortSignalName, listener: (signal?: AbortSignalName) => void): unknown;
}

/** Ctrl-C, a kill, and a closed terminal (an SSH session that drops) all abort and restore. */
const ABORT_SIGNALS: AbortSignalName[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** once the terminal is gone, writes to it fail (EIO, EPIPE): the restore must not die of that */
const ignoreClosedStream = (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EIO' && err.code !== 'EPIPE') throw err;
};

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

const isLoopback = (url: string | undefined): boolean => {
  if (!url) return false;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
};

/** the endpoints of an environment that are not on this machine (an ECS target without an endpoint is AWS itself) */
export function remoteEndpoints(environment: { substrates: OpenedSubstrates }, locustUrl: string | undefined): string[] {
  const out: string[] = [];
  for (const side of ['production', 'test'] as const) {
    const k = environment.substrates[side].kubernetes?.target;
    if (k && !isLoopback(k.server)) out.push(`Kubernetes ${k.server} (context ${k.context})`);
    const e = environment.substrates[side].ecs?.target;
    if (e && !isLoopback(e.endpoint)) out.push(`ECS ${e.endpoint ?? `in ${e.region}`} (cluster ${e.cluster})`);
  }
  if (!isLoopback(locustUrl)) out.push(`Locust ${locustUrl ?? '(no URL)'}`);
  return [...new Set(out)];
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
    .action(async (file: string, opts: { timeScale?: string; report?: string; junit?: string; summary?: string; html?: string; dataDir?: string }) => {
      const { io } = ctx;
      const env = io.env ?? process.env;
      const timeScale = parseTimeScale(opts.timeScale);
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

      const open = deps.openEnvironment ?? ((s, o) => openEnvironment(s, o));
      const environment = await open(spec, { timeScale: spec.spec.sandbox?.timeScale ?? 1, env, logger });
      if (timeScale !== undefined && timeScale !== 1 && !spec.spec.sandbox) {
        // a faster clock shortens the ramp, the plateau and every rollout timeout: against a real
        // cluster that is a ramp in seconds and restores cut short — only a standalone sandbox may have it
        const remote = remoteEndpoints(environment, spec.spec.load.locust.url);
        if (remote.length) {
          await environment.close().catch(() => undefined);
          throw new UsageError(`--time-scale ${timeScale} is only for a sandbox on this machine (\`conductor sandbox --time-scale N\`); this spec reaches ${remote.join(', ')}. Run it without --time-scale`);
        }
        io.stderr.write(`note: --time-scale ${timeScale} speeds up the conductor's own clock (control interval, ramp, plateau, timeouts); it must match the time scale of the \`conductor sandbox\` this spec reaches\n`);
      }
      const signals = deps.signals ?? process;
      let interrupts = 0;
      let handle: ReturnType<typeof startRun> | null = null;
      const say = (msg: string) => {
        if (display && tty) display.message(msg);
        else io.stderr.write(msg + '\n');
      };
      const onSignal = (signal?: AbortSignalName) => {
        interrupts += 1;
        if (!handle) return;
        const why = signal === 'SIGHUP' ? 'terminal closed (SIGHUP)' : signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted (Ctrl-C)';
        if (interrupts === 1 && handle.abort(why)) say('aborting: stopping the load and restoring the test environment — Ctrl-C again will not interrupt the restore');
        else say('restoring the test environment, please wait');
      };
      for (const sig of ABORT_SIGNALS) signals.on(sig, onSignal);
      io.stdout.on?.('error', ignoreClosedStream);
      io.stderr.on?.('error', ignoreClosedStream);
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
          { testEnvironment: describeTestEnvironment(spec), trigger: 'cli', onEvent: (e) => display?.onEvent(e) },
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
            io.stderr.write(`error: could not write ${o.path}: ${errorMessage(err)} (the report is in the history: \`conductor history show ${h.runId} -o json\`)\n`);
            exitCode = EXIT.RUNTIME;
          }
        }
        ctx.setExitCode(exitCode);
      } finally {
        display?.finish();
        for (const sig of ABORT_SIGNALS) signals.off(sig, onSignal);
        io.stdout.off?.('error', ignoreClosedStream);
        io.stderr.off?.('error', ignoreClosedStream);
        await environment.close().catch(() => undefined);
      }
    });
}
