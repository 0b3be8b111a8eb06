import { z } from 'zod';
import { environmentChoiceSchema, type EnvironmentChoice, type SettingsDto } from '../../shared/contract/settings.ts';
import { settingsOver, type KeyValueStore, type SettingsStore } from '../core/service/settings-store.ts';

export type { KeyValueStore } from '../core/service/settings-store.ts';

/**
 * The desktop app's settings (electron-store in the app; any get/set store in tests): the
 * environments choice — kubeconfig paths and contexts, AWS profiles and regions, the Locust URL —
 * recent specs and window state. Never secrets: the environments and recent specs are validated
 * with the shared settings schema (shared/contract/settings.ts), which refuses anything that looks
 * like a key, token or credentials-bearing URL; credentials are read from kubeconfig and the AWS
 * chain when a run uses them. `settings:get` / `settings:set` are served from here in Electron,
 * by the one settings store (electron/core/service/settings-store.ts) over electron-store.
 */

export const windowStateSchema = z
  .object({
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    width: z.number().int().min(400).max(10_000),
    height: z.number().int().min(300).max(10_000),
    maximized: z.boolean(),
  })
  .strict();

export type WindowState = z.infer<typeof windowStateSchema>;

export interface Settings extends SettingsDto {
  window: WindowState;
}

export const DEFAULT_WINDOW: WindowState = { width: 1360, height: 900, maximized: false };

export interface SettingsApi extends SettingsStore {
  read(): Settings;
  setEnvironments(envs: EnvironmentChoice): void;
  addRecentSpec(path: string): string[];
  setWindow(state: WindowState): void;
}

export function createSettings(store: KeyValueStore): SettingsApi {
  const settings = settingsOver(store);
  const window = (): WindowState => {
    const parsed = windowStateSchema.safeParse(store.get('window'));
    return parsed.success ? parsed.data : DEFAULT_WINDOW;
  };
  return {
    read: () => ({ ...settings.read(), window: window() }),
    get: async () => settings.read(),
    set: async (patch) => settings.apply(patch),
    setEnvironments(envs) {
      store.set('environments', environmentChoiceSchema.parse(envs));
    },
    addRecentSpec: (path) => settings.addRecentSpec(path),
    setWindow(state) {
      const parsed = windowStateSchema.safeParse(state);
      if (parsed.success) store.set('window', parsed.data);
    },
  };
}
