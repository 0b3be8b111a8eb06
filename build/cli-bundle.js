// The `conductor` CLI as built JavaScript (esbuild, like main and preload; the options are in
// esbuild-options.js): ESM split into chunks, so what a command imports dynamically (the Kubernetes
// and AWS clients, the sandbox, the service) loads only when that command runs. Built by
// `npm run build` (and `prepare`, so `npm install`/`npm ci` leave it ready), by bin/conductor.js
// when the bundle is missing or older than its sources, and once by the test suite's global setup.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliOptions } from './esbuild-options.js';

/** where the bundle lives, relative to the project root */
export const CLI_DIR = join('out', 'cli');
export { cliOptions };
/** the entry the bin imports */
export const CLI_ENTRY = 'conductor.js';
/** the source files the bundle was built from (for the freshness check) */
const INPUTS_FILE = 'inputs.json';

/** 'missing', 'stale' (a source is newer than the bundle, or the list of sources is gone) or 'fresh' */
const BUILD_INPUTS = ['build/esbuild-options.js', 'build/cli-bundle.js', 'package-lock.json'];

export function cliBundleState(root) {
  const dir = join(root, CLI_DIR);
  let built;
  try {
    built = statSync(join(dir, CLI_ENTRY)).mtimeMs;
  } catch {
    return 'missing';
  }
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(dir, INPUTS_FILE), 'utf8'));
  } catch {
    return 'stale';
  }
  for (const file of inputs) {
    try {
      if (statSync(join(root, file)).mtimeMs > built) return 'stale';
    } catch {
      return 'stale';
    }
  }
  // what decides how the sources are bundled (this config, the locked dependencies), where present
  for (const file of BUILD_INPUTS) {
    try {
      if (statSync(join(root, file)).mtimeMs > built) return 'stale';
    } catch {
      // not in this checkout: nothing to compare
    }
  }
  return 'fresh';
}

/**
 * Build the bundle into a fresh folder, then move it into place: chunks first (content-hashed
 * names), the entry last by rename, so a conductor starting meanwhile runs the old bundle or the
 * new one, never half of one. Returns the build's duration in ms.
 */
export async function buildCli(root, { esbuild } = {}) {
  const { build } = esbuild ?? (await import('esbuild'));
  const t0 = Date.now();
  const dir = join(root, CLI_DIR);
  const staging = join(root, 'out', `.cli-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    const result = await build(cliOptions(root, staging));
    // relative to the root (absWorkingDir); the packages are not ours to watch
    const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules'));
    mkdirSync(join(dir, 'chunks'), { recursive: true });
    const fresh = new Set();
    for (const name of readdirSync(join(staging, 'chunks'))) {
      fresh.add(name);
      renameSync(join(staging, 'chunks', name), join(dir, 'chunks', name));
    }
    for (const name of readdirSync(staging)) {
      if (name !== 'chunks' && name !== CLI_ENTRY) renameSync(join(staging, name), join(dir, name));
    }
    writeFileSync(join(dir, INPUTS_FILE), JSON.stringify(inputs));
    renameSync(join(staging, CLI_ENTRY), join(dir, CLI_ENTRY));
    for (const name of readdirSync(join(dir, 'chunks'))) {
      if (!fresh.has(name)) rmSync(join(dir, 'chunks', name), { force: true });
    }
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
  return Date.now() - t0;
}
