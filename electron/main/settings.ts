import { z } from 'zod';
import {
  environmentChoiceSchema,
  MAX_RECENT_SPECS,
  parseSettingsPatch,
  settingsFromStored,
  settingsPatchSchema,
  type EnvironmentChoice,
  type SettingsDto,
  type SettingsPatch,
} from '../../shared/contract/settings.ts';
import type { SettingsStore } from '../core/service/settings-store.ts';

/**
 * The desktop app's settings (electron-store in the app; any get/set store in tests): the
 * environments choice — kubeconfig paths and contexts, AWS profiles and regions, the Locust URL —
 * recent specs and window state. Never secrets: the environments and recent specs are validated
 * with the shared settings schema (shared/contract/settings.ts), which refuses anything that looks
 * like a key, token or credentials-bearing URL; credentials are read from kubeconfig and the AWS
 * chain when a run uses them. `settings:get` / `settings:set` are served from here in Electron.
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

/** What electron-store offers (and a Map-backed stand-in in tests). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface SettingsApi extends SettingsStore {
  read(): Settings;
  setEnvironments(envs: EnvironmentChoice): void;
  addRecentSpec(path: string): string[];
  setWindow(state: WindowState): void;
}

export function createSettings(store: KeyValueStore): SettingsApi {
  const dto = (): SettingsDto => settingsFromStored({ environments: store.get('environments'), recentSpecs: store.get('recentSpecs') });
  const window = (): WindowState => {
    const parsed = windowStateSchema.safeParse(store.get('window'));
    return parsed.success ? parsed.data : DEFAULT_WINDOW;
  };
  const apply = (patch: SettingsPatch): SettingsDto => {
    const valid = parseSettingsPatch(patch);
    if (valid.environments) store.set('environments', valid.environments);
    if (valid.recentSpecs) store.set('recentSpecs', valid.recentSpecs);
    return dto();
  };
  return {
    read: () => ({ ...dto(), window: window() }),
    get: async () => dto(),
    set: async (patch) => apply(patch),
    setEnvironments(envs) {
      store.set('environments', environmentChoiceSchema.parse(envs));
    },
    addRecentSpec(path) {
      const next = [path, ...dto().recentSpecs.filter((p) => p !== path)].slice(0, MAX_RECENT_SPECS);
      const checked = settingsPatchSchema.safeParse({ recentSpecs: next });
      // a path the schema refuses (it looks like a secret) is simply not remembered
      return checked.success ? apply(checked.data).recentSpecs : dto().recentSpecs;
    },
    setWindow(state) {
      const parsed = windowStateSchema.safeParse(state);
      if (parsed.success) store.set('window', parsed.data);
    },
  };
}
