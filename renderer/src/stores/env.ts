import { create } from 'zustand';
import type { EnvironmentsDto } from '../../../shared/contract/index.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';

/** Environments: context and profile NAMES from env:list, and the user's choice (sandbox first). */
export const SANDBOX = 'sandbox';

export interface EnvSelection {
  productionContext: string;
  testContext: string;
  productionProfile: string;
  testProfile: string;
}

export const DEFAULT_SELECTION: EnvSelection = { productionContext: SANDBOX, testContext: SANDBOX, productionProfile: '', testProfile: '' };
const KEY = 'conductor.environments';

function loadSelection(): EnvSelection {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return DEFAULT_SELECTION;
    const v = JSON.parse(raw) as Partial<EnvSelection>;
    const str = (x: unknown, d: string) => (typeof x === 'string' && x.length < 254 ? x : d);
    return {
      productionContext: str(v.productionContext, SANDBOX),
      testContext: str(v.testContext, SANDBOX),
      productionProfile: str(v.productionProfile, ''),
      testProfile: str(v.testProfile, ''),
    };
  } catch {
    return DEFAULT_SELECTION;
  }
}

export interface EnvState {
  envs: EnvironmentsDto | null;
  selection: EnvSelection;
  error: string | null;
  load(): Promise<void>;
  select(patch: Partial<EnvSelection>): void;
}

export const useEnvStore = create<EnvState>((set, get) => ({
  envs: null,
  selection: loadSelection(),
  error: null,
  async load() {
    try {
      set({ envs: await getApi().invoke('env:list', {}), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  select(patch) {
    const selection = { ...get().selection, ...patch };
    set({ selection });
    try {
      localStorage.setItem(KEY, JSON.stringify(selection));
    } catch {
      /* not persisted */
    }
  },
}));
