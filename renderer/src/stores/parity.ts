import { create } from 'zustand';
import type { ParityReport } from '../../../shared/model/parity.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';

/** Parity reports: before the run (parity:read or the run's own), live during deploy/scale, after restore. */
export type ParityWhen = 'before' | 'during' | 'after';

export interface ParityState {
  reports: Partial<Record<ParityWhen, ParityReport>>;
  view: ParityWhen;
  driftOnly: boolean;
  loading: boolean;
  error: string | null;
  read(text: string): Promise<void>;
  apply(when: ParityWhen, report: ParityReport): void;
  setView(view: ParityWhen): void;
  setDriftOnly(on: boolean): void;
  clearRun(): void;
}

export const useParityStore = create<ParityState>((set, get) => ({
  reports: {},
  view: 'before',
  driftOnly: false,
  loading: false,
  error: null,
  async read(text) {
    set({ loading: true, error: null });
    try {
      const report = await getApi().invoke('parity:read', { text });
      set({ reports: { before: report }, view: 'before', loading: false });
    } catch (err) {
      set({ loading: false, error: errorMessage(err) });
    }
  },
  apply(when, report) {
    set({ reports: { ...get().reports, [when]: report }, view: when });
  },
  setView(view) {
    set({ view });
  },
  setDriftOnly(on) {
    set({ driftOnly: on });
  },
  clearRun() {
    const before = get().reports.before;
    set({ reports: before ? { before } : {}, view: 'before' });
  },
}));
