import { create } from 'zustand';
import type { AppProgress, GuardEvent, PhaseRecord, RunEvent, RunStatus } from '../../../shared/model/run.ts';
import { getApi } from '../api/index.ts';
import { errorMessage } from '../api/errors.ts';
import { useChartStore } from './chart.ts';

/** The current (or last) run: status, phases, apps, guards, abort progress and verdict. */
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

const ACTIVE: ReadonlySet<RunStatus['state']> = new Set(['pending', 'running', 'aborting']);
export const isActive = (s: RunStatus | null) => s !== null && ACTIVE.has(s.state);
const MAX_LOG = 200;

function upsert<T>(list: T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}

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
      const res = await getApi().invoke('run:abort', { runId: status.runId, reason });
      if (res.status && get().status?.runId === res.status.runId && isActive(get().status)) set({ status: { ...get().status!, ...res.status, samples: [] } });
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
    const status = get().status;
    if (event.type === 'run-started') {
      useChartStore.getState().replace(event.status.samples);
      set({ status: event.status, abortRequested: false, log: [] });
      return;
    }
    if (event.type === 'run-ended') {
      useChartStore.getState().replace(event.status.samples);
      set({ status: event.status });
      return;
    }
    if (event.type === 'sample') {
      useChartStore.getState().push(event.sample);
      return;
    }
    if (event.type === 'log') {
      set({ log: [...get().log, { level: event.level, message: event.message }].slice(-MAX_LOG) });
      return;
    }
    if (!status || status.runId !== event.runId) return;
    switch (event.type) {
      case 'phase': {
        // older conductors send no time: the latest run-clock time known stands in
        const t = event.t ?? Math.max(0, useChartStore.getState().last?.t ?? 0, ...status.phases.map((p) => p.endedAt ?? p.startedAt));
        const known = status.phases.find((p) => p.phase === event.phase);
        const rec: PhaseRecord = known ? { ...known, state: event.state, ...(event.state !== 'running' ? { endedAt: t } : {}) } : { phase: event.phase, startedAt: t, state: event.state };
        set({ status: { ...status, phase: event.state === 'running' ? event.phase : status.phase, phases: upsert(status.phases, rec, (p) => p.phase === event.phase) } });
        break;
      }
      case 'app-progress':
        set({ status: { ...status, apps: upsert<AppProgress>(status.apps, event.progress, (a) => a.app === event.progress.app) } });
        break;
      case 'guard':
        set({ status: { ...status, guards: upsert<GuardEvent>(status.guards, event.guard, (g) => g.guard === event.guard.guard) } });
        break;
      case 'knee':
        set({ status: { ...status, knee: event.knee } });
        break;
      case 'abort':
        set({
          status: {
            ...status,
            state: event.step === 'done' ? status.state : 'aborting',
            abort: { requestedAt: status.abort?.requestedAt ?? event.t ?? Math.max(0, useChartStore.getState().last?.t ?? 0), reason: event.reason, step: event.step },
          },
        });
        break;
      case 'verdict':
        set({ status: { ...status, verdict: event.verdict } });
        break;
      default:
        break;
    }
  },
}));
