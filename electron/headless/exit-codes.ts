import { UsageError } from '../../shared/model/errors.ts';
import { runIdProblem } from '../../shared/model/run-id.ts';

/** Exit codes of the `conductor` CLI (documented in --help and the README). */
export const EXIT = {
  OK: 0,
  /** a check failed: drift found, run verdict failed */
  CHECK_FAILED: 1,
  /** invalid input or usage, test being production, the test environment taken by another run: nothing was changed */
  USAGE: 2,
  /** aborted or runtime failure */
  RUNTIME: 3,
} as const;

export { UsageError };

/** A commander argument parser for run ids: `.` or `..` (or anything else that is not a run id) is a usage error (exit 2). */
export function runIdArgument(value: string): string {
  const problem = runIdProblem(value);
  if (problem) throw new UsageError(problem);
  return value;
}
