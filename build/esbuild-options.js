// esbuild options for the Electron main process and the preload, shared by build.js and the
// main-bundle smoke test (test/unit/main/main-bundle.test.ts).
import { join } from 'node:path';

// import.meta.url in the ESM sources, for the CommonJS bundles
const importMetaShim = { 'import.meta.url': '__conductor_import_meta_url' };
const importMetaBanner = "const __conductor_import_meta_url = require('node:url').pathToFileURL(__filename).href;";

/**
 * main: CommonJS, everything but electron and the native better-sqlite3 bundled (ESM-only packages
 * become CommonJS, no require(esm) needed). better-sqlite3 loads its .node binary from its package:
 * electron-builder packs it (rebuilt for Electron, unpacked from the asar: build/electron-builder.yml).
 */
export const NATIVE_EXTERNALS = ['better-sqlite3'];

export function mainOptions(root, outfile = join(root, 'out', 'main', 'index.cjs')) {
  return {
    entryPoints: [join(root, 'electron', 'main', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron', ...NATIVE_EXTERNALS],
    mainFields: ['module', 'main'],
    define: importMetaShim,
    banner: { js: importMetaBanner },
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

/** preload: CommonJS; a sandboxed preload can require('electron') and nothing else, so the rest is bundled */
export function preloadOptions(root, outfile = join(root, 'out', 'preload', 'index.cjs')) {
  return {
    entryPoints: [join(root, 'electron', 'preload', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome120',
    external: ['electron'],
    minify: true,
    logLevel: 'warning',
  };
}
