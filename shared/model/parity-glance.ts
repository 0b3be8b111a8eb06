import type { ParityReport, ParityRow, ParityStatus } from './parity.ts';
import { parseQuantity } from './quantity.ts';

/**
 * Parity at a glance: one line per application — its status, how many fields drift and the worst
 * difference in words ("replicas 6 → 2", "cpu request ½ of production") — sorted so the app that
 * drifts most comes first. Shared by the cockpit and the HTML report, so both rank alike.
 */

export interface Difference {
  row: ParityRow;
  /** e.g. "replicas 6 → 2" (production → test), "cpu request ½ of production", "missing in test" */
  words: string;
  /** higher is worse: unreachable and missing apps first, then images, then the largest ratios */
  severity: number;
}

export interface AppParity {
  app: string;
  substrate: ParityRow['substrate'];
  /** the worst status of the app's fields */
  status: ParityStatus;
  /** fields not in parity */
  drift: number;
  /** the app's differences, worst first */
  differences: Difference[];
  /** autoscaling bounds when either side has them, e.g. "HPA 2–10 (test 1–4)", "autoscaling 4–12 (test 1–3)" */
  autoscaling: string | null;
  /** who else manages the app where known (a GitOps controller), e.g. "argocd" or "argocd (test: none)" */
  manager: string | null;
  rows: ParityRow[];
  severity: number;
}

const STATUS_RANK: Record<ParityStatus, number> = { unreachable: 4, 'missing-in-test': 3, 'missing-in-production': 2, drift: 1, 'in-parity': 0 };

const FIELD_WORDS: Record<string, string> = {
  image: 'image',
  'requests.cpu': 'cpu request',
  'requests.memory': 'memory request',
  'limits.cpu': 'cpu limit',
  'limits.memory': 'memory limit',
  cpu: 'cpu',
  memory: 'memory',
  memoryReservation: 'memory reservation',
  replicas: 'replicas',
  'hpa.minReplicas': 'HPA min',
  'hpa.maxReplicas': 'HPA max',
  desiredCount: 'desired count',
  taskCpu: 'task cpu',
  taskMemory: 'task memory',
  manager: 'manager',
  'autoscaling.minCapacity': 'autoscaling min',
  'autoscaling.maxCapacity': 'autoscaling max',
  'autoscaling.suspended': 'autoscaling suspended',
};

/** `requests.cpu[api]` → { base: 'requests.cpu', container: 'api' } */
function splitField(field: string): { base: string; container: string | null } {
  const m = /^(.*)\[(.*)\]$/.exec(field);
  return m ? { base: m[1]!, container: m[2]! } : { base: field, container: null };
}

const FRACTIONS: [number, string][] = [
  [1 / 8, '⅛'],
  [1 / 4, '¼'],
  [1 / 3, '⅓'],
  [1 / 2, '½'],
  [2 / 3, '⅔'],
  [3 / 4, '¾'],
];

/** test as a share of production: "½ of production", "3× production", "40 % of production" */
export function ratioWords(ratio: number): string {
  if (ratio < 1) {
    const near = FRACTIONS.find(([v]) => Math.abs(v - ratio) < 0.005);
    return `${near ? near[1] : `${Math.round(ratio * 100)} %`} of production`;
  }
  const whole = Math.round(ratio);
  return Math.abs(whole - ratio) < 0.005 ? `${whole}× production` : `${Math.round(ratio * 100)} % of production`;
}

/** the tag (or digest) of an image, which is what differs between versions */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1, at + 20);
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

const show = (v: string | number | null) => (v === null ? 'unset' : String(v));

