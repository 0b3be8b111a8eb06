import { create } from 'zustand';
import type { RunEvent, RunStatus } from '../../../shared/model/run.ts';
import { isRunActive, reduceRunEvent } from '../../../shared/model/run-reducer.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';
import { useChartStore } from './chart.ts';

/** The current (or last) run: its status (the fold of its events, shared/model/run-reducer.ts), the log, and the user's start and abort. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface RunStoreState {
  status: RunStatus | null;
  starting: boolean;
  abortRequested: boolean;
  error: string | null;
  log: LogLine[];
  start(text: string, timeScale?: number): Promise<void>;
  abort(reason?: string): Promise<void>;
  refresh(): Promise<void>;
  apply(event: RunEvent): void;
}

export const isActive = isRunActive;
const MAX_LOG = 200;

export const useRunStore = create<RunStoreState>((set, get) => ({
  status: null,
  starting: false,
  abortRequested: false,
  error: null,
  log: [],
  async start(text, timeScale) {
    if (get().starting || isActive(get().status)) return;
    set({ starting: true, error: null, abortRequested: false, log: [] });
    useChartStore.getState().reset();
    try {
      const res = await getApi().invoke('run:start', timeScale ? { text, timeScale } : { text });
      // events may already have moved the status on; keep the newest
      const current = get().status;
      if (!current || current.runId !== res.runId) set({ status: res.status });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ starting: false });
    }
  },
  async abort(reason = 'aborted from the cockpit') {
    const status = get().status;
    if (!status || get().abortRequested || !isActive(status)) return;
    set({ abortRequested: true, error: null });
    try {
      // the abort's progress arrives as the run's events
      await getApi().invoke('run:abort', { runId: status.runId, reason });
    } catch (err) {
      set({ error: errorMessage(err), abortRequested: false });
    }
  },
  async refresh() {
    try {
      const status = await getApi().invoke('run:status', {});
      const shown = get().status;
      if (status) {
        set({ status });
        useChartStore.getState().replace(status.samples);
      } else if (shown && isActive(shown)) {
        // the conductor no longer knows the run it was running: it restarted (the run died with it)
        set({ status: null, error: `Run ${shown.runId} is not running any more: the conductor restarted. If it left the test environment changed, the banner above offers to restore it.` });
        useChartStore.getState().reset();
      }
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  apply(event) {
    // the status is the fold of the run's events: the one reducer the conductor itself uses
    if (event.type === 'run-started') {
      useChartStore.getState().replace(event.status.samples);
      set({ status: event.status, abortRequested: false, log: [] });
      return;
    }
    if (event.type === 'run-ended') useChartStore.getState().replace(event.status.samples);
    else if (event.type === 'sample' && get().status?.runId === event.runId) useChartStore.getState().push(event.sample);
    if (event.type === 'log') {
      set({ log: [...get().log, { level: event.level, message: event.message }].slice(-MAX_LOG) });
      return;
    }
    const next = reduceRunEvent(get().status, event);
    if (next !== get().status) set({ status: next });
  },
}));
