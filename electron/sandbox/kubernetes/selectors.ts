import { isObject, type JsonObject } from './patch.ts';

/** Label and field selectors as the API server parses them (the common subset). */

export type Matcher = (o: JsonObject) => boolean;

export class SelectorError extends Error {}

/** `a=b,c!=d,e in (x,y),f notin (z),g,!h` */
export function parseLabelSelector(sel: string | null): Matcher {
  if (!sel) return () => true;
  const terms: ((labels: Record<string, unknown>) => boolean)[] = [];
  // split on commas that are not inside parentheses
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    let m: RegExpMatchArray | null;
    if ((m = raw.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, k, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      terms.push((l) => (op === 'in' ? values.includes(String(l[k])) && k in l : !(k in l) || !values.includes(String(l[k]))));
    } else if ((m = raw.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/))) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      terms.push((l) => (op === '!=' ? l[k] !== v : l[k] === v));
    } else if ((m = raw.match(/^!([\w./-]+)$/))) {
      const k = m[1] as string;
      terms.push((l) => !(k in l));
    } else if ((m = raw.match(/^([\w./-]+)$/))) {
      const k = m[1] as string;
      terms.push((l) => k in l);
    } else {
      throw new SelectorError(`unable to parse requirement: "${raw}"`);
    }
  }
  return (o) => {
    const md = o.metadata;
    const labels = isObject(md) && isObject(md.labels) ? (md.labels as Record<string, unknown>) : {};
    return terms.every((t) => t(labels));
  };
}

/** `metadata.name=x,metadata.namespace!=y` */
export function parseFieldSelector(sel: string | null): Matcher {
  if (!sel) return () => true;
  const terms: Matcher[] = [];
  for (const raw of sel.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = raw.match(/^([\w.]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${raw}'; can't understand '${raw}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!['metadata.name', 'metadata.namespace', 'status.phase'].includes(field)) {
      throw new SelectorError(`field label not supported: ${field}`);
    }
    const get = (o: JsonObject): unknown => field.split('.').reduce<unknown>((acc, k) => (isObject(acc as JsonObject) ? (acc as JsonObject)[k] : undefined), o);
    terms.push((o) => (op === '!=' ? get(o) !== value : get(o) === value));
  }
  return (o) => terms.every((t) => t(o));
}
