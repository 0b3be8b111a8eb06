import { printable } from './text.ts';

/**
 * Run ids: the one pattern every host checks (CLI arguments, API payloads, journal folders).
 * Letters, digits, '.', '_' and '-', at most 128, starting with a letter or digit — so '.' and '..'
 * (or any id that is a path of its own) are never a run id.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const RUN_ID_EXPECTED = 'a run id such as 20261123-020000Z-cyber-week-a1b2c3 (letters, digits, ".", "_" and "-", starting with a letter or digit)';

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

/** Why `value` is not a run id, for a message (the value shown escaped), or null. */
export function runIdProblem(value: string): string | null {
  return isRunId(value) ? null : `"${printable(value.slice(0, 140))}" is not a run id; expected ${RUN_ID_EXPECTED}`;
}
