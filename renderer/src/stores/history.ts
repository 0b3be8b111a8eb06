import { create } from 'zustand';
import type { RunComparisonDto } from '../../../shared/contract/index.ts';
import type { RunReport, RunSummary } from '../../../shared/model/run.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';
import { MAX_COMPARE } from './route.ts';

/** Past runs, one opened report, and a comparison of 2–5 runs (the oldest is the baseline). */
export interface Comparison {
  /** the runs' reports, oldest first */
  reports: RunReport[];
  /** the baseline (oldest) against each later run, in the same order as reports.slice(1) */
  pairs: RunComparisonDto[];
}

export interface HistoryState {
  runs: RunSummary[];
  selected: RunReport | null;
  compareIds: string[];
  comparison: Comparison | null;
  error: string | null;
  load(): Promise<void>;
  open(runId: string): Promise<void>;
  close(): void;
  toggleCompare(runId: string): void;
  compare(ids?: string[]): Promise<void>;
}

let openSeq = 0;
let compareSeq = 0;

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
    const seq = ++openSeq;
    try {
      const report = await getApi().invoke('history:get', { runId });
      if (seq === openSeq) set({ selected: report, error: null });
    } catch (err) {
      if (seq === openSeq) set({ selected: null, error: errorMessage(err) });
    }
  },
  close() {
    openSeq++;
    set({ selected: null });
  },
  toggleCompare(runId) {
    const ids = get().compareIds;
    set({ compareIds: ids.includes(runId) ? ids.filter((i) => i !== runId) : [...ids, runId].slice(-MAX_COMPARE) });
  },
  async compare(ids = get().compareIds) {
    const seq = ++compareSeq;
    if (ids.length < 2) return set({ comparison: null });
    try {
      const api = getApi();
      // the older run is the baseline: changes read as "the newer run against the older one"
      const reports = (await Promise.all(ids.slice(0, MAX_COMPARE).map((runId) => api.invoke('history:get', { runId })))).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      const [base, ...later] = reports;
      const pairs = await Promise.all(later.map((r) => api.invoke('history:compare', { a: base!.runId, b: r.runId })));
      if (seq === compareSeq) set({ comparison: { reports, pairs }, compareIds: reports.map((r) => r.runId), error: null });
    } catch (err) {
      if (seq === compareSeq) set({ comparison: null, error: errorMessage(err) });
    }
  },
}));
