import type { BuildOptions } from 'esbuild';
export function mainOptions(root: string, outfile?: string): BuildOptions;
export function preloadOptions(root: string, outfile?: string): BuildOptions;
export function cliOptions(root: string, outdir?: string): BuildOptions;
export const NATIVE_EXTERNALS: string[];
