import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm start` where the Electron runtime cannot be had: it says so in one paragraph and points to
 * `npm run web` — no hang, no stack. (ELECTRON_OVERRIDE_DIST_PATH at an empty folder stands in for
 * a machine without the binary, without trying a download; `--no-build` keeps this test from
 * rebuilding out/ under the feet of the browser tests running beside it.)
 */
const root = join(import.meta.dirname, '..', '..');

describe('npm start without the Electron runtime', () => {
  it('explains in one paragraph and points to npm run web (exit 1)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'conductor-no-electron-'));
    try {
      const r = spawnSync(process.execPath, [join(root, 'build', 'start.js'), '--no-build'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 180_000,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      });
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).not.toMatch(/renderer: out\/renderer/); // --no-build: nothing rebuilt
      const paragraph = r.stderr.trim();
      expect(paragraph).toMatch(/^The Electron runtime is not available here \(ELECTRON_OVERRIDE_DIST_PATH=.* has no Electron binary\)/);
      expect(paragraph).toContain('run `npm run web`');
      expect(paragraph.split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
