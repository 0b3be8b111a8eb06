import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_RECENT_SPECS, parseSettingsPatch, settingsFromStored, settingsPatchSchema, type SettingsDto, type SettingsPatch } from '../../../shared/contract/settings.ts';
import { writeFileAtomic } from '../../base/fs-atomic.ts';

/**
 * The one settings store, over any key-value store: electron-store in the desktop app
 * (electron/main/settings.ts adds the window state), and for `conductor serve` (and any host
 * without electron-store) one small JSON file in the data directory (`settings.json`), written
 * atomically (temp file, fsync, rename), writes applied one at a time in call order. Only what
 * `settings:set` validates is stored — names, paths and URLs, never secrets. A missing or corrupt
 * file or section reads as the defaults.
 */
export interface SettingsStore {
  get(): Promise<SettingsDto>;
  /** replace the sections present in the patch; returns the settings after the change */
  set(patch: SettingsPatch): Promise<SettingsDto>;
}

/** What electron-store offers (and a Map-backed stand-in in tests; the settings file's contents in serve). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** The settings rules over a key-value store: lenient reads, validated patches, the recent-specs list. */
export function settingsOver(store: KeyValueStore) {
  const read = (): SettingsDto => settingsFromStored({ environments: store.get('environments'), recentSpecs: store.get('recentSpecs') });
  const apply = (patch: unknown): SettingsDto => {
    // validated here too: the store is also called without a transport in front of it
    const valid = parseSettingsPatch(patch);
    if (valid.environments) store.set('environments', valid.environments);
    if (valid.recentSpecs) store.set('recentSpecs', valid.recentSpecs);
    return read();
  };
  return {
    read,
    apply,
    /** put a spec path first in the recent list (at most MAX_RECENT_SPECS); a path that looks like a secret is not remembered */
    addRecentSpec(path: string): string[] {
      const next = [path, ...read().recentSpecs.filter((p) => p !== path)].slice(0, MAX_RECENT_SPECS);
      const checked = settingsPatchSchema.safeParse({ recentSpecs: next });
      return checked.success ? apply(checked.data).recentSpecs : read().recentSpecs;
    },
  };
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
      // refused at once, ahead of queued writes
      const valid = parseSettingsPatch(patch);
      const next = queue.then(async () => {
        const contents = new Map<string, unknown>(Object.entries(await read()));
        const updated = settingsOver({ get: (k) => contents.get(k), set: (k, v) => void contents.set(k, v) }).apply(valid);
        await writeFileAtomic(file, JSON.stringify(updated, null, 2) + '\n');
        return updated;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
