import { create } from 'zustand';
import type { PendingRecoveryDto } from '../../../shared/contract/index.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';

/** Runs that did not finish (a crash, a kill): offered for restore. */
export interface RecoveryState {
  pending: PendingRecoveryDto[];
  busy: string | null;
  message: string | null;
  load(): Promise<void>;
  restore(runId: string): Promise<void>;
}

export const useRecoveryStore = create<RecoveryState>((set, get) => ({
  pending: [],
  busy: null,
  message: null,
  async load() {
    try {
      set({ pending: await getApi().invoke('recovery:list', {}) });
    } catch (err) {
      set({ message: errorMessage(err) });
    }
  },
  async restore(runId) {
    set({ busy: runId, message: null });
    try {
      const res = await getApi().invoke('recovery:restore', { runId });
      set({ message: res.message });
      await get().load();
    } catch (err) {
      set({ message: errorMessage(err) });
    } finally {
      set({ busy: null });
    }
  },
}));
