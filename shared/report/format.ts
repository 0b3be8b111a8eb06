/**
 * One number format for every view of a run (the cockpit and the HTML report): OPM and users as
 * whole numbers with thousands separators, latencies in whole ms, error rates as percentages with
 * two decimals, run-clock times as minutes:seconds.
 */
export const fmtNumber = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** a 0–1 ratio as "1.50 %" */
export const fmtPct = (ratio: number | null | undefined, digits = 2): string => (ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '—' : `${(ratio * 100).toFixed(digits)} %`);

export const fmtMs = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${fmtNumber(v)} ms`);

/** run-clock ms as "12:05" (or "1:02:05" past an hour) */
export function fmtClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** a span of time in words: "45 s", "12 min", "1 h 20 min" */
export function fmtSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h${min % 60 ? ` ${min % 60} min` : ''}`;
}

/** an ISO time as "2026-11-23 04:00:00 UTC" (the same in every time zone: reports are shared) */
export function fmtWhen(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

