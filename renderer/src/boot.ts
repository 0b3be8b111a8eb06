import type { ConductorApi } from '../../shared/contract/index.ts';
import { connectRunEvents } from './stores/events.ts';
import { useEnvStore } from './stores/env.ts';
import { useSpecStore } from './stores/spec.ts';
import { useParityStore } from './stores/parity.ts';
import { useRunStore } from './stores/run.ts';
import { useHistoryStore } from './stores/history.ts';
import { useRecoveryStore } from './stores/recovery.ts';
import { watchConnection } from './stores/connection.ts';
import { connectRoute } from './stores/route.ts';

/**
 * Start-up: subscribe to run events, the connection and the address (#/…), pick up a run in
 * progress, list environments, recovery and history, and load the sandbox example so the first view
 * is the sandbox's parity.
 */
export async function boot(api: ConductorApi): Promise<() => void> {
  const offEvents = connectRunEvents(api);
  const offRoute = typeof window !== 'undefined' ? connectRoute(window) : () => undefined;
  // after a lost connection, everything shown is read again: events may have been missed
  const offConnection = watchConnection(api, () => void resync());
  const tasks = [useEnvStore.getState().load(), useRecoveryStore.getState().load(), useHistoryStore.getState().load(), useRunStore.getState().refresh()];
  const spec = useSpecStore.getState();
  await spec.loadExamples();
  const examples = useSpecStore.getState().examples;
  const first = examples.find((e) => /^sandbox(\.ya?ml)?$/.test(e.name)) ?? examples[0];
  if (first && !useSpecStore.getState().text) {
    spec.setText(first.text, { path: null, fileName: first.name });
    await Promise.all([useSpecStore.getState().validate(), useParityStore.getState().read(first.text)]);
  }
  await Promise.all(tasks);
  return () => {
    offEvents();
    offRoute();
    offConnection();
  };
}

/** Read again what the events keep up to date: the run, the history, unfinished runs. */
export async function resync(): Promise<void> {
  await Promise.all([useRunStore.getState().refresh(), useHistoryStore.getState().load(), useRecoveryStore.getState().load()]);
}
