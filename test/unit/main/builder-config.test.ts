import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The installers' configuration (build/electron-builder.yml) hardens the packaged Electron: the
 * fuses that turn the app into a plain Node or a debuggable process are off, code loads only from
 * an integrity-checked app.asar — and electron-builder itself (its own schema check) accepts it.
 */

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CONFIG = join(ROOT, 'build', 'electron-builder.yml');

interface BuilderConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, logger: unknown): Promise<void>;
}

const require = createRequire(import.meta.url);
const builder = () => require('app-builder-lib/out/util/config/config.js') as BuilderConfigModule;
const debugLogger = () => new (require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown }).DebugLogger(false);

describe('electron-builder configuration', () => {
  const config = parse(readFileSync(CONFIG, 'utf8')) as { asar: boolean; files: string[]; electronFuses: Record<string, boolean> };

  it('flips the fuses: no run-as-node, NODE_OPTIONS or --inspect; cookies encrypted; code only from an integrity-checked app.asar', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      loadBrowserProcessSpecificV8Snapshot: false,
    });
  });

  it('packs the built app only, without source maps', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', '!**/*.map']));
  });

  it('is accepted by electron-builder, and a misspelt fuse is not', async () => {
    const { getConfig, validateConfiguration } = builder();
    const loaded = await getConfig(ROOT, CONFIG, null);
    await expect(validateConfiguration(loaded, debugLogger())).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...loaded, electronFuses: { runAsNod: false } }, debugLogger())).rejects.toThrow(/configuration object that does not match the API schema/);
  });
});
