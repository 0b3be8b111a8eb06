import type { RunMark, RunSpan } from './run-timeline.ts';
import { fmtNumber } from './format.ts';

/**
 * A line chart as inline SVG (no script, no external file): for the self-contained HTML report.
 * Long series are reduced to the minimum and maximum of each pixel column, so a 24-hour run stays
 * a small file that still shows every spike.
 */

export interface SvgPoint {
  x: number;
  y: number;
}

export interface SvgSeries {
  label: string;
  color: string;
  points: SvgPoint[];
  axis?: 'left' | 'right';
  dash?: string;
}

export interface SvgChartOptions {
  title: string;
  /** x axis in minutes: 0 … xMax */
  xMax: number;
  yLabel: string;
  y2Label?: string;
  series: SvgSeries[];
  /** in minutes */
  spans?: (Omit<RunSpan, 'from' | 'to'> & { from: number; to: number })[];
  marks?: (Omit<RunMark, 't'> & { x: number })[];
  width?: number;
  height?: number;
}

export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export const MARK_COLORS: Record<RunMark['kind'], string> = { phase: '#8a94a6', breach: '#e5484d', knee: '#a56eff', drift: '#e8730c', abort: '#d39e00' };
const SPAN_COLORS: Record<RunSpan['kind'], string> = { ramp: 'rgba(31,142,241,0.10)', plateau: 'rgba(43,182,115,0.12)' };

/** min and max per bucket (in x order), at most about `buckets` × 2 points */
export function reduceForWidth(points: SvgPoint[], buckets: number): SvgPoint[] {
  if (points.length <= buckets * 2) return points;
  const out: SvgPoint[] = [];
  const size = points.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    let lo = slice[0]!;
    let hi = slice[0]!;
    for (const p of slice) {
      if (p.y < lo.y) lo = p;
      if (p.y > hi.y) hi = p;
    }
    out.push(...(lo.x <= hi.x ? [lo, hi] : [hi, lo]).filter((p, i, a) => i === 0 || p !== a[0]));
  }
  return out;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const n = v / p;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * p;
}

export function svgChart(o: SvgChartOptions): string {
  const W = o.width ?? 960;
  const H = o.height ?? 260;
  const pad = { l: 64, r: o.y2Label ? 64 : 16, t: 22, b: 40 };
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const xMax = o.xMax > 0 ? o.xMax : 1;
  const max = (axis: 'left' | 'right') => niceMax(Math.max(0, ...o.series.filter((s) => (s.axis ?? 'left') === axis).flatMap((s) => s.points.map((p) => p.y))));
  const yMax = { left: max('left'), right: max('right') };
  const px = (x: number) => pad.l + (Math.min(Math.max(x, 0), xMax) / xMax) * iw;
  const py = (y: number, axis: 'left' | 'right') => pad.t + ih - (Math.max(0, y) / yMax[axis]) * ih;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}" class="chart">`);
  parts.push(`<title>${esc(o.title)}</title>`);
  for (const s of o.spans ?? []) {
    const x0 = px(s.from);
    const x1 = px(s.to);
    if (x1 <= x0) continue;
    parts.push(`<rect x="${x0.toFixed(1)}" y="${pad.t}" width="${(x1 - x0).toFixed(1)}" height="${ih}" fill="${SPAN_COLORS[s.kind]}"/>`);
    parts.push(`<text x="${(x0 + 4).toFixed(1)}" y="${pad.t + 12}" class="span-label">${s.kind}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + (ih * i) / 4;
    parts.push(`<line x1="${pad.l}" x2="${pad.l + iw}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${pad.l - 6}" y="${y + 4}" text-anchor="end" class="tick">${fmtNumber((yMax.left * (4 - i)) / 4)}</text>`);
    if (o.y2Label) parts.push(`<text x="${pad.l + iw + 6}" y="${y + 4}" class="tick">${fmtNumber((yMax.right * (4 - i)) / 4)}</text>`);
  }
  for (let i = 0; i <= 6; i++) {
    const x = pad.l + (iw * i) / 6;
    parts.push(`<text x="${x}" y="${pad.t + ih + 16}" text-anchor="middle" class="tick">${fmtNumber((xMax * i) / 6, xMax < 12 ? 1 : 0)}</text>`);
  }
  parts.push(`<text x="${pad.l + iw / 2}" y="${H - 6}" text-anchor="middle" class="axis">minutes since the run started</text>`);
  parts.push(`<text transform="translate(14 ${pad.t + ih / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(o.yLabel)}</text>`);
  if (o.y2Label) parts.push(`<text transform="translate(${W - 10} ${pad.t + ih / 2}) rotate(90)" text-anchor="middle" class="axis">${esc(o.y2Label)}</text>`);
  for (const s of o.series) {
    if (s.points.length === 0) continue;
    const axis = s.axis ?? 'left';
    const d = reduceForWidth(s.points, Math.ceil(iw / 2))
      .map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)} ${py(p.y, axis).toFixed(1)}`)
      .join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
  }
  let lastEnd = -Infinity;
  let row = 0;
  for (const m of o.marks ?? []) {
    const x = px(m.x);
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${pad.t}" y2="${pad.t + ih}" stroke="${MARK_COLORS[m.kind]}" stroke-width="1.2" stroke-dasharray="3 3"><title>${esc(m.text)}</title></line>`);
    if (m.kind === 'phase') continue;
    // labels that would overlap the previous one go a line higher (about 6 px per character)
    const lx = x + 3;
    row = lx < lastEnd + 4 ? row + 1 : 0;
    lastEnd = lx + m.label.length * 6;
    parts.push(`<text x="${lx.toFixed(1)}" y="${pad.t + ih - 4 - row * 13}" class="mark-label" style="fill:${MARK_COLORS[m.kind]}">${esc(m.label)}</text>`);
  }
  parts.push('</svg>');
  const legend = o.series
    .filter((s) => s.points.length > 0)
    .map((s) => `<span><i style="background:${s.color}"></i>${esc(s.label)}</span>`)
    .join('');
  return `<figure>${parts.join('')}<figcaption class="legend">${legend}</figcaption></figure>`;
}
