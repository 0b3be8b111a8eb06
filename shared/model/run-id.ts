/**
 * Run ids: the one pattern every host checks (CLI arguments, API payloads, journal folders).
 * Letters, digits, '.', '_' and '-', at most 128, starting with a letter or digit — so '.' and '..'
 * (or any id that is a path of its own) are never a run id.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
