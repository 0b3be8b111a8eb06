export const CLI_DIR: string;
export const CLI_ENTRY: string;
export { cliOptions } from './esbuild-options.js';
export function cliBundleState(root: string): 'missing' | 'stale' | 'fresh';
export function buildCli(root: string, opts?: { esbuild?: { build: typeof import('esbuild').build } }): Promise<number>;
