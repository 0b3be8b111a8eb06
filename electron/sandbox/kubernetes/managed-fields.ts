import { deepEqual, isObject, type Json, type JsonObject } from './patch.ts';

/**
 * Field ownership as the API server records it in `metadata.managedFields` (FieldsV1): each
 * write gives the fields it changed to its field manager (`?fieldManager=`, else the client's
 * user agent), taking them from whoever owned them before. Enough for a reader to tell who
 * changed a field; list items are keyed by `name` (`k:{"name":"api"}`), as for containers.
 */

export type FieldPath = string[];

const keyOf = (name: string) => `k:${JSON.stringify({ name })}`;
const named = (v: Json | undefined): v is JsonObject[] => Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x.name === 'string');

/** The leaf paths where `a` and `b` differ (under spec, metadata.labels and metadata.annotations). */
export function changedFields(a: JsonObject | undefined, b: JsonObject): FieldPath[] {
  const out: FieldPath[] = [];
  walk(a?.spec, b.spec, ['f:spec'], out);
  const am = isObject(a?.metadata) ? a.metadata : {};
  const bm = isObject(b.metadata) ? b.metadata : {};
  walk(am.labels, bm.labels, ['f:metadata', 'f:labels'], out);
  walk(am.annotations, bm.annotations, ['f:metadata', 'f:annotations'], out);
  return out;
}

function walk(a: Json | undefined, b: Json | undefined, at: FieldPath, out: FieldPath[]): void {
  if (deepEqual(a, b)) return;
  if (isObject(a) || isObject(b)) {
    const x = isObject(a) ? a : {};
    const y = isObject(b) ? b : {};
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[k], y[k], [...at, `f:${k}`], out);
    return;
  }
  if (named(a) || named(b)) {
    const x = named(a) ? a : [];
    const y = named(b) ? b : [];
    for (const n of new Set([...x, ...y].map((i) => String(i.name)))) walk(x.find((i) => i.name === n), y.find((i) => i.name === n), [...at, keyOf(n)], out);
    return;
  }
  out.push(at);
}

/** Who owns which leaf of one object, and when each manager last wrote. */
export class FieldOwners {
  private readonly owner = new Map<string, string>();
  private readonly lastWrite = new Map<string, { time: string; apiVersion: string }>();

  record(manager: string, paths: FieldPath[], time: string, apiVersion: string): void {
    if (!paths.length) return;
    for (const p of paths) this.owner.set(JSON.stringify(p), manager);
    this.lastWrite.set(manager, { time, apiVersion });
  }

  /** metadata.managedFields: one Update entry per manager that still owns a field */
  render(): Json[] {
    const byManager = new Map<string, JsonObject>();
    for (const [p, manager] of this.owner) {
      let node = byManager.get(manager) ?? {};
      byManager.set(manager, node);
      for (const seg of JSON.parse(p) as string[]) {
        const next = isObject(node[seg]) ? node[seg] : {};
        node[seg] = next;
        node = next;
      }
    }
    return [...byManager].map(([manager, fieldsV1]) => ({
      manager,
      operation: 'Update',
      apiVersion: this.lastWrite.get(manager)?.apiVersion ?? 'v1',
      time: this.lastWrite.get(manager)?.time ?? '',
      fieldsType: 'FieldsV1',
      fieldsV1,
    }));
  }
}
