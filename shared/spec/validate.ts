import type { SpecIssue } from '../model/errors.ts';
import { loadTestSchema, type LoadTest } from './schema.ts';
import { printable } from '../model/text.ts';
import { checkSemantics } from './semantics.ts';
import { runSteps, runStepsAsync, type StepPacing, type Steps } from './steps.ts';
import { checkTextSteps } from './text-rules.ts';
import { readYamlSteps, type PathSegment, type RawIssue, type YamlTree } from './yaml-tree.ts';
import { fromZodIssue, type FieldIssue } from './zod-issues.ts';

export { describeTestEnvironment, resolvedSpecInput, resolvedSpecYaml } from './resolved.ts';
export { SPEC_LIMITS, FORBIDDEN_KEYS } from './yaml-tree.ts';
export type { StepPacing } from './steps.ts';

export type SpecValidation = { ok: true; spec: LoadTest; issues: [] } | { ok: false; issues: SpecIssue[] };

/**
 * Validate a LoadTest document (YAML or JSON text). Every problem is reported at once, each with
 * the field path, line:column, what was expected and what was found. Pure: no I/O, no node:*.
 * `fileName` only labels the result; reading files (and refusing huge ones early) is the loader's job.
 */
export function validateSpecText(text: string, fileName?: string): SpecValidation {
  void fileName;
  return runSteps(validateSteps(text));
}

/**
 * validateSpecText for a host with an event loop: the same work, paused every `sliceMs` so the
 * loop keeps turning (the longest stretch without a pause is one library call — composing the
 * YAML document or the schema parse — measured in test/bench/spec-validation.bench.ts).
 */
export function validateSpecTextAsync(text: string, pacing: StepPacing): Promise<SpecValidation> {
  return runStepsAsync(validateSteps(text), pacing);
}

function* validateSteps(text: string): Steps<SpecValidation> {
  const read = yield* readYamlSteps(text);
  if (!read.ok) return { ok: false, issues: sortIssues(read.issues.map((i) => positionRaw(i, read.tree, text))) };
  const { value, tree } = read;

  const parsed = loadTestSchema.safeParse(value);
  yield;
  // a control character is the first thing to fix in a string: the schema's view of it adds nothing
  const textIssues = yield* checkTextSteps(value);
  const unprintable = new Set(textIssues.map((i) => pathKey(i.path)));
  // only the problems that can be shown are described (a did-you-mean per unknown key costs);
  // the rest are counted, so a document with 75,000 unknown keys stays linear and cheap
  const schemaIssues: FieldIssue[] = [];
  let undescribed = 0;
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const room = DESCRIBED_ISSUES - schemaIssues.length;
    const count = issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
    if (room <= 0) undescribed += count;
    else if (issue.code === 'unrecognized_keys' && count > room) {
      undescribed += count - room;
      schemaIssues.push(...fromZodIssue({ ...issue, keys: issue.keys.slice(0, room) }, value, loadTestSchema));
    } else schemaIssues.push(...fromZodIssue(issue, value, loadTestSchema));
  }
  const fieldIssues: FieldIssue[] = [...textIssues, ...schemaIssues.filter((i) => !unprintable.has(pathKey(i.path)))];
  const flagged = new Set(fieldIssues.map((i) => pathKey(i.path)));
  // a semantic problem on a field the schema already rejected adds nothing
  for (const issue of checkSemantics(value)) if (!flagged.has(pathKey(issue.path))) fieldIssues.push(issue);

  if (parsed.success && fieldIssues.length === 0) return { ok: true, spec: parsed.data, issues: [] };
  const unique = dedupe(fieldIssues);
  const total = unique.length + undescribed;
  const shown = sortIssues(unique.slice(0, DESCRIBED_ISSUES).map((i) => positionField(i, tree))).slice(0, MAX_ISSUES);
  if (total > shown.length) {
    shown.push({ path: '', message: `and ${total - shown.length} more problems not shown`, expected: 'fewer problems (fix these first)', found: `${total} problems` });
  }
  return { ok: false, issues: shown };
}

/** More problems than this are summarised in one final line: a message stays readable. */
export const MAX_ISSUES = 50;
/** Problems described (and positioned) before the first MAX_ISSUES in file order are picked; the rest are counted. */
const DESCRIBED_ISSUES = MAX_ISSUES * 4;

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
