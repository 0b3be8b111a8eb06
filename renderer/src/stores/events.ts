import type { ConductorApi } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { useRunStore } from './run.ts';
import { useParityStore } from './parity.ts';
import { useHistoryStore } from './history.ts';

/** Route run events to the stores that show them. Returns the unsubscribe. */
export function dispatchRunEvent(event: RunEvent): void {
  if (event.type === 'parity') useParityStore.getState().apply(event.when, event.report);
  useRunStore.getState().apply(event);
  if (event.type === 'run-ended') void useHistoryStore.getState().load();
}

export function connectRunEvents(api: ConductorApi): () => void {
  return api.onRunEvent(dispatchRunEvent);
}
