import { escapeChar, findControlChar } from '../model/text.ts';
import type { PathSegment } from './yaml-tree.ts';
import type { Steps } from './steps.ts';
import { STEP_UNITS } from './yaml-tree.ts';
import { renderValue, type FieldIssue } from './zod-issues.ts';

/**
 * Every string and key of a spec is printable text: no terminal escape codes (`x\u001b[2J…PASSED`),
 * carriage returns or other control characters, which would let a spec rewrite the screen or a
 * log line that shows it. New lines and tabs are allowed only where text spans lines: the
 * description, a cleanup body, a Job's command and a PromQL query. One linear walk of the document.
 */

const MULTILINE: readonly RegExp[] = [
  /^metadata\.description$/,
  /^spec\.cleanup\.\d+\.http\.body$/,
  /^spec\.cleanup\.\d+\.kubernetesJob\.command\.\d+$/,
  /^spec\.load\.kpi\.prometheus\.query$/,
];

const MAX_TEXT_ISSUES = 50;

/** Where a value sits: a link to its parent, turned into a path only for a problem (no array per value). */
interface At {
  parent: At | null;
  key: PathSegment;
}

function pathOf(at: At | null): PathSegment[] {
  const path: PathSegment[] = [];
  for (let a = at; a; a = a.parent) path.push(a.key);
  return path.reverse();
}

/** The text issues of a document (plain data from the YAML), as steps (./steps.ts). */
export function* checkTextSteps(document: unknown): Steps<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const stack: { value: unknown; at: At | null }[] = [{ value: document, at: null }];
  let units = 0;
  // a string is checked where it is found; only a string with a control character costs a look at its path
  const checkString = (text: string, parent: At | null, key: PathSegment) => {
    if (findControlChar(text) < 0) return;
    const path = pathOf({ parent, key });
    const multiline = MULTILINE.some((re) => re.test(path.join('.')));
    const bad = findControlChar(text, multiline ? '\n\t' : '');
    if (bad >= 0) issues.push(textIssue(path, text, bad, multiline, 'value'));
  };
  if (typeof document === 'string') checkString(document, null, '');
  while (stack.length > 0 && issues.length < MAX_TEXT_ISSUES) {
    if (++units % STEP_UNITS === 0) yield;
    const { value, at } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        if (typeof child === 'string') checkString(child, at, i);
        else if (child !== null && typeof child === 'object') stack.push({ value: child, at: { parent: at, key: i } });
      }
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) {
        if (++units % STEP_UNITS === 0) yield;
        const key = keys[i]!;
        const child = record[key];
        const bad = findControlChar(key);
        if (bad >= 0) issues.push(textIssue(pathOf({ parent: at, key }), key, bad, false, 'key'));
        else if (typeof child === 'string') checkString(child, at, key);
        else if (child !== null && typeof child === 'object') stack.push({ value: child, at: { parent: at, key } });
      }
    }
  }
  return issues.slice(0, MAX_TEXT_ISSUES);
}

function textIssue(path: PathSegment[], text: string, at: number, multiline: boolean, where: 'key' | 'value'): FieldIssue {
  return {
    path,
    message: `${where === 'key' ? 'the key holds' : 'holds'} a control character (${escapeChar(text.charCodeAt(at))} at character ${at + 1})`,
    expected: `printable text (no terminal escape codes or other control characters${multiline ? '; new lines and tabs are fine' : ', no new lines'})`,
    found: renderValue(text),
    at: where,
  };
}
