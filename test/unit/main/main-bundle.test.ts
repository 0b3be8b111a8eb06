import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { mainOptions, NATIVE_EXTERNALS } from '../../../build/esbuild-options.js';
import { CHANNELS } from '../../../shared/contract/index.ts';

/**
 * The real main-process bundle (built with the production esbuild options), run under plain Node
 * with a stand-in 'electron' module: it starts the conductor service, hardens the session, opens a
 * locked-down window, registers the contract's IPC handlers — and answers the window but not a stranger.
 */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
let dir: string;
let report: {
  windows: { webPreferences: Record<string, unknown> }[];
  loaded: string[];
  ipc: string[];
  session: string[];
  answers: Record<string, unknown>;
  windowOpen: unknown;
  quitPrevented: boolean;
  settingsFile: string[];
  quit: boolean;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-main-bundle-'));
  const outfile = join(dir, 'main', 'index.cjs');
  await build({ ...mainOptions(ROOT, outfile), alias: { electron: join(ROOT, 'test', 'unit', 'main', 'electron-stub.cjs') }, external: NATIVE_EXTERNALS, sourcemap: false });
  // the native modules stay outside the bundle, loaded from the project's node_modules (electron-builder packs them)
  const run = spawnSync(process.execPath, [outfile], { env: { ...process.env, CONDUCTOR_ROOT: ROOT, HOME: dir, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8', timeout: 60_000 });
  const line = run.stdout.split('\n').find((l) => l.startsWith('STUB-REPORT '));
  if (!line) throw new Error(`the main bundle did not report:\n${run.stdout}\n${run.stderr}`);
  report = JSON.parse(line.slice('STUB-REPORT '.length));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Electron main bundle', () => {
  it('opens one locked-down window on the built renderer with the preload', () => {
    expect(report.windows).toHaveLength(1);
    const wp = report.windows[0]!.webPreferences;
    expect(wp).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(wp.preload).toBe(join(dir, 'preload', 'index.cjs'));
    expect(report.loaded).toEqual([join(dir, 'renderer', 'index.html')]);
    expect(report.windowOpen).toEqual({ action: 'deny' });
    expect(report.session).toEqual(expect.arrayContaining(['csp', 'block-remote', 'deny-permissions', 'deny-checks']));
  });

  it('registers every contract channel and answers only its own window', () => {
    expect([...report.ipc].sort()).toEqual(Object.values(CHANNELS).sort());
    expect(report.answers.envList).toMatchObject({ ok: true, value: { host: 'electron', sandbox: { available: true } } });
    expect(report.answers.examples).toEqual(expect.arrayContaining(['sandbox']));
    // the embedded sandbox works inside the bundle
    expect(report.answers.parity).toMatchObject({ apps: 8 });
    expect(report.answers.stranger).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(report.answers.badInput).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    // spec:open is the native dialog (cancelled here), not the service's
    expect(report.answers.open).toEqual({ ok: true, value: null });
  });

  it('keeps the environments choice in electron-store and refuses credentials', () => {
    const choice = { production: { context: 'prod-eu', awsProfile: 'prod-readonly', awsRegion: 'eu-central-1' }, test: { context: 'loadtest-eu' }, locustUrl: 'http://locust:8089' };
    expect(report.answers.settingsSet).toEqual({ ok: true, value: { environments: choice, recentSpecs: [] } });
    expect(report.answers.settingsSecret).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(JSON.stringify(report.answers.settingsSecret)).not.toContain('hunter2');
    expect(report.answers.settingsGet).toEqual({ ok: true, value: { environments: choice, recentSpecs: [] } });
    expect(report.settingsFile).toEqual(['settings.json']);
  });

  it('closes the service before quitting', () => {
    expect(report.quitPrevented).toBe(true);
    expect(report.quit).toBe(true);
  });
});
