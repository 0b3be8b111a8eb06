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

export { UsageError } from '../../shared/model/errors.ts';
