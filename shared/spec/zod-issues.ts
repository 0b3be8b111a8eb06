import { ZodArray, ZodDefault, ZodEffects, ZodNullable, ZodObject, ZodOptional, ZodRecord, type ZodIssue, type ZodTypeAny } from 'zod';
import { printable } from '../model/text.ts';
import type { PathSegment } from './yaml-tree.ts';

/**
 * Turning zod's issues into problems a person can act on: what is wrong, what was expected
 * (from the schema's own descriptions where it has them) and a short rendering of what was found.
 */

export interface FieldIssue {
  path: PathSegment[];
  message: string;
  expected?: string;
  found?: string;
  /** point at the key (unknown fields) rather than the value */
  at?: 'key' | 'value';
}

/** A short rendering of a value for `found …`. */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return printable(JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    // the first five keys tell enough (a mapping with 75,000 keys is not listed)
    const keys: string[] = [];
    for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key) && keys.push(key) >= 5) break;
    if (keys.length === 0) return 'an empty mapping';
    return `a mapping with ${keys.length > 4 ? `keys ${keys.slice(0, 4).join(', ')}, …` : `key${keys.length === 1 ? '' : 's'} ${keys.join(', ')}`}`;
  }
  return typeof value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, seg)) return undefined;
    node = (node as Record<string, unknown>)[seg as string];
  }
  return node;
}

/** The schema node for a field path, unwrapped of optional/default/effects, plus the first description met on the way. */
export function schemaAt(root: ZodTypeAny, path: readonly PathSegment[]): { schema: ZodTypeAny; description?: string } | undefined {
  let schema: ZodTypeAny | undefined = root;
  let description: string | undefined;
  const unwrap = (s: ZodTypeAny): ZodTypeAny => {
    let current = s;
    for (let i = 0; i < 16; i++) {
      description ??= current.description;
      if (current instanceof ZodOptional || current instanceof ZodNullable) current = current.unwrap() as ZodTypeAny;
      else if (current instanceof ZodDefault) current = current.removeDefault() as ZodTypeAny;
      else if (current instanceof ZodEffects) current = current.innerType() as ZodTypeAny;
      else break;
    }
    return current;
  };
  for (const seg of path) {
    description = undefined;
    const s = unwrap(schema);
    if (s instanceof ZodObject) schema = (s.shape as Record<string, ZodTypeAny>)[String(seg)];
    else if (s instanceof ZodArray) schema = s.element as ZodTypeAny;
    else if (s instanceof ZodRecord) schema = s.valueSchema as ZodTypeAny;
    else return undefined;
    if (!schema) return undefined;
  }
  description = undefined;
  const final = unwrap(schema);
  return description === undefined ? { schema: final } : { schema: final, description };
}

function knownKeys(root: ZodTypeAny, path: readonly PathSegment[]): string[] {
  const s = schemaAt(root, path)?.schema;
  return s instanceof ZodObject ? Object.keys(s.shape as Record<string, unknown>) : [];
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function bounds(kind: 'min' | 'max', issue: { type: string; inclusive: boolean; exact?: boolean }, limit: number | bigint): string {
  const n = Number(limit);
  switch (issue.type) {
    case 'string':
      return kind === 'min' ? (n === 1 ? 'a non-empty string' : `at least ${n} characters`) : `at most ${n} characters`;
    case 'array':
      return kind === 'min' ? `at least ${n} item${n === 1 ? '' : 's'}` : `at most ${n} item${n === 1 ? '' : 's'}`;
    default:
      if (kind === 'min') return issue.inclusive ? `a number of at least ${n}` : `a number greater than ${n}`;
      return issue.inclusive ? `a number of at most ${n}` : `a number less than ${n}`;
  }
}

/** One zod issue as field issues (an unknown-keys issue becomes one per key). */
export function fromZodIssue(issue: ZodIssue, input: unknown, root: ZodTypeAny): FieldIssue[] {
  const path = issue.path;
  const value = valueAt(input, path);
  const described = schemaAt(root, path)?.description;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = described ?? TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.received === 'undefined') {
        return [{ path, message: path.length === 0 ? 'the document is not a LoadTest' : 'is required but missing', expected, found: 'nothing' }];
      }
      if (path.length === 0) {
        return [{ path, message: 'the document is not a LoadTest', expected: 'a mapping with apiVersion, kind, metadata and spec', found: `${renderValue(value)} (${typeName(value)})` }];
      }
      return [{ path, message: 'has the wrong type', expected, found: value === null || Array.isArray(value) || typeof value === 'object' ? renderValue(value) : `${renderValue(value)} (${typeName(value)})` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeys(root, path);
      return issue.keys.map((key) => {
        const hint = suggest(key, known);
        return {
          path: [...path, key],
          message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}`,
          expected: known.length ? `one of the fields ${known.join(', ')}` : 'no further fields',
          found: JSON.stringify(key),
          at: 'key' as const,
        };
      });
    }
    case 'invalid_literal':
      return [{ path, message: `must be ${JSON.stringify(issue.expected)}`, expected: JSON.stringify(issue.expected), found: renderValue(value) }];
    case 'invalid_enum_value':
      return [{ path, message: 'is not one of the allowed values', expected: `one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`, found: renderValue(value) }];
    case 'invalid_string':
      return [{ path, message: 'is not valid', expected: issue.message && issue.message !== 'Invalid' ? issue.message : (described ?? 'a valid string'), found: renderValue(value) }];
    case 'too_small':
      return [{ path, message: issue.type === 'array' ? 'has too few items' : issue.type === 'string' ? 'is too short' : 'is too small', expected: bounds('min', issue, issue.minimum), found: issue.type === 'array' ? renderValue(value) : renderValue(value) }];
    case 'too_big':
      return [{ path, message: issue.type === 'array' ? 'has too many items' : issue.type === 'string' ? 'is too long' : 'is too large', expected: bounds('max', issue, issue.maximum), found: issue.type === 'string' && typeof value === 'string' ? `${value.length} characters` : renderValue(value) }];
    case 'not_multiple_of':
      return [{ path, message: 'is not a multiple', expected: `a multiple of ${String(issue.multipleOf)}`, found: renderValue(value) }];
    case 'not_finite':
      return [{ path, message: 'is not a finite number', expected: 'a finite number', found: renderValue(value) }];
    case 'invalid_union': {
      // report the branch whose type matched (a mapping given where a text or a reference may stand)
      const sameLevelType = (i: ZodIssue) => i.code === 'invalid_type' && i.path.length === path.length;
      const matched = issue.unionErrors.filter((e) => !e.issues.every(sameLevelType));
      if (matched.length === 1) return matched[0]!.issues.flatMap((i) => fromZodIssue(i, input, root));
      return [{ path, message: 'has the wrong type', expected: described ?? 'a valid value', found: renderValue(value) }];
    }
    case 'custom': {
      // `found` in params: the rule chose what to show (a secret is never shown)
      const params = (issue.params ?? {}) as { expected?: unknown; found?: unknown };
      return [{ path, message: issue.message, expected: typeof params.expected === 'string' ? params.expected : (described ?? 'a valid value'), found: typeof params.found === 'string' ? params.found : renderValue(value) }];
    }
    default:
      return [{ path, message: issue.message, expected: described ?? 'a valid value', found: renderValue(value) }];
  }
}
