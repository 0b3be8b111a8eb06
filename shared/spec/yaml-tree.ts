import { formatBytes } from '../model/text.ts';
import { runSteps, type Steps } from './steps.ts';
import { Composer, Lexer, LineCounter, Parser, isAlias, isMap, isPair, isScalar, isSeq, type CST, type Document, type ErrorCode, type Pair, type YAMLMap } from 'yaml';

/**
 * Reading a LoadTest document safely: hostile input (huge, binary, deeply nested, alias bombs,
 * prototype keys, duplicate keys, several documents) is refused with a positioned problem before
 * anything expensive happens. Every step is linear in the text: the yaml library's own duplicate-key
 * check compares each key with every earlier one (quadratic: a 1 MB many-key mapping took minutes),
 * so keys are checked here, with one Set per mapping. Syntax errors are positioned, never quoted.
 * Pure TypeScript (no node:*), so the renderer can use it too.
 */

export const SPEC_LIMITS = {
  /** the largest spec text accepted, in bytes of UTF-8 */
  maxBytes: 1024 * 1024,
  /** the deepest nesting of mappings/lists accepted (a real spec is about 6 deep) */
  maxDepth: 64,
  /** YAML alias expansions allowed before the document is treated as an alias bomb */
  maxAliasCount: 100,
} as const;

/** Keys that could reach an object's prototype chain; refused anywhere in a spec. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type PathSegment = string | number;

/** A problem found while reading the YAML, before the schema is consulted. */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  expected?: string;
  found?: string;
  /** 0-based offset into the text */
  offset?: number;
}

export type YamlReadResult =
  | { ok: true; value: unknown; tree: YamlTree }
  | { ok: false; issues: RawIssue[]; tree?: YamlTree };

/** A parsed document plus the means to turn field paths back into line:column. */
export class YamlTree {
  /** key → pair per mapping, built when a path through that mapping is first looked up */
  private readonly pairsByKey = new WeakMap<object, Map<string, Pair>>();

  constructor(
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** 1-based line and column of a text offset. */
  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(line, 1), column: Math.max(col, 1) };
  }

  /**
   * The text offset that best shows `path`: the value's node when it exists, a key when the
   * problem is the key itself, otherwise the nearest ancestor that exists (for a missing field,
   * the parent's key).
   */
  offsetOf(path: readonly PathSegment[], prefer: 'value' | 'key' = 'value'): number | undefined {
    let node: unknown = this.resolve(this.doc.contents);
    /** where the deepest existing step is written: its key in a mapping, the item in a list */
    let here = rangeStart(node);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      let next: unknown;
      let key: unknown;
      if (isMap(node)) {
        const pair = this.pairIn(node, String(seg));
        if (!pair) return here;
        key = pair.key;
        next = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        next = node.items[seg];
      } else {
        return here;
      }
      const keyStart = rangeStart(key);
      // an empty value, or a block mapping/list (which starts at its first child's line), is shown at its key
      const blockCollection = (isMap(next) || isSeq(next)) && !next.flow;
      const valueStart = keyStart !== undefined && ((isScalar(next) && next.value === null) || blockCollection) ? undefined : rangeStart(next);
      if (i === path.length - 1) return prefer === 'key' ? (keyStart ?? valueStart ?? here) : (valueStart ?? keyStart ?? here);
      here = keyStart ?? valueStart ?? here;
      node = this.resolve(next);
    }
    return here;
  }

  private pairIn(map: YAMLMap, key: string): Pair | undefined {
    let index = this.pairsByKey.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
      this.pairsByKey.set(map, index);
    }
    return index.get(key);
  }

  private resolve(node: unknown): unknown {
    let current = node;
    for (let hops = 0; hops < 16 && isAlias(current); hops++) current = current.resolve(this.doc);
    return current;
  }
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return undefined;
}

/** UTF-8 byte length without TextEncoder (not in the ES2022 lib). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

export { formatBytes };

/** What each yaml error code means, in our words: the library's own messages may quote the text. */
const YAML_CODES: Record<ErrorCode, string> = {
  ALIAS_PROPS: 'an alias cannot have a tag or an anchor',
  BAD_ALIAS: 'an alias is not allowed here',
  BAD_DIRECTIVE: 'a directive (%) is not valid',
  BAD_DQ_ESCAPE: 'a double-quoted string has an invalid escape',
  BAD_INDENT: 'the indentation is wrong',
  BAD_PROP_ORDER: 'an anchor or tag is in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character',
  BLOCK_AS_IMPLICIT_KEY: 'a block collection cannot be a key',
  BLOCK_IN_FLOW: 'a block collection cannot be inside a flow collection',
  DUPLICATE_KEY: 'a key appears twice in the same mapping',
  IMPOSSIBLE: 'the text cannot be read as YAML',
  KEY_OVER_1024_CHARS: 'an implicit key is longer than 1024 characters',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTILINE_IMPLICIT_KEY: 'an implicit key spans lines',
  MULTIPLE_ANCHORS: 'a node has more than one anchor',
  MULTIPLE_DOCS: 'more than one YAML document',
  MULTIPLE_TAGS: 'a node has more than one tag',
  NON_STRING_KEY: 'a key is not a string',
  RESOURCE_EXHAUSTION: 'the document expands beyond the limits',
  TAB_AS_INDENT: 'a tab is used for indentation',
  TAG_RESOLVE_FAILED: 'a tag is not known',
  UNEXPECTED_TOKEN: 'unexpected text',
  BAD_COLLECTION_TYPE: 'a collection has the wrong type for its tag',
};

