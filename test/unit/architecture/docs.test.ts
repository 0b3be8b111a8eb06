import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layersTable } from '../../../build/lint/layers.js';

/**
 * The contributor's map stays true: ARCHITECTURE.md shows the lint's layer table as it is, every
 * file it names exists, and each click it follows takes at most ten files.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

describe('ARCHITECTURE.md', () => {
  it('shows the layer table of build/lint/layers.js', () => {
    const shown = /<!-- layers:begin -->\n([\s\S]*?)\n<!-- layers:end -->/.exec(doc)?.[1];
    expect(shown, 'regenerate it with: node -e "import(\'./build/lint/layers.js\').then(m => console.log(m.layersTable()))"').toBe(layersTable());
  });

  it('names only files that exist', () => {
    const named = [...doc.matchAll(/`((?:electron|shared|renderer|test|build|bin)\/[\w./-]+\.(?:ts|tsx|js))`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it('follows each click in at most ten files', () => {
    for (const heading of ['**"Abort" in the cockpit → the first restore PATCH**', '**`conductor run` → the first `POST /swarm`:**']) {
      const at = doc.indexOf(heading);
      expect(at, heading).toBeGreaterThan(0);
      const steps = doc
        .slice(at)
        .split(/\n\n\*\*|\n## /)[0]!
        .split('\n')
        .filter((l) => /^\d+\. /.test(l));
      expect(steps.length, heading).toBeGreaterThanOrEqual(5);
      expect(steps.length, heading).toBeLessThanOrEqual(10);
    }
  });
});
