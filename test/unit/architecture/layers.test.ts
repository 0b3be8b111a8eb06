import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from './import-graph.ts';

/**
 * The layers are enforced, not claimed: `npm run lint` fails on an import the table in
 * build/lint/layers.js forbids, and the project's import graph has no cycles.
 */
const ROOT = join(import.meta.dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'conductor/layers').map((m) => m.message);
}

describe('layers (build/lint/layers.js)', () => {
  it.each([
    ['electron/core/run/example.ts', "import { startSandbox } from '../../sandbox/index.ts';\nexport const x = startSandbox;", /core\/run\/ may not import electron\/sandbox/],
    ['electron/core/rules/example.ts', "import { main } from '../../headless/cli.ts';\nexport const x = main;", /may not import electron\/headless/],
    ['electron/core/service/example.ts', "import { registerIpcHandlers } from '../../main/ipc.ts';\nexport const x = registerIpcHandlers;", /may not import electron\/main/],
    ['electron/core/run/example.ts', "import { app } from 'electron';\nexport const x = app;", /may not import the package electron/],
    ['electron/substrates/kubernetes/example.ts', "import { startRun } from '../../core/run/conductor.ts';\nexport const x = startRun;", /may not import electron\/core/],
    ['electron/load/example.ts', "import { createKubernetesReader } from '../substrates/kubernetes/index.ts';\nexport const x = createKubernetesReader;", /may not import electron\/substrates/],
    ['electron/base/example.ts', "import { readParity } from '../core/rules/parity.ts';\nexport const x = readParity;", /may not import electron\/core/],
    ['shared/model/example.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", /may not import Node's node:fs/],
    ['shared/model/example.ts', "import { join } from 'path';\nexport const x = join;", /may not import Node's path/],
    ['shared/model/example.ts', "import { ScaledClock } from '../../electron/base/clock.ts';\nexport const x = ScaledClock;", /may not import electron\/base/],
    ['renderer/src/example.ts', "import { history } from '../../electron/core/records/history.ts';\nexport const x = history;", /renderer\/ may not import electron/],
    ['renderer/src/example.ts', "import { KubeConfig } from '@kubernetes/client-node';\nexport const x = KubeConfig;", /may not import the package @kubernetes\/client-node/],
  ])('refuses in %s: %s', async (file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['electron/core/run/example.ts', "import { ScaledClock } from '../../base/clock.ts';\nimport { planApp } from '../rules/plan.ts';\nexport const x = [ScaledClock, planApp];"],
    ['electron/headless/example.ts', "import { startSandbox } from '../sandbox/index.ts';\nexport const x = startSandbox;"],
    ['renderer/src/example.ts', "import { reduceRunEvent } from '../../shared/model/run-reducer.ts';\nexport const x = reduceRunEvent;"],
  ])('allows in %s what its row permits', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});

describe('import cycles', () => {
  it('the graph of shared/, electron/ and renderer/ has none', () => {
    const graph = importGraph(ROOT, ['shared', 'electron', 'renderer/src']);
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
