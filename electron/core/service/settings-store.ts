import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSettingsPatch, settingsFromStored, type SettingsDto, type SettingsPatch } from '../../../shared/contract/settings.ts';
import { writeFileAtomic } from '../../base/fs-atomic.ts';

/**
 * Settings for `conductor serve` (and any host without electron-store): one small JSON file in
 * the data directory (`settings.json`), written atomically (temp file, fsync, rename), writes
 * applied one at a time in call order. Only what `settings:set` validates is stored — names,
 * paths and URLs, never secrets. A missing or corrupt file reads as the defaults.
 */
export interface SettingsStore {
  get(): Promise<SettingsDto>;
  /** replace the sections present in the patch; returns the settings after the change */
  set(patch: SettingsPatch): Promise<SettingsDto>;
}

export const SETTINGS_FILE = 'settings.json';
const MAX_FILE_BYTES = 256 * 1024;

export function createFileSettingsStore(dataDir: string): SettingsStore {
  const file = join(dataDir, SETTINGS_FILE);
  let queue: Promise<unknown> = Promise.resolve();

  const read = async (): Promise<SettingsDto> => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return settingsFromStored({});
    }
    if (text.length > MAX_FILE_BYTES) return settingsFromStored({});
    try {
      const raw = JSON.parse(text) as unknown;
      return settingsFromStored(raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {});
    } catch {
      return settingsFromStored({});
    }
  };

  return {
    get: () => read(),
    async set(patch) {
      // validated here too: the store is also called without a transport in front of it
      const valid = parseSettingsPatch(patch);
      const next = queue.then(async () => {
        const current = await read();
        const updated: SettingsDto = {
          environments: valid.environments ?? current.environments,
          recentSpecs: valid.recentSpecs ?? current.recentSpecs,
        };
        await writeFileAtomic(file, JSON.stringify(updated, null, 2) + '\n');
        return updated;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
