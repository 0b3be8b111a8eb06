import { z } from 'zod';

/**
 * The cockpit's settings (electron-store in the app; any get/set store in tests): environments —
 * kubeconfig paths and contexts, AWS profiles and regions, Locust URLs — recent specs and window
 * state. Never secrets: only names, paths and URLs without credentials are accepted; credentials
 * are read from kubeconfig and the AWS chain when a run uses them.
 */
const noCredentialsUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'an http:// or https:// URL')
  .refine((u) => {
    const parsed = new URL(u);
    return parsed.username === '' && parsed.password === '' && parsed.search === '';
  }, 'a URL without credentials or query parameters');

const nameLike = z.string().min(1).max(253).regex(/^[^\s]+$/, 'a name without spaces');

export const environmentsSettingsSchema = z
  .object({
    kubeconfigs: z.array(z.object({ path: z.string().min(1).max(4096), contexts: z.array(nameLike).max(200) }).strict()).max(20),
    aws: z.array(z.object({ profile: nameLike, region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region') }).strict()).max(50),
    locustUrls: z.array(noCredentialsUrl).max(20),
  })
  .strict();

export const windowStateSchema = z
  .object({
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    width: z.number().int().min(400).max(10_000),
    height: z.number().int().min(300).max(10_000),
    maximized: z.boolean(),
  })
  .strict();

export const settingsSchema = z
  .object({
    environments: environmentsSettingsSchema,
    recentSpecs: z.array(z.string().min(1).max(4096)).max(10),
    window: windowStateSchema,
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type EnvironmentsSettings = Settings['environments'];
export type WindowState = Settings['window'];

export const DEFAULT_SETTINGS: Settings = {
  environments: { kubeconfigs: [], aws: [], locustUrls: [] },
  recentSpecs: [],
  window: { width: 1360, height: 900, maximized: false },
};

/** What electron-store offers (and a Map-backed stand-in in tests). */
export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface SettingsApi {
  read(): Settings;
  setEnvironments(envs: EnvironmentsSettings): void;
  addRecentSpec(path: string): string[];
  setWindow(state: WindowState): void;
}

const MAX_RECENT = 10;

export function createSettings(store: KeyValueStore): SettingsApi {
  const section = <K extends keyof Settings>(key: K): Settings[K] => {
    const parsed = settingsSchema.shape[key].safeParse(store.get(key));
    return parsed.success ? (parsed.data as Settings[K]) : DEFAULT_SETTINGS[key];
  };
  return {
    read: () => ({ environments: section('environments'), recentSpecs: section('recentSpecs'), window: section('window') }),
    setEnvironments(envs) {
      store.set('environments', environmentsSettingsSchema.parse(envs));
    },
    addRecentSpec(path) {
      const next = [path, ...section('recentSpecs').filter((p) => p !== path)].slice(0, MAX_RECENT);
      store.set('recentSpecs', next);
      return next;
    },
    setWindow(state) {
      const parsed = windowStateSchema.safeParse(state);
      if (parsed.success) store.set('window', parsed.data);
    },
  };
}
