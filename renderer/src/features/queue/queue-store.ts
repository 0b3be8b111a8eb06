import { create } from 'zustand';
import type { QueueListDto } from '../../../../shared/contract/index.ts';
import { getApi } from '../../api/index.ts';
import { errorMessage } from '../../api/errors.ts';

/** The server's run queue, trigger log and schedules (queue:list), and cancelling a queued run (queue:cancel). */
export interface QueueState {
  data: QueueListDto | null;
  error: string | null;
  message: string | null;
  load(): Promise<void>;
  cancel(id: number): Promise<void>;
}

export const useQueueStore = create<QueueState>((set, get) => ({
  data: null,
  error: null,
  message: null,
  async load() {
    try {
      set({ data: await getApi().invoke('queue:list', {}), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async cancel(id) {
    try {
      const r = await getApi().invoke('queue:cancel', { id });
      set({ message: r.message, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
    await get().load();
  },
}));
