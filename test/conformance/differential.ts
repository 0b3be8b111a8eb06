/**
 * Differential testing: the same requests replayed against the sandbox and against a real server
 * (kube-apiserver, moto), the answers normalised (what is random or time-dependent on either side
 * becomes a placeholder) and compared field by field. A difference is either a sandbox bug (fixed)
 * or deliberate: then the case names it, with the reason, and the README lists it. A deliberate
 * rule that matches no difference in the whole suite fails it, so the list stays true.
 */

export interface Difference {
  path: string;
  sandbox: unknown;
  real: unknown;
}

export interface Deliberate {
  /** a regular expression matched against the difference's path */
  path: RegExp;
  why: string;
}

export interface DiffCase<E> {
  name: string;
  /** the observation: answers of one or more requests, plain JSON */
  run(endpoint: E): Promise<unknown>;
  deliberate?: Deliberate[];
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));

/** every path where `a` (the sandbox) and `b` (the real server) differ */
export function differences(a: unknown, b: unknown, path = ''): Difference[] {
  if (Object.is(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: Difference[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...differences(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (isObj(a) && isObj(b)) {
    const out: Difference[] = [];
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) out.push(...differences(a[k], b[k], path ? `${path}.${k}` : k));
    return out;
  }
  return [{ path: path || '(root)', sandbox: a, real: b }];
}

export function formatDifferences(diffs: Difference[]): string {
  return diffs.map((d) => `  ${d.path}: sandbox ${show(d.sandbox)}, real ${show(d.real)}`).join('\n');
}

export interface CaseResult {
  name: string;
  /** differences not declared deliberate */
  unexpected: Difference[];
  /** deliberate differences that showed */
  deliberate: { path: string; why: string }[];
}

/** Sort a case's differences into unexpected and deliberate; `used` collects the rules that matched (for the suite's check that none is stale). */
export function judge<E>(c: DiffCase<E>, sandbox: unknown, real: unknown, used: Set<Deliberate>): CaseResult {
  const diffs = differences(sandbox, real);
  const rules = c.deliberate ?? [];
  const unexpected: Difference[] = [];
  const deliberate: { path: string; why: string }[] = [];
  for (const d of diffs) {
    const rule = rules.find((r) => r.path.test(d.path));
    if (rule) {
      used.add(rule);
      deliberate.push({ path: d.path, why: rule.why });
    } else unexpected.push(d);
  }
  return { name: c.name, unexpected, deliberate };
}

/** the deliberate rules of these cases that matched no difference: the list must stay true */
export function staleRules<E>(cases: DiffCase<E>[], used: Set<Deliberate>): string[] {
  const all = new Set(cases.flatMap((c) => c.deliberate ?? []));
  return [...all].filter((r) => !used.has(r)).map((r) => `${r.path.source} (${r.why})`);
}

export interface NormaliseRules {
  /** keys whose values are replaced by `<key>` wherever they appear (uid, creationTimestamp …) */
  placeholders: string[];
  /** keys removed wherever they appear */
  drop?: string[];
  /** string values matching this become `<time>` */
  time?: RegExp;
  /** other string rewrites, applied in order */
  rewrite?: [RegExp, string][];
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** a copy of `v` with volatile values replaced by placeholders */
export function normalise(v: unknown, rules: NormaliseRules): unknown {
  if (Array.isArray(v)) return v.map((x) => normalise(x, rules));
  if (typeof v === 'string') {
    if (rules.time?.test(v)) return '<time>';
    let s = v;
    for (const [re, to] of rules.rewrite ?? []) s = s.replace(re, to);
    return s;
  }
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (rules.drop?.includes(k)) continue;
    out[k] = rules.placeholders.includes(k) && x !== undefined && x !== null && x !== '' ? `<${k}>` : normalise(x, rules);
  }
  return out;
}
