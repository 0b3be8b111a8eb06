import { create } from 'zustand';
import type { RunComparisonDto } from '../../../shared/contract/index.ts';
import type { RunReport, RunSummary } from '../../../shared/model/run.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';

/** Past runs, one opened report, and a comparison of two runs. */
export interface HistoryState {
  runs: RunSummary[];
  selected: RunReport | null;
  compareIds: string[];
  comparison: RunComparisonDto | null;
  error: string | null;
  load(): Promise<void>;
  open(runId: string): Promise<void>;
  close(): void;
  toggleCompare(runId: string): void;
  compare(): Promise<void>;
}

export const useHistoryStore = create<HistoryState>((set, get) => ({
  runs: [],
  selected: null,
  compareIds: [],
  comparison: null,
  error: null,
  async load() {
    try {
      set({ runs: await getApi().invoke('history:list', {}), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async open(runId) {
    try {
      set({ selected: await getApi().invoke('history:get', { runId }), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  close() {
    set({ selected: null });
  },
  toggleCompare(runId) {
    const ids = get().compareIds;
    set({ compareIds: ids.includes(runId) ? ids.filter((i) => i !== runId) : [...ids, runId].slice(-2), comparison: null });
  },
  async compare() {
    // the older run is the baseline: changes read as "the newer run against the older one"
    const started = (id: string) => get().runs.find((r) => r.runId === id)?.startedAt ?? '';
    const [a, b] = [...get().compareIds].sort((x, y) => started(x).localeCompare(started(y)));
    if (!a || !b) return;
    try {
      set({ comparison: await getApi().invoke('history:compare', { a, b }), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
}));
