import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/headless/cli.ts';
import { rawStream, safeStream } from '../../../electron/headless/safe-output.ts';
import { TerminalDisplay, renderPanel } from '../../../electron/headless/terminal-display.ts';
import type { RunStatus, RunSummary } from '../../../shared/model/run.ts';
import { findControlChar } from '../../../shared/model/text.ts';

/** What the CLI prints never carries control characters from a spec, a file or a server. */

class Sink extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const ESC = '\u001b';
const HOSTILE = `x${ESC}[2J${ESC}[H\u009b1mverdict: PASSED\r`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-safe-output-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(['node', 'conductor', ...args], { stdout, stderr, env: { ...process.env, CONDUCTOR_DATA_DIR: join(dir, 'unused') } });
  return { code, out: stdout.text, err: stderr.text };
}

describe('safe output', () => {
  it('escapes control characters in every write, keeping new lines and tabs; the raw stream stays reachable', () => {
    const sink = new Sink();
    const safe = safeStream(sink);
    safe.write(`a${HOSTILE}\tb\n`);
    expect(sink.text).toBe('ax\\u001b[2J\\u001b[H\\u009b1mverdict: PASSED\\u000d\tb\n');
    expect(rawStream(safe)).toBe(sink);
    expect(safeStream(safe)).toBe(safe);
  });

  it('the live panel and the plain log lines show names and reasons escaped', () => {
    const status = { runId: 'r1', specName: 'peak', state: 'running', phase: 'deploy', startedAt: '', timeScale: 1, phases: [], apps: [{ app: 'cart', phase: 'deploy', state: 'failed', reason: HOSTILE }], samples: [], guards: [], knee: null, abort: null, verdict: null, testEnvironment: 'x', flags: [HOSTILE] } as unknown as RunStatus;
    for (const line of renderPanel(status, 200)) expect(findControlChar(line)).toBe(-1);
    const sink = new Sink();
    const display = new TerminalDisplay({ out: sink, tty: false, status: () => status });
    display.onEvent({ type: 'log', runId: 'r1', level: 'warn', message: HOSTILE });
    display.message(HOSTILE);
    expect(findControlChar(sink.text, '\n')).toBe(-1);
    expect(sink.text).toContain('\\u001b[2J');
  });

  it('`conductor history` shows a tampered history entry escaped', async () => {
    const data = join(dir, 'data');
    const summary: RunSummary = { runId: 'r-1', specName: HOSTILE, startedAt: '2026-01-01T00:00:00Z', endedAt: null, verdict: 'passed', plateauOpm: 1, targetOpm: 1, plateauP99Ms: 1, errorRate: 0, regression: [HOSTILE] };
    await mkdir(join(data, 'runs', 'r-1'), { recursive: true });
    await writeFile(join(data, 'runs', 'r-1', 'summary.json'), JSON.stringify(summary));
    const r = await cli('history', '--data-dir', data);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('x\\u001b[2J');
    expect(findControlChar(r.out, '\n')).toBe(-1);
  });

  it.each([
    ['history', 'show', '..'],
    ['history', 'show', '.'],
    ['history', 'compare', 'r-1', '..'],
    ['recover', '..'],
  ])('refuses a dot-only run id: conductor %s %s %s', async (...args) => {
    const r = await cli(...args, '--data-dir', join(dir, 'data'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: "\.\.?" is not a run id; expected a run id such as .* starting with a letter or digit\)\n$/);
  });
});
