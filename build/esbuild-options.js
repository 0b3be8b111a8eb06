// esbuild options for the Electron main process, the preload and the `conductor` CLI, shared by
// build.js, cli-bundle.js and the main-bundle smoke test (test/unit/main/main-bundle.test.ts).
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

/** the CLI: ESM split into chunks (dynamic imports load on use); the Kubernetes and AWS clients stay in node_modules */
export function cliOptions(root, outdir = join(root, 'out', 'cli')) {
  return {
    entryPoints: { conductor: join(root, 'electron', 'headless', 'cli.ts') },
    outdir,
    // the metafile's paths relative to the project, wherever the build is started from
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // the Kubernetes and AWS clients stay in node_modules (large, loaded by the commands that use them),
    // and so does the native better-sqlite3 (it finds its .node binary from its own package);
    // the small packages every command needs (commander, yaml, zod) are bundled: fewer files to resolve at start
    external: ['@kubernetes/*', '@aws-sdk/*', '@smithy/*', ...NATIVE_EXTERNALS],
    mainFields: ['module', 'main'],
    // bundled CommonJS packages call require() for Node's modules
    banner: { js: "import { createRequire as __conductorRequire } from 'node:module'; const require = __conductorRequire(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
}
