/** Small display helpers shared by the views; numbers as the HTML report shows them (shared/report/format.ts). */
export { fmtClock, fmtMs, fmtNumber, fmtPct, fmtSpan } from '../../../shared/report/format.ts';

export const fmtTime = (iso: string | null | undefined) => {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

export const fmtValue = (v: string | number | null) => (v === null ? '—' : String(v));
