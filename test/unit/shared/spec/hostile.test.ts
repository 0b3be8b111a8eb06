import { describe, expect, it } from 'vitest';
import type { SpecIssue } from '../../../../shared/model/errors.ts';
import { SPEC_LIMITS, validateSpecText } from '../../../../shared/spec/validate.ts';

function only(text: string): SpecIssue {
  const result = validateSpecText(text);
  if (result.ok) throw new Error('expected the text to be refused');
  expect(result.issues).toHaveLength(1);
  return result.issues[0]!;
}

function aliasBomb(levels: number): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return lines.join('\n') + '\n';
}

describe('validateSpecText: hostile text', () => {
  it('refuses an empty document', () => {
    expect(only('').message).toMatch(/empty/);
    expect(only('   \n\n').message).toMatch(/empty/);
    expect(only('# only a comment\n').found).toBe('only comments');
  });

  it('refuses binary text (NUL bytes, invalid UTF-8 replacement characters)', () => {
    const nul = only('apiVersion: conductor/v1\nkind: \u0000\u0001\u0002');
    expect(nul.message).toBe('not a text file');
    expect(nul.line).toBe(2);
    expect(only('a: \uFFFD\uFFFD').found).toMatch(/not valid UTF-8/);
  });

  it('refuses text above the size limit, naming the limit', () => {
    const issue = only('# ' + 'x'.repeat(SPEC_LIMITS.maxBytes) + '\n');
    expect(issue.message).toContain('1 MiB');
    expect(issue.expected).toBe('at most 1 MiB');
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const issue = only('# ' + 'é'.repeat(SPEC_LIMITS.maxBytes / 2 + 10) + '\n');
    expect(issue.message).toContain('1 MiB');
  });

  it('refuses a YAML alias bomb, naming the limit', () => {
    const issue = only(aliasBomb(9));
    expect(issue.message).toMatch(/alias/);
    expect(issue.message).toContain(String(SPEC_LIMITS.maxAliasCount));
    expect(issue.line).toBe(2);
  });

  it.each([
    ['flow lists', 'a: ' + '['.repeat(1000) + ']'.repeat(1000)],
    ['flow mappings', 'a: ' + '{a: '.repeat(1000) + '1' + '}'.repeat(1000)],
    ['block mappings', Array.from({ length: 1000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n')],
    ['block lists on one line', '- '.repeat(100_000) + 'x'],
  ])('refuses nesting 1000+ deep (%s), naming the limit', (_, text) => {
    const issue = only(text);
    expect(issue.message).toBe(`nested more than ${SPEC_LIMITS.maxDepth} levels deep`);
    expect(issue.line).toBeGreaterThanOrEqual(1);
  });

  it('accepts nesting within the limit as far as YAML goes (the schema then judges it)', () => {
    const result = validateSpecText('a: ' + '['.repeat(40) + ']'.repeat(40));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.message).join()).not.toMatch(/nested/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses %s keys anywhere and never pollutes prototypes', (key) => {
    const text = `apiVersion: conductor/v1\nspec:\n  load:\n    ${key}:\n      polluted: true\n`;
    const issue = only(text);
    expect(issue.path).toBe(`spec.load.${key}`);
    expect(issue.message).toContain(`"${key}"`);
    expect(issue.line).toBe(4);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('refuses __proto__ in JSON too', () => {
    const issue = only('{"apiVersion": "conductor/v1", "__proto__": {"isAdmin": true}}');
    expect(issue.path).toBe('__proto__');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses duplicate keys with the field path and both positions known', () => {
    const text = 'apiVersion: conductor/v1\nkind: LoadTest\nspec:\n  load:\n    rampUp: 1m\n    rampUp: 2m\n';
    const issue = only(text);
    expect(issue.path).toBe('spec.load.rampUp');
    expect(issue.line).toBe(6);
    expect(issue.message).toMatch(/twice/);
  });

  it('refuses duplicate keys in JSON', () => {
    const issue = only('{"kind": "LoadTest", "kind": "LoadTest"}');
    expect(issue.path).toBe('kind');
    expect(issue.found).toBe('"kind" a second time');
  });

  it('refuses several YAML documents', () => {
    const issue = only('apiVersion: conductor/v1\n---\napiVersion: conductor/v1\n');
    expect(issue.message).toMatch(/2 YAML documents/);
    expect(issue.line).toBe(3);
  });

  it('reports YAML syntax errors with their position', () => {
    const result = validateSpecText('apiVersion: conductor/v1\nkind: "LoadTest\n');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]!.message).toMatch(/invalid YAML/);
      expect(result.issues[0]!.line).toBeGreaterThanOrEqual(2);
    }
  });
});
