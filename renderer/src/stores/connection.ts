import { create } from 'zustand';
import type { ConductorApi } from '../../../shared/contract/index.ts';
import type { ConnectionAware, ConnectionInfo, ConnectionState } from '../api/http-client.ts';

/**
 * The connection to the conductor, as honest as we can make it: lost the moment the event stream
 * drops (every action that needs the conductor is disabled then), reconnecting with backoff, and
 * on reconnect everything the cockpit shows is read again (`onReconnect`). Over IPC (the desktop
 * app) the conductor lives in the same app: always online.
 */
export interface ConnectionStore {
  state: ConnectionState;
  attempt: number;
  retryInMs: number | null;
  reconnectNow(): void;
}

const isConnectionAware = (api: ConductorApi): api is ConductorApi & ConnectionAware => typeof (api as Partial<ConnectionAware>).onConnection === 'function';

let transport: (ConductorApi & ConnectionAware) | null = null;

export const useConnectionStore = create<ConnectionStore>(() => ({
  state: 'online',
  attempt: 0,
  retryInMs: null,
  reconnectNow() {
    transport?.reconnectNow();
  },
}));

export const isOnline = (s: Pick<ConnectionStore, 'state'>) => s.state === 'online';

/** Follow the transport's connection; `onReconnect` runs each time it comes back after a loss. Returns the unsubscribe. */
export function watchConnection(api: ConductorApi, onReconnect: () => void): () => void {
  if (!isConnectionAware(api)) {
    useConnectionStore.setState({ state: 'online', attempt: 0, retryInMs: null });
    return () => undefined;
  }
  transport = api;
  let lost = false;
  const off = api.onConnection((info: ConnectionInfo) => {
    useConnectionStore.setState({ state: info.state, attempt: info.attempt, retryInMs: info.retryInMs });
    if (info.state === 'offline') lost = true;
    if (info.state === 'online' && lost) {
      lost = false;
      onReconnect();
    }
  });
  return () => {
    off();
    if (transport === api) transport = null;
  };
}