export function describeDifference(row: ParityRow, multiContainer = true): Difference {
  const { base, container } = splitField(row.field);
  const name = (FIELD_WORDS[base] ?? base) + (container && multiContainer ? ` (${container})` : '');
  if (row.status === 'unreachable') return { row, words: `unreachable${row.reason ? `: ${row.reason}` : ''}`, severity: 1000 };
  if (row.status === 'missing-in-test') return { row, words: 'missing in test', severity: 900 };
  if (row.status === 'missing-in-production') return { row, words: 'missing in production', severity: 800 };
  if (row.status === 'in-parity') return { row, words: `${name} as production`, severity: 0 };
  const p = row.production;
  const t = row.test;
  if (base === 'image') {
    const pv = typeof p === 'string' ? imageVersion(p) : show(p);
    const tv = typeof t === 'string' ? imageVersion(t) : show(t);
    return { row, words: pv === tv ? `${name} ${show(p)} → ${show(t)}` : `${name} ${pv} → ${tv}`, severity: 500 };
  }
  if (p === null || t === null) return { row, words: `${name} ${show(p)} → ${show(t)}`, severity: 150 };
  const pn = typeof p === 'number' ? p : parseQuantity(p);
  const tn = typeof t === 'number' ? t : parseQuantity(t);
  if (pn === null || tn === null || pn <= 0 || tn <= 0) return { row, words: `${name} ${show(p)} → ${show(t)}`, severity: 120 };
  const distance = Math.min(300, 100 * Math.abs(Math.log2(tn / pn)));
  const counted = typeof p === 'number' && typeof t === 'number' && /replicas|desiredCount|Capacity/i.test(base);
  // at the same ratio, a replica count weighs more than a resource size: it is capacity
  return { row, words: counted ? `${name} ${p} → ${t}` : `${name} ${ratioWords(tn / pn)}`, severity: 100 + distance + (counted ? 5 : 0) };
}

function autoscalingOf(rows: ParityRow[]): string | null {
  const bounds = (minField: string, maxField: string, label: string) => {
    const min = rows.find((r) => r.field === minField);
    const max = rows.find((r) => r.field === maxField);
    if (!min || !max) return null;
    const side = (a: string | number | null, b: string | number | null) => (a === null || b === null ? 'none' : `${a}–${b}`);
    const prod = side(min.production, max.production);
    const test = side(min.test, max.test);
    return prod === test ? `${label} ${prod}` : `${label} ${prod} (test ${test})`;
  };
  return bounds('hpa.minReplicas', 'hpa.maxReplicas', 'HPA') ?? bounds('autoscaling.minCapacity', 'autoscaling.maxCapacity', 'autoscaling');
}

function managerOf(rows: ParityRow[]): string | null {
  const m = rows.find((r) => r.field === 'manager');
  const named = (v: string | number | null) => v !== null && v !== 'none' && v !== '';
  if (!m || (!named(m.production) && !named(m.test))) return null;
  return m.production === m.test ? String(m.production) : `${String(m.production ?? 'none')} (test: ${String(m.test ?? 'none')})`;
}

/** One entry per app, worst first (by status, then the worst difference, then the drift count, then name). */
export function parityByApp(report: ParityReport): AppParity[] {
  const byApp = new Map<string, ParityRow[]>();
  for (const r of report.rows) byApp.set(r.app, [...(byApp.get(r.app) ?? []), r]);
  const out: AppParity[] = [];
  for (const [app, rows] of byApp) {
    const containers = new Set(rows.map((r) => splitField(r.field).container).filter((c) => c !== null));
    const differences = rows
      .filter((r) => r.status !== 'in-parity')
      .map((r) => describeDifference(r, containers.size > 1))
      .sort((a, b) => b.severity - a.severity);
    const status = rows.reduce<ParityStatus>((w, r) => (STATUS_RANK[r.status] > STATUS_RANK[w] ? r.status : w), 'in-parity');
    out.push({ app, substrate: rows[0]!.substrate, status, drift: differences.length, differences, autoscaling: autoscalingOf(rows), manager: managerOf(rows), rows, severity: differences[0]?.severity ?? 0 });
  }
  return out.sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || b.severity - a.severity || b.drift - a.drift || a.app.localeCompare(b.app));
}

/** "replicas 6 → 2, cpu request ½ of production" (the two worst), or "as production" */
export function worstDifferenceWords(app: AppParity, count = 2): string {
  if (app.differences.length === 0) return 'as production';
  const shown = app.differences.slice(0, count).map((d) => d.words);
  const more = app.differences.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` (+${more} more)` : '');
}

/** Fields (`app field`) whose TEST side differs between two reports, e.g. before the run and after restore: the restore check. */
export function testSideDifferences(a: ParityReport, b: ParityReport): string[] {
  const key = (r: { app: string; field: string }) => `${r.app} ${r.field}`;
  const bm = new Map(b.rows.map((r) => [key(r), r.test]));
  const diffs: string[] = [];
  for (const r of a.rows) if (!bm.has(key(r)) || String(bm.get(key(r))) !== String(r.test)) diffs.push(key(r));
  const am = new Set(a.rows.map(key));
  for (const r of b.rows) if (!am.has(key(r))) diffs.push(key(r));
  return diffs;
}
