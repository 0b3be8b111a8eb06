/** Durations in specs: `500ms`, `90s`, `30m`, `1h30m`, `2h`. Parsed to milliseconds. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parseDuration(text: string): number | null {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '') return null;
  const [, h, min, s, ms] = m;
  if (h === undefined && min === undefined && s === undefined && ms === undefined) return null;
  return (Number(h ?? 0) * UNIT_MS.h!) + (Number(min ?? 0) * UNIT_MS.m!) + (Number(s ?? 0) * UNIT_MS.s!) + Number(ms ?? 0);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

/** Lossless rendering that parseDuration reads back exactly: `1h30m`, `90s`, `1s500ms`, `0s` (under 2 minutes, whole seconds). */
export function formatDurationExact(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms > 0 && ms < 120_000 && ms % 1000 === 0) return `${ms / 1000}s`;
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}${milli ? `${milli}ms` : ''}` || '0s';
}
