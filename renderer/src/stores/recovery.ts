import { create } from 'zustand';
import type { PendingRecoveryDto } from '../../../shared/contract/index.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';

/** Runs that did not finish (a crash, a kill): offered for restore. */
export interface RecoveryState {
  pending: PendingRecoveryDto[];
  busy: string | null;
  message: string | null;
  /** the last restore's outcome: restored (true), not (false), or no restore yet (null) */
  restored: boolean | null;
  load(): Promise<void>;
  dismiss(): void;
  restore(runId: string): Promise<void>;
}

export const useRecoveryStore = create<RecoveryState>((set, get) => ({
  pending: [],
  busy: null,
  message: null,
  restored: null,
  dismiss() {
    set({ message: null, restored: null });
  },
  async load() {
    try {
      set({ pending: await getApi().invoke('recovery:list', {}) });
    } catch (err) {
      set({ message: errorMessage(err) });
    }
  },
  async restore(runId) {
    set({ busy: runId, message: null, restored: null });
    try {
      const res = await getApi().invoke('recovery:restore', { runId });
      set({ message: res.message, restored: res.restored });
      await get().load();
    } catch (err) {
      set({ message: errorMessage(err), restored: false });
    } finally {
      set({ busy: null });
    }
  },
}));
