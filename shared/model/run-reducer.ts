import type { AppProgress, GuardEvent, GuardName, PhaseRecord, RunEvent, RunStatus } from './run.ts';

/**
 * The run's status as a fold of its events: one pure reducer, used by the core (the status it
 * serves is built by this function from the events it emits), by the CLI display and by the
 * renderer. A UI that holds the events holds the status; no second copy of these rules exists.
 *
 * Pure and immutable: each call returns a new status sharing what did not change. Events of
 * another run are ignored (the status is returned as is); `run-started` and `run-ended` carry the
 * whole status and replace it. A run is active (isRunActive) until run-ended: its verdict arrives
 * first, then the report is stored and the test environment released.
 */
export function reduceRunEvent(status: RunStatus | null, event: RunEvent): RunStatus | null {
  if (event.type === 'run-started' || event.type === 'run-ended') return event.status;
  if (!status || status.runId !== event.runId) return status;
  switch (event.type) {
    case 'phase':
      return phaseChanged(status, event);
    case 'app-progress':
      return { ...status, apps: upsert<AppProgress>(status.apps, event.progress, (a) => a.app === event.progress.app) };
    case 'sample':
      return { ...status, samples: [...status.samples, event.sample] };
    case 'guard':
      return { ...status, guards: [...status.guards, event.guard] };
    case 'knee':
      return status.knee ? status : { ...status, knee: event.knee };
    case 'flag':
      return status.flags.includes(event.message) ? status : { ...status, flags: [...status.flags, event.message] };
    case 'abort': {
      const requestedAt = status.abort?.requestedAt ?? event.t;
      const state = status.verdict ? status.state : 'aborting';
      return { ...status, state, abort: { requestedAt, reason: event.reason, step: event.step } };
    }
    case 'verdict':
      // the state turns final with run-ended, once the report is stored and the lock released
      return { ...status, verdict: event.verdict, phase: 'verdict' };
    case 'overrides':
      return { ...status, overrides: event.overrides };
    case 'gitops':
      return { ...status, gitops: upsert(status.gitops ?? [], event.pause, (p) => p.app === event.pause.app) };
    case 'other-writer':
      return { ...status, otherWriters: [...(status.otherWriters ?? []), event.change] };
    case 'parity':
    case 'log':
      return status;
  }
}

/** Fold a list of events (e.g. a replay) into a status. */
export function reduceRunEvents(events: readonly RunEvent[], initial: RunStatus | null = null): RunStatus | null {
  let s = initial;
  for (const e of events) s = reduceRunEvent(s, e);
  return s;
}

function phaseChanged(status: RunStatus, e: Extract<RunEvent, { type: 'phase' }>): RunStatus {
  const phases = status.phases.slice();
  let i = phases.length - 1;
  while (i >= 0 && phases[i]!.phase !== e.phase) i--;
  const open = i >= 0 && phases[i]!.state === 'running';
  if (e.state === 'running' || (e.state === 'skipped' && !open)) {
    // a phase starts, or is recorded as not run
    phases.push({ phase: e.phase, startedAt: e.t, state: e.state, ...(e.state === 'skipped' ? { endedAt: e.t } : {}) });
  } else {
    // the phase's running record ends (done, failed, or skipped by the phase itself)
    const prev = i >= 0 ? phases[i]! : { phase: e.phase, startedAt: e.t };
    const rec: PhaseRecord = { ...prev, state: e.state, endedAt: e.t, ...(e.error ? { error: e.error } : {}) };
    if (i >= 0) phases[i] = rec;
    else phases.push(rec);
  }
  return { ...status, phases, phase: e.state === 'running' ? e.phase : status.phase };
}

function upsert<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}

/** Is the run still going (not yet at a verdict)? */
export function isRunActive(status: RunStatus | null): boolean {
  return status !== null && (status.state === 'pending' || status.state === 'running' || status.state === 'aborting');
}

/**
 * Each guard's current event: the latest one, except that once a guard breached (the run stopped
 * on it) a later reading cannot take that back.
 */
export function currentGuards(status: RunStatus): Map<GuardName, GuardEvent> {
  const out = new Map<GuardName, GuardEvent>();
  for (const g of status.guards) {
    if (out.get(g.guard)?.state === 'breached') continue;
    out.set(g.guard, g);
  }
  return out;
}