/** Parse `text` as one YAML (or JSON) document under SPEC_LIMITS and return it as plain data. */
export function readYaml(text: string): YamlReadResult {
  return runSteps(readYamlSteps(text));
}

/** How many lexemes or nodes between two yields: small enough to pause often, large enough to cost nothing. */
export const STEP_UNITS = 2048;

/** readYaml as steps (./steps.ts): yields while lexing and walking, so a host can keep its event loop turning. */
export function* readYamlSteps(text: string): Steps<YamlReadResult> {
  if (text.length > SPEC_LIMITS.maxBytes || utf8Length(text) > SPEC_LIMITS.maxBytes) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          message: `the spec is larger than the ${formatBytes(SPEC_LIMITS.maxBytes)} limit`,
          expected: `at most ${formatBytes(SPEC_LIMITS.maxBytes)}`,
          found: formatBytes(utf8Length(text.length > 4 * SPEC_LIMITS.maxBytes ? text.slice(0, 4 * SPEC_LIMITS.maxBytes) : text)) + (text.length > 4 * SPEC_LIMITS.maxBytes ? ' or more' : ''),
        },
      ],
    };
  }
  const nul = text.indexOf('\u0000');
  const bad = text.indexOf('\uFFFD');
  if (nul >= 0 || bad >= 0) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          message: 'not a text file',
          expected: 'a YAML or JSON text file in UTF-8',
          found: nul >= 0 ? 'NUL bytes (binary data)' : 'bytes that are not valid UTF-8',
          offset: nul >= 0 && (bad < 0 || nul < bad) ? nul : bad,
        },
      ],
    };
  }

  // Lex and parse to a CST, watching the parser's stack so very deep nesting is refused before
  // the (recursive) composer ever sees it.
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const tokens: CST.Token[] = [];
  lines.addNewLine(0);
  const depthLimit = SPEC_LIMITS.maxDepth + 2; // the document and its first collection
  let units = 0;
  for (const lexeme of new Lexer().lex(text, false)) {
    if (++units % STEP_UNITS === 0) yield;
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > depthLimit) {
      return {
        ok: false,
        issues: [
          {
            path: [],
            message: `nested more than ${SPEC_LIMITS.maxDepth} levels deep`,
            expected: `at most ${SPEC_LIMITS.maxDepth} levels of nested mappings and lists`,
            found: `deeper nesting`,
            offset: Math.min(parser.offset, text.length),
          },
        ],
      };
    }
  }
  for (const token of parser.end()) tokens.push(token);

  // uniqueKeys: false — the library's check is quadratic; checkKeys finds duplicates in linear time
  const composer = new Composer({ uniqueKeys: false, merge: false, strict: true, prettyErrors: false });
  yield;
  const docs = [...composer.compose(tokens, false, text.length)];
  yield;
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (nonEmpty.length === 0) {
    return {
      ok: false,
      issues: [
        {
          path: [],
          message: 'the file is empty',
          expected: 'a LoadTest document with apiVersion, kind, metadata and spec',
          found: text.trim() === '' ? 'no content' : 'only comments',
        },
      ],
    };
  }
  const doc = nonEmpty[0]!;
  const tree = new YamlTree(doc, lines);
  if (nonEmpty.length > 1) {
    return {
      ok: false,
      tree,
      issues: [
        {
          path: [],
          message: `the file holds ${nonEmpty.length} YAML documents`,
          expected: 'exactly one LoadTest document (no "---" separated documents)',
          found: `${nonEmpty.length} documents`,
          offset: rangeStart(nonEmpty[1]!.contents) ?? nonEmpty[1]!.range[0],
        },
      ],
    };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      tree,
      // each error is positioned by a walk from the root: a bounded number of them keeps that linear
      issues: doc.errors.slice(0, MAX_RAW_ISSUES).map((e) => ({
        path: pathAtOffset(doc, e.pos[0]),
        message: `invalid YAML: ${YAML_CODES[e.code] ?? 'the text cannot be read as YAML'}`,
        expected: 'valid YAML or JSON',
        found: whatIsAt(text, e.pos[0]),
        offset: e.pos[0],
      })),
    };
  }

  const keyIssues = yield* checkKeys(doc);
  if (keyIssues.length > 0) return { ok: false, tree, issues: keyIssues };
  yield;

  try {
    const value: unknown = doc.toJS({ maxAliasCount: SPEC_LIMITS.maxAliasCount });
    return { ok: true, value, tree };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/alias/i.test(message)) {
      return {
        ok: false,
        tree,
        issues: [
          {
            path: [],
            message: `too many YAML alias expansions (the limit is ${SPEC_LIMITS.maxAliasCount}); refused as a possible alias bomb`,
            expected: `at most ${SPEC_LIMITS.maxAliasCount} alias expansions`,
            found: 'aliases that expand beyond the limit',
            offset: firstAliasOffset(doc),
          },
        ],
      };
    }
    return { ok: false, tree, issues: [{ path: [], message: `cannot read the YAML: ${firstLine(message)}` }] };
  }
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

