import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../electron/core/run/journal.ts';
import { ROOT, startServe, type ServeProcess } from '../e2e/harness.ts';

/**
 * `conductor serve` with a run in progress, stopped the way people stop things: Ctrl-C, and then
 * Ctrl-C again (and again) because it seems slow. The restore is never interrupted: the server
 * says it is still restoring, the run ends restored, and only then does the process exit.
 */

let dir: string;
let serve: ServeProcess | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-serve-signals-'));
});
afterEach(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
  serve = null;
  await rm(dir, { recursive: true, force: true });
});

async function api<T>(url: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${url}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { ok: boolean; value: T; error?: unknown };
  if (!json.ok) throw new Error(`${path}: ${JSON.stringify(json.error)}`);
  return json.value;
}

describe('conductor serve and signals', () => {
  it('a second and third Ctrl-C mid-restore do not end it: the run restores, then serve exits 0', async () => {
    const data = join(dir, 'data');
    serve = await startServe(['--time-scale', '20', '--data-dir', data], { ...process.env, HOME: dir });
    const text = await readFile(join(ROOT, 'examples', 'sandbox.yaml'), 'utf8');
    const { runId } = await api<{ runId: string }>(serve.url, 'run/start', { text });
    for (let i = 0; i < 600; i++) {
      const st = await api<{ phase: string | null } | null>(serve.url, 'run/status', { runId });
      if (st?.phase === 'ramp') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const exit = new Promise<number | null>((r) => serve!.child.once('exit', (code) => r(code)));
    serve.child.kill('SIGINT');
    for (let i = 0; i < 100 && !/stopping: aborting any run in progress/.test(serve.output()); i++) await new Promise((r) => setTimeout(r, 50));
    serve.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    serve.child.kill('SIGINT');
    const code = await Promise.race([exit, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 120_000))]);
    expect(code, serve.output()).toBe(0);
    expect(serve.output().match(/still restoring the test environment/g)).toHaveLength(2);
    const journal = await readJournal(data, runId);
    expect(journal.find((e) => e.type === 'phase' && e.phase === 'restore' && e.state === 'done')).toBeDefined();
    expect(journal.at(-1)).toMatchObject({ type: 'run-ended', state: 'aborted', restoreComplete: true });
  }, 180_000);
});
