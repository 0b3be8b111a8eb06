import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_DIR, CLI_ENTRY, cliBundleState } from '../../build/cli-bundle.js';

/**
 * The `conductor` command runs built JavaScript and loads the Kubernetes and AWS clients only in
 * the commands that use them: every module the process resolves is recorded through Node's
 * loader hooks (test/support/record-imports.mjs) while `bin/conductor.js` runs as a user runs it.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin', 'conductor.js');
const RECORDER = join(ROOT, 'test', 'support', 'record-imports.mjs');
const CLIENTS = /\/node_modules\/(@kubernetes\/client-node|@aws-sdk\/client-ecs)\//;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-startup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function conductor(name: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
  const record = join(dir, `${name}.txt`);
  const r = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CONDUCTOR_RECORD_IMPORTS: record, CONDUCTOR_DATA_DIR: join(dir, 'data'), KUBECONFIG: join(dir, 'none') },
  });
  const loaded = (await readFile(record, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, loaded };
}

describe('conductor start-up', () => {
  it('runs the bundle (out/cli), never the TypeScript sources, and nothing of tsx', async () => {
    const r = await conductor('version', ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('0.1.0\n');
    expect(r.loaded.some((u) => u.endsWith(`/${CLI_DIR}/${CLI_ENTRY}`))).toBe(true);
    expect(r.loaded.filter((u) => u.endsWith('.ts') || u.includes('/node_modules/tsx/'))).toEqual([]);
  });

  it('--version, validate and history never load the Kubernetes or AWS clients', async () => {
    for (const [name, args] of [
      ['version', ['--version']],
      ['validate', ['validate', join('examples', 'production.yaml')]],
      ['history', ['history']],
    ] as const) {
      const r = await conductor(name, [...args]);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.loaded.length, name).toBeGreaterThan(0);
      expect(r.loaded.filter((u) => CLIENTS.test(u)), name).toEqual([]);
    }
  });

  it('a command that reads the clusters does load them (the recording sees them)', async () => {
    const r = await conductor('parity', ['parity', join('examples', 'sandbox.yaml'), '--time-scale', '100']);
    // exit 1: the sandbox's test side drifts from production, as seeded
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/8 apps: .* drifting/);
    expect(r.loaded.some((u) => /\/node_modules\/@kubernetes\/client-node\//.test(u))).toBe(true);
    expect(r.loaded.some((u) => /\/node_modules\/@aws-sdk\/client-ecs\//.test(u))).toBe(true);
  });

  it('builds the bundle on first use, and again when a source is newer than it', async () => {
    // a checkout of its own (the sources linked, bin/ copied, out/ its own), so the bundle the
    // other tests run is never touched
    const root = join(dir, 'checkout');
    await mkdir(join(root, 'bin'), { recursive: true });
    await copyFile(BIN, join(root, 'bin', 'conductor.js'));
    for (const d of ['build', 'electron', 'shared', 'node_modules']) await symlink(join(ROOT, d), join(root, d));
    const run = () => spawnSync(process.execPath, [join(root, 'bin', 'conductor.js'), '--version'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(cliBundleState(root)).toBe('missing');
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('0.1.0\n');
    expect(cliBundleState(root)).toBe('fresh');
    const entry = join(root, CLI_DIR, CLI_ENTRY);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(entry, hourAgo, hourAgo);
    expect(cliBundleState(root)).toBe('stale');
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe('0.1.0\n');
    expect(cliBundleState(root)).toBe('fresh');
    expect((await stat(entry)).mtimeMs).toBeGreaterThan(hourAgo.getTime());
  });
});
