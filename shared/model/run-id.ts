import { printable } from './text.ts';

/**
 * Run ids name a folder in the data directory (`runs/<runId>/`), so they are checked the same way
 * wherever one comes in — the CLI, the HTTP API, IPC, the journal: letters, digits, `.`, `_` and
 * `-`, at most 128, never starting with a dot (so never `.` or `..`, which would name the runs
 * folder itself or its parent).
 */
export const RUN_ID_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export const RUN_ID_EXPECTED = 'a run id such as 20261123-020000Z-cyber-week-a1b2c3 (letters, digits, ".", "_" and "-", not starting with ".")';

export function isRunId(value: string): boolean {
  return RUN_ID_RE.test(value);
}

/** Why `value` is not a run id, for a message (the value shown escaped), or null. */
export function runIdProblem(value: string): string | null {
  return isRunId(value) ? null : `"${printable(value.slice(0, 140))}" is not a run id; expected ${RUN_ID_EXPECTED}`;
}
