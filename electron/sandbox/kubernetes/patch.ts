/**
 * The three patch flavours the Kubernetes API accepts, applied to plain JSON objects:
 * JSON merge patch (RFC 7386), strategic merge patch (lists merged by key, `$patch` and
 * `$setElementOrder` directives — enough for what kubectl sends) and JSON patch (RFC 6902).
 * Every function returns a new object; the input is never modified.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class PatchError extends Error {
  constructor(
    message: string,
    /** 'invalid' → 422, 'conflict' → 409 (a failed `test` of metadata.resourceVersion), 'bad' → 400 */
    readonly kind: 'invalid' | 'conflict' | 'bad' = 'invalid',
  ) {
    super(message);
  }
}

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const clone = <T>(v: T): T => structuredClone(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** Merge keys of the lists that strategic merge patch merges element-wise (by field name, as in the Kubernetes types). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  tolerations: 'key',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  ownerReferences: 'uid',
};

/** Strategic merge patch as the API server applies it, for the fields that matter here. */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch['$patch'] === 'replace') {
    const rest = { ...patch };
    delete rest['$patch'];
    return clone(rest);
  }
  if (patch['$patch'] === 'delete') return null;
  const out: JsonObject = isObject(target) ? clone(target) : {};
  const orders: Record<string, Json[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders[k.slice('$setElementOrder/'.length)] = v;
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const mergeKey = MERGE_KEYS[k];
    if (mergeKey && Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, mergeKey);
    } else if (isObject(v)) {
      out[k] = strategicMergePatch(out[k] ?? null, v);
    } else {
      out[k] = clone(v);
    }
  }
  for (const [field, order] of Object.entries(orders)) {
    const mergeKey = MERGE_KEYS[field];
    const list = out[field];
    if (!mergeKey || !Array.isArray(list)) continue;
    const keyOf = (x: Json) => (isObject(x) ? x[mergeKey] : undefined);
    const rank = new Map(order.map((o, i) => [keyOf(o), i]));
    out[field] = [...list].sort((a, b) => (rank.get(keyOf(a)) ?? Infinity) - (rank.get(keyOf(b)) ?? Infinity));
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], mergeKey: string): Json[] {
  const out = current.map((x) => clone(x));
  for (const item of patch) {
    if (!isObject(item) || item[mergeKey] === undefined) {
      throw new PatchError(`strategic merge patch: every element of a list merged by "${mergeKey}" needs a "${mergeKey}"`);
    }
    const idx = out.findIndex((x) => isObject(x) && deepEqual(x[mergeKey], item[mergeKey]));
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMergePatch(out[idx] ?? null, item);
    } else {
      out.push(strategicMergePatch(null, item));
    }
  }
  return out;
}

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: Json;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`json patch: path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, tokens: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** RFC 6902 JSON patch. A failing `test` of /metadata/resourceVersion is a conflict (409); other failures are invalid (422). */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('json patch: expected an array of operations', 'bad');
  let doc = clone(target);
  for (const raw of ops as unknown[]) {
    if (!isObject(raw as Json) || typeof (raw as JsonObject).op !== 'string' || typeof (raw as JsonObject).path !== 'string') {
      throw new PatchError('json patch: every operation needs "op" and "path"', 'bad');
    }
    const op = raw as unknown as JsonPatchOp;
    const tokens = parsePointer(op.path);
    switch (op.op) {
      case 'test': {
        const actual = getAt(doc, tokens);
        if (!deepEqual(actual, op.value)) {
          const rv = op.path === '/metadata/resourceVersion';
          throw new PatchError(
            rv
              ? `the object has been modified; please apply your changes to the latest version and try again (resourceVersion is ${JSON.stringify(actual)}, not ${JSON.stringify(op.value)})`
              : `json patch: test of ${op.path} failed`,
            rv ? 'conflict' : 'invalid',
          );
        }
        break;
      }
      case 'remove':
        doc = setAt(doc, tokens, undefined, 'remove');
        break;
      case 'add':
      case 'replace':
        if (op.value === undefined) throw new PatchError(`json patch: ${op.op} at ${op.path} needs a "value"`, 'bad');
        doc = setAt(doc, tokens, op.value, op.op);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw new PatchError(`json patch: ${op.op} needs "from"`, 'bad');
        const fromTokens = parsePointer(op.from);
        const value = getAt(doc, fromTokens);
        if (value === undefined) throw new PatchError(`json patch: ${op.op} from ${op.from}: no such path`);
        if (op.op === 'move') doc = setAt(doc, fromTokens, undefined, 'remove');
        doc = setAt(doc, tokens, clone(value), 'add');
        break;
      }
      default:
        throw new PatchError(`json patch: unknown op "${String((op as { op: unknown }).op)}"`, 'bad');
    }
  }
  return doc;
}

function setAt(doc: Json, tokens: string[], value: Json | undefined, mode: 'add' | 'replace' | 'remove'): Json {
  if (tokens.length === 0) {
    if (mode === 'remove') throw new PatchError('json patch: cannot remove the whole document');
    return value as Json;
  }
  const parent = getAt(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] as string;
  const where = '/' + tokens.join('/');
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw new PatchError(`json patch: index out of range at ${where}`);
    if (mode === 'add') parent.splice(idx, 0, value as Json);
    else if (idx >= parent.length) throw new PatchError(`json patch: no element at ${where}`);
    else if (mode === 'replace') parent[idx] = value as Json;
    else parent.splice(idx, 1);
  } else if (isObject(parent)) {
    if (mode !== 'add' && !Object.prototype.hasOwnProperty.call(parent, last)) throw new PatchError(`json patch: no value at ${where}`);
    if (mode === 'remove') delete parent[last];
    else parent[last] = value as Json;
  } else {
    throw new PatchError(`json patch: parent of ${where} does not exist`);
  }
  return doc;
}
