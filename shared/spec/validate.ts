import type { SpecIssue } from '../model/errors.ts';
import { loadTestSchema, type LoadTest } from './schema.ts';
import { printable } from '../model/text.ts';
import { checkSemantics } from './semantics.ts';
import { checkText } from './text-rules.ts';
import { readYaml, type PathSegment, type RawIssue, type YamlTree } from './yaml-tree.ts';
import { fromZodIssue, type FieldIssue } from './zod-issues.ts';

export { describeTestEnvironment, resolvedSpecInput, resolvedSpecYaml } from './resolved.ts';
export { SPEC_LIMITS, FORBIDDEN_KEYS } from './yaml-tree.ts';

export type SpecValidation = { ok: true; spec: LoadTest; issues: [] } | { ok: false; issues: SpecIssue[] };

/**
 * Validate a LoadTest document (YAML or JSON text). Every problem is reported at once, each with
 * the field path, line:column, what was expected and what was found. Pure: no I/O, no node:*.
 * `fileName` only labels the result; reading files (and refusing huge ones early) is the loader's job.
 */
export function validateSpecText(text: string, fileName?: string): SpecValidation {
  void fileName;
  const read = readYaml(text);
  if (!read.ok) return { ok: false, issues: sortIssues(read.issues.map((i) => positionRaw(i, read.tree, text))) };
  const { value, tree } = read;

  const parsed = loadTestSchema.safeParse(value);
  // a control character is the first thing to fix in a string: the schema's view of it adds nothing
  const textIssues = checkText(value);
  const unprintable = new Set(textIssues.map((i) => pathKey(i.path)));
  const schemaIssues = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromZodIssue(i, value, loadTestSchema));
  const fieldIssues: FieldIssue[] = [...textIssues, ...schemaIssues.filter((i) => !unprintable.has(pathKey(i.path)))];
  const flagged = new Set(fieldIssues.map((i) => pathKey(i.path)));
  // a semantic problem on a field the schema already rejected adds nothing
  for (const issue of checkSemantics(value)) if (!flagged.has(pathKey(issue.path))) fieldIssues.push(issue);

  if (parsed.success && fieldIssues.length === 0) return { ok: true, spec: parsed.data, issues: [] };
  const unique = dedupe(fieldIssues);
  const shown = sortIssues(unique.slice(0, MAX_ISSUES * 4).map((i) => positionField(i, tree))).slice(0, MAX_ISSUES);
  if (unique.length > shown.length) {
    shown.push({ path: '', message: `and ${unique.length - shown.length} more problems not shown`, expected: 'fewer problems (fix these first)', found: `${unique.length} problems` });
  }
  return { ok: false, issues: shown };
}

/** More problems than this are summarised in one final line: a message stays readable. */
export const MAX_ISSUES = 50;

/** `spec.applications[2].kubernetes.namespace` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${printable(JSON.stringify(seg))}]`;
  }
  return out;
}

function pathKey(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}

function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = pathKey(i.path) + '\u0000' + i.message;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function withPosition(issue: SpecIssue, position: { line: number; column: number } | undefined): SpecIssue {
  return position ? { ...issue, line: position.line, column: position.column } : issue;
}

function positionRaw(issue: RawIssue, tree: YamlTree | undefined, text: string): SpecIssue {
  const base: SpecIssue = { path: formatPath(issue.path), message: printable(issue.message) };
  if (issue.expected !== undefined) base.expected = issue.expected;
  if (issue.found !== undefined) base.found = printable(issue.found);
  if (issue.offset === undefined) return base;
  return withPosition(base, tree ? tree.position(issue.offset) : positionInText(text, issue.offset));
}

function positionField(issue: FieldIssue, tree: YamlTree): SpecIssue {
  // messages may hold names from the spec (an app, a key): shown escaped, never as raw control characters
  const base: SpecIssue = { path: formatPath(issue.path), message: printable(issue.message) };
  if (issue.expected !== undefined) base.expected = printable(issue.expected);
  if (issue.found !== undefined) base.found = printable(issue.found);
  const offset = tree.offsetOf(issue.path, issue.at ?? 'value');
  return withPosition(base, offset === undefined ? undefined : tree.position(offset));
}

/** line:column of an offset when there is no parsed tree (the text was refused before parsing). */
function positionInText(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.index - b.index)
    .map((x) => x.issue);
}
