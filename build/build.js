#!/usr/bin/env node
// npm run build: the renderer (Vite → out/renderer), the Electron main process (esbuild → out/main/index.cjs),
// the sandboxed preload (esbuild → out/preload/index.cjs) and the `conductor` CLI (esbuild → out/cli).
//   node build/build.js               build all four
//   node build/build.js --renderer    only the renderer
//   node build/build.js --cli         only the CLI (the `prepare` script: npm install / npm ci leave it built)
//   node build/build.js --if-needed   skip the renderer when out/renderer is newer than its sources
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mainOptions, preloadOptions } from './esbuild-options.js';
import { buildCli, CLI_DIR } from './cli-bundle.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const onlyRenderer = args.has('--renderer');
const onlyCli = args.has('--cli');
const ifNeeded = args.has('--if-needed');

function newestMtime(dir) {
  let newest = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

function rendererUpToDate() {
  const index = join(root, 'out', 'renderer', 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  return [join(root, 'renderer'), join(root, 'shared')].every((d) => newestMtime(d) <= built);
}

async function buildRenderer() {
  if (ifNeeded && rendererUpToDate()) {
    console.log('renderer: up to date (out/renderer)');
    return;
  }
  const t0 = Date.now();
  await viteBuild({ configFile: join(root, 'build', 'vite.config.ts'), logLevel: 'warn' });
  console.log(`renderer: out/renderer (${Date.now() - t0} ms)`);
}

async function buildMain() {
  const t0 = Date.now();
  await esbuild(mainOptions(root));
  console.log(`main: out/main/index.cjs (${Date.now() - t0} ms)`);
}

async function buildPreload() {
  const t0 = Date.now();
  await esbuild(preloadOptions(root));
  console.log(`preload: out/preload/index.cjs (${Date.now() - t0} ms)`);
}

async function buildCliBundle() {
  console.log(`cli: ${CLI_DIR} (${await buildCli(root)} ms)`);
}

try {
  if (onlyCli) await buildCliBundle();
  else {
    await buildRenderer();
    if (!onlyRenderer) {
      await buildMain();
      await buildPreload();
      await buildCliBundle();
    }
  }
} catch (err) {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