/**
 * What a syntax error points at, for `found …` — never the text itself: a file that is not a spec
 * at all (a credentials file given by mistake) must not be echoed into a terminal or a CI log.
 */
function whatIsAt(text: string, offset: number): string {
  const rest = text.slice(offset, offset + 4096);
  if (rest.trim() === '' && offset + 4096 >= text.length) return 'the end of the file';
  const lineEnd = rest.indexOf('\n');
  if ((lineEnd < 0 ? rest : rest.slice(0, lineEnd)).trim() === '') return 'the end of the line';
  return 'text that cannot continue the document here (see the line and column)';
}

/** At most this many problems are collected while reading (the caller shows fewer still). */
const MAX_RAW_ISSUES = 50;

/**
 * Every key must be a plain scalar, at most once per mapping, and none may be a prototype key.
 * One Set per mapping keeps the duplicate check linear; an explicit stack (bounded depth is
 * guaranteed by readYaml anyway) lets it yield between nodes.
 */
function* checkKeys(doc: Document.Parsed): Steps<RawIssue[]> {
  const issues: RawIssue[] = [];
  const stack: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  let units = 0;
  while (stack.length > 0 && issues.length < MAX_RAW_ISSUES) {
    if (++units % STEP_UNITS === 0) yield;
    const { node, path } = stack.pop()!;
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], path: [...path, i] });
      continue;
    }
    if (!isMap(node)) continue;
    const seen = new Set<string>();
    const children: { node: unknown; path: PathSegment[] }[] = [];
    for (const pair of node.items) {
      if (issues.length >= MAX_RAW_ISSUES) break;
      if (!isPair(pair)) continue;
      const key = pair.key;
      if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) {
        issues.push({ path, message: 'a key is not a plain string', expected: 'keys that are plain strings', found: isAlias(key) ? 'an alias' : 'a complex key', offset: rangeStart(key) });
        continue;
      }
      const name = String(key.value);
      // 1 and "1" are one key once the document is plain data: compare them as text
      if (seen.has(name)) {
        issues.push({ path: [...path, name], message: `invalid YAML: ${YAML_CODES.DUPLICATE_KEY}`, expected: 'each key at most once per mapping', found: `${JSON.stringify(name)} a second time`, offset: rangeStart(key) });
        continue;
      }
      seen.add(name);
      if (FORBIDDEN_KEYS.has(name)) {
        issues.push({
          path: [...path, name],
          message: `the key "${name}" is not allowed`,
          expected: `field names of a LoadTest (never __proto__, constructor or prototype)`,
          found: JSON.stringify(name),
          offset: rangeStart(key),
        });
        continue;
      }
      if (isMap(pair.value) || isSeq(pair.value)) children.push({ node: pair.value, path: [...path, name] });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return issues;
}

function firstAliasOffset(doc: Document.Parsed): number | undefined {
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined) return;
    if (isAlias(node)) found = rangeStart(node);
    else if (isMap(node)) {
      for (const p of node.items) {
        visit(p.key);
        visit(p.value);
      }
    }
    else if (isSeq(node)) for (const item of node.items) visit(item);
  };
  visit(doc.contents);
  return found;
}

/** The field path of the deepest node whose range holds `offset` (for YAML errors such as duplicate keys). */
function pathAtOffset(doc: Document.Parsed, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = doc.contents;
  for (let depth = 0; depth <= SPEC_LIMITS.maxDepth + 2; depth++) {
    let next: unknown;
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = rangeOf(pair.key);
        const v = rangeOf(pair.value);
        const end = v ? v[1] : k ? k[1] : -1;
        if (k && offset >= k[0] && offset <= end) {
          path.push(isScalar(pair.key) ? String(pair.key.value) : '?');
          next = v && offset >= v[0] ? pair.value : undefined;
          break;
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const r = rangeOf(item);
        if (next === undefined && r && offset >= r[0] && offset <= r[1]) {
          path.push(i);
          next = item;
        }
      });
    }
    if (next === undefined) break;
    node = next;
  }
  return path;
}

function rangeOf(node: unknown): [number, number] | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return [range[0], range[2]];
  }
  return undefined;
}
