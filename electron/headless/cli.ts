import { Command, CommanderError } from 'commander';
import { ConductorError } from '../../shared/model/errors.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { registerValidate } from './commands/validate.ts';
import { registerServe } from './commands/serve.ts';
import { registerParity } from './commands/parity.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerRun } from './commands/run.ts';
import { registerRecover } from './commands/recover.ts';
import { registerHistory } from './commands/history.ts';

/**
 * The `conductor` CLI. Each command lives in ./commands/<name>.ts and registers itself here.
 * Errors print as one message (never a stack, unless --debug); exit codes are in exit-codes.ts.
 */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** environment variables (KUBECONFIG, HOME, CONDUCTOR_DATA_DIR …); defaults to process.env */
  env?: NodeJS.ProcessEnv;
}

/** What every command gets: where to print, and how to set the exit code. */
export interface CliContext {
  io: CliIo;
  setExitCode(code: number): void;
}

export const VERSION = '0.1.0';

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
  1  a check failed (drift found, run verdict failed)
  2  invalid input or usage (bad spec, unknown option, missing file)
  3  aborted or runtime failure (Ctrl-C, guard breach, unreachable cluster)`,
    );
  registerValidate(program, ctx);
  registerServe(program, ctx);
  registerParity(program, ctx);
  registerSandbox(program, ctx);
  registerRun(program, ctx);
  registerRecover(program, ctx);
  registerHistory(program, ctx);
  return program;
}

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
    return err.code === 'SPEC_INVALID' || err.code === 'USAGE' ? EXIT.USAGE : EXIT.RUNTIME;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  else io.stderr.write('(run with --debug for details)\n');
  return EXIT.RUNTIME;
}
