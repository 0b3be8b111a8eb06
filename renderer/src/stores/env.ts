import { create } from 'zustand';
import { DEFAULT_SETTINGS_DTO, SANDBOX_CONTEXT, type EnvironmentChoice, type EnvironmentsDto } from '../../../shared/contract/index.ts';
import { getApi } from '../api/index.ts';
import { toApiError } from '../api/errors.ts';

/**
 * Environments: context and profile NAMES from env:list, and the user's choice for production and
 * test (kubeconfig context and path, AWS profile and region, Locust URL), persisted by the
 * conductor through settings:get / settings:set (electron-store in the app, settings.json in
 * `conductor serve`). The sandbox is the choice on first start.
 */
export const SANDBOX = SANDBOX_CONTEXT;

export type Side = 'production' | 'test';

export interface EnvState {
  envs: EnvironmentsDto | null;
  choice: EnvironmentChoice;
  /** the choice was read from the conductor (false until settings:get answered) */
  loaded: boolean;
  saving: boolean;
  /** last save: when it succeeded, or the problem */
  saved: 'ok' | null;
  error: string | null;
  /** field paths (e.g. "environments.test.awsRegion") the last save refused */
  invalid: string[];
  load(): Promise<void>;
  /** change one side (or the Locust URL) and persist the whole choice */
  select(patch: { production?: EnvironmentChoice['production']; test?: EnvironmentChoice['test']; locustUrl?: string | undefined }): Promise<void>;
}

const FIELD_LABELS: Record<string, string> = {
  'environments.locustUrl': 'the Locust master URL',
  ...Object.fromEntries(
    (['production', 'test'] as const).flatMap((side) => {
      const t = side === 'production' ? 'Production' : 'Test';
      return [
        [`environments.${side}.context`, `${t} Kubernetes context`],
        [`environments.${side}.kubeconfig`, `${t} kubeconfig file`],
        [`environments.${side}.awsProfile`, `${t} AWS profile`],
        [`environments.${side}.awsRegion`, `${t} AWS region`],
      ];
    }),
  ),
};

/** saves answer out of order (a refused one is fast, a written one waits for the disk): only the latest counts */
let saveSeq = 0;

const clean = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;

export const useEnvStore = create<EnvState>((set, get) => ({
  envs: null,
  choice: DEFAULT_SETTINGS_DTO.environments,
  loaded: false,
  saving: false,
  saved: null,
  error: null,
  invalid: [],
  async load() {
    const api = getApi();
    const [envs, settings] = await Promise.allSettled([api.invoke('env:list', {}), api.invoke('settings:get', {})]);
    const problems: string[] = [];
    if (envs.status === 'fulfilled') set({ envs: envs.value });
    else problems.push(toApiError(envs.reason).message);
    if (settings.status === 'fulfilled') set({ choice: settings.value.environments, loaded: true });
    else problems.push(`the saved environments could not be read: ${toApiError(settings.reason).message}`);
    set({ error: problems.length ? problems.join('; ') : null });
  },
  async select(patch) {
    const prev = get().choice;
    const choice: EnvironmentChoice = clean({
      production: clean({ ...prev.production, ...(patch.production ?? {}) }),
      test: clean({ ...prev.test, ...(patch.test ?? {}) }),
      locustUrl: 'locustUrl' in patch ? patch.locustUrl : prev.locustUrl,
    });
    const seq = ++saveSeq;
    set({ choice, saving: true, saved: null });
    try {
      const res = await getApi().invoke('settings:set', { environments: choice });
      if (seq !== saveSeq) return;
      if (get().choice === choice) set({ choice: res.environments });
      set({ saved: 'ok', error: null, invalid: [] });
    } catch (err) {
      if (seq !== saveSeq) return;
      const e = toApiError(err);
      // the refused fields travel as details.issues over both transports
      const issues = e.issues;
      const first = issues[0];
      const label = first ? FIELD_LABELS[first.path] : undefined;
      const text = first && label ? (/^an? /.test(first.message) ? `${label} must be ${first.message}` : `${label}: ${first.message}`) : e.message;
      const invalid = issues.map((i) => i.path);
      set({ saved: null, error: `Not saved: ${text.replace(/\.$/, '')}.`, invalid });
    } finally {
      if (seq === saveSeq) set({ saving: false });
    }
  },
}));

export interface SpecEdit {
  path: (string | number)[];
  value: unknown;
}

/**
 * The spec edits that apply an environment choice: the sandbox (both sides), or the production
 * and test kubeconfig contexts and paths, AWS profiles and regions, and the Locust URL.
 * Returns an error message when the choice cannot be applied as it stands.
 */
export function editsForChoice(choice: EnvironmentChoice, sandboxTimeScale: number, specHasSandbox: boolean): { edits: SpecEdit[]; error: string | null } {
  const pSandbox = choice.production.context === SANDBOX;
  const tSandbox = choice.test.context === SANDBOX;
  if (pSandbox !== tSandbox) return { edits: [], error: 'Choose the sandbox for both production and test, or a real context for both.' };
  if (pSandbox) {
    return { edits: specHasSandbox ? [] : [{ path: ['spec', 'sandbox', 'timeScale'], value: sandboxTimeScale }], error: null };
  }
  const edits: SpecEdit[] = [{ path: ['spec', 'sandbox'], value: undefined }];
  for (const side of ['production', 'test'] as const) {
    const c = choice[side];
    if (c.context) {
      edits.push({ path: ['spec', side, 'kubernetes', 'context'], value: c.context });
      edits.push({ path: ['spec', side, 'kubernetes', 'kubeconfig'], value: c.kubeconfig });
    } else {
      edits.push({ path: ['spec', side, 'kubernetes'], value: undefined });
    }
    if (c.awsProfile || c.awsRegion) {
      edits.push({ path: ['spec', side, 'ecs', 'profile'], value: c.awsProfile });
      edits.push({ path: ['spec', side, 'ecs', 'region'], value: c.awsRegion });
    }
  }
  if (choice.locustUrl) edits.push({ path: ['spec', 'load', 'locust', 'url'], value: choice.locustUrl });
  return { edits, error: null };
}
