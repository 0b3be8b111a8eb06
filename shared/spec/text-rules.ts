import { escapeChar, findControlChar } from '../model/text.ts';
import type { PathSegment } from './yaml-tree.ts';
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

export function checkText(document: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value: document, path: [] }];
  while (stack.length > 0 && issues.length < MAX_TEXT_ISSUES) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const multiline = MULTILINE.some((re) => re.test(path.join('.')));
      const at = findControlChar(value, multiline ? '\n\t' : '');
      if (at >= 0) issues.push(textIssue(path, value, at, multiline, 'value'));
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        const at = findControlChar(key);
        if (at >= 0) issues.push(textIssue([...path, key], key, at, false, 'key'));
        else stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return issues;
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
