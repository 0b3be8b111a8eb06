import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `conductor --help` and `conductor <command> --help`: every command documents its exit codes and shows examples. */

const root = join(import.meta.dirname, '..', '..');
const conductor = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin', 'conductor.js'), ...args], { encoding: 'utf8', timeout: 60_000 });

const COMMANDS = ['validate', 'parity', 'sandbox', 'run', 'recover', 'history', 'serve'];

describe('conductor --help', () => {
  it('lists every command and the exit codes', () => {
    const r = conductor('--help');
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {2}ok[^\n]*\n {2}1 {2}a check failed[^\n]*\n {2}2 {2}invalid input[^\n]*\n {2}3 {2}aborted or runtime failure/);
  });

  it('each command documents its exit codes and gives examples that name the command', () => {
    for (const c of COMMANDS) {
      const r = conductor(c, '--help');
      expect(r.status, `${c}: ${r.stderr}`).toBe(0);
      expect(r.stdout, c).toMatch(/\nExit codes: 0 /);
      expect(r.stdout, c).toMatch(new RegExp(`\\nExamples:\\n {2}(\\S+=\\S+ )*conductor ${c}`));
    }
  });

  it('run --help explains Ctrl-C, recover and the exit codes a CI job relies on', () => {
    const r = conductor('run', '--help');
    expect(r.stdout).toMatch(/a second Ctrl-C does not interrupt the\s+restore/);
    expect(r.stdout).toMatch(/0 passed; 1 failed/);
    expect(r.stdout).toMatch(/3 aborted/);
  });
});
