#!/usr/bin/env node
// The `conductor` command: runs the built CLI (out/cli: esbuild, see build/cli-bundle.js), so it
// starts without compiling anything. `npm install` builds it (the `prepare` script); a checkout
// also builds it here on first use, and again when a source file is newer than the bundle.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCli, cliBundleState, CLI_DIR, CLI_ENTRY } from '../build/cli-bundle.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const state = cliBundleState(root);
if (state !== 'fresh') {
  try {
    await buildCli(root);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (state === 'missing') {
      console.error(`conductor: the CLI is not built and building it failed (${why}); run \`npm install\` (or \`npm run build\`) in ${root}`);
      process.exit(3);
    }
    console.error(`conductor: warning: the sources changed but rebuilding the CLI failed (${why}); running the last build`);
  }
}
// stack traces (--debug) point into the TypeScript sources
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(join(root, CLI_DIR, CLI_ENTRY)).href);
process.exitCode = await main(process.argv);
