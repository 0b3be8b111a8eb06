import { Command, CommanderError } from 'commander';
import { ConductorError, errorMessage } from '../../shared/model/errors.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { registerValidate } from './commands/validate.ts';
import { registerServe } from './commands/serve.ts';
import { registerParity } from './commands/parity.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerRun } from './commands/run.ts';
import { registerRecover } from './commands/recover.ts';
import { registerHistory } from './commands/history.ts';
import type { CliContext, CliIo } from './cli-context.ts';

/**
 * The `conductor` CLI. Each command lives in ./commands/<name>.ts and registers itself here.
 * Errors print as one message (never a stack, unless --debug); exit codes are in exit-codes.ts.
 */
export const VERSION = '0.1.0';

/** refused before anything started, nothing changed: exit 2 */
const USAGE_CODES = new Set(['SPEC_INVALID', 'USAGE', 'PRODUCTION_WRITE_REFUSED', 'LOCKED']);

export function buildProgram(ctx: CliContext): Command {
  const { io } = ctx;
  const program = new Command('conductor')
    .description('End-to-end load tests: clone production versions into a test environment, scale to match, drive Locust to a target orders-per-minute, restore and clean up.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces for unexpected errors')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText(
      'after',
      `
Exit codes:
  0  ok (spec valid, environments in parity, run passed)
  1  a check failed (drift found, run verdict failed — incl. a guard breach —, regression)
  2  invalid input or usage (bad spec, unknown option, missing file)
  3  aborted or runtime failure (Ctrl-C/SIGTERM, unreachable cluster or Locust)`,
    );
  registerValidate(program, ctx);
  registerServe(program, ctx);
  registerParity(program, ctx);
  registerSandbox(program, ctx);
  registerRun(program, ctx);
  registerRecover(program, ctx);
  registerHistory(program, ctx);
  for (const c of program.commands) {
    const help = COMMAND_HELP[c.name()];
    if (help) c.addHelpText('after', help);
  }
  return program;
}

/** Exit codes and examples under each command's --help (the codes are the same for every command). */
const COMMAND_HELP: Record<string, string> = {
  validate: `
Exit codes: 0 valid; 2 invalid (every problem listed as file:line:column: field: message), unreadable or hostile file.

Examples:
  conductor validate examples/production.yaml
  conductor validate examples/sandbox.yaml --print > resolved.yaml`,
  parity: `
Exit codes: 0 every app in parity; 1 drift or an app missing on one side; 2 invalid spec or usage;
3 a cluster or the ECS API could not be read (the audit is incomplete).

Examples:
  conductor parity examples/sandbox.yaml
  conductor parity spec.yaml -o markdown --drift-only > audit.md
  KUBECONFIG=k.yaml conductor parity examples/standalone-sandbox.yaml -o json`,
  sandbox: `
Exit codes: 0 stopped with Ctrl-C (prints a request summary); 2 bad option; 3 a port is taken.

Examples:
  conductor sandbox --kubeconfig-out /tmp/sandbox.kubeconfig --time-scale 10
  KUBECONFIG=/tmp/sandbox.kubeconfig kubectl --context sandbox-test -n shop get deployments`,
  run: `
Before anything is written, both sides are asked who they are (a Kubernetes cluster's kube-system
UID, an ECS cluster's ARN): a test side that is production under any name is refused. The test
environment is locked for the run (a Lease in the test cluster, spec.test.lock): a second run on
it is refused naming the holder, or waits with --wait.
Ctrl-C (or SIGTERM, SIGHUP) aborts: the load stops at once, the test environment is restored to
its snapshot and cleaned up, and the run ends as aborted; a second Ctrl-C does not interrupt the
restore, nor a third. A run killed outright (kill -9, node lost) is restored with \`conductor recover\`.
Output files are checked before the run starts. On a terminal: a live panel; otherwise one log
line per event. Every run is stored in the history (\`conductor history\`).

Exit codes: 0 passed; 1 failed (target not reached, guard breached, knee below target, restore
incomplete — a breached guard also stops the run early and restores); 2 invalid spec, option or
output path, test is production, or the test environment is in use (nothing was changed);
3 aborted (Ctrl-C, SIGTERM) or error (cluster, ECS or Locust unreachable, …).

Examples:
  conductor run examples/sandbox.yaml --time-scale 200 --report r.json --junit r.xml --summary r.md
  KUBECONFIG=k.yaml conductor run examples/standalone-sandbox.yaml
  conductor run cyber-week.yaml --data-dir /data --junit /data/reports/latest.xml`,
  recover: `
Finishes what a dead run left: takes the test environment's lock (from the dead run at once on this
host, else once its lease expired; --wait waits), stops Locust, restores the snapshot, runs the
cleanup hooks and records the run in the history. Signals never interrupt the restore.

Exit codes: 0 restored, or nothing to do; 2 unknown run, a run that is still running (stop it
with Ctrl-C/SIGTERM instead: it restores itself) or a test environment in use; 3 a restore is
incomplete (run it again).

Examples:
  conductor recover                      # list unfinished runs
  conductor recover 20261123-020000Z-cyber-week-a1b2c3
  conductor recover --all --data-dir /data   # e.g. in a CronJob's init container`,
  history: `
Exit codes: 0 ok; 1 \`compare\`: B regressed against A (plateau OPM −5 %, plateau p99 +20 %, error
rate up by half and ≥ 0.5 points); 2 unknown run or bad usage.

Examples:
  conductor history                                  # every run, newest first
  conductor history --spec cyber-week -o json
  conductor history show RUN_ID                      # Markdown summary (-o json: the full report)
  conductor history compare RUN_A RUN_B              # B against the baseline A
  conductor history compare RUN_ID                   # against the previous run of the same spec`,
  serve: `
Exit codes: 0 stopped with Ctrl-C (a running run is aborted and restored first); 2 bad option, or
a non-loopback --host without a token; 3 the port is taken.

Examples:
  conductor serve --time-scale 100                   # http://127.0.0.1:18787/
  CONDUCTOR_TOKEN=$(openssl rand -hex 24) conductor serve --host 0.0.0.0 --port 8080`,
};

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram({ io, setExitCode: (code) => (exitCode = code) });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    return reportError(err, io, debug);
  }
}

export function reportError(err: unknown, io: CliIo, debug: boolean): number {
  if (err instanceof CommanderError) {
    // help and version print and exit 0; anything else commander raises is a usage error
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.OK;
    return EXIT.USAGE;
  }
  if (err instanceof UsageError) {
    io.stderr.write(`error: ${err.message}\n`);
    return EXIT.USAGE;
  }
  if (err instanceof ConductorError) {
    io.stderr.write(`error: ${err.message}\n`);
    if (debug && err.stack) io.stderr.write(err.stack + '\n');
    return USAGE_CODES.has(err.code) ? EXIT.USAGE : EXIT.RUNTIME;
  }
  const message = errorMessage(err);
  io.stderr.write(`error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  else io.stderr.write('(run with --debug for details)\n');
  return EXIT.RUNTIME;
}
