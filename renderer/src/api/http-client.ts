import { HTTP_EVENTS_PATH, httpPathFor, type Channel, type ConductorApi, type RequestMap, type ResponseMap, type Result } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { ApiError } from './errors.ts';

/**
 * The ConductorApi over HTTP (`conductor serve`): POST /api/<domain>/<action>, events through
 * one shared EventSource that opens with the first subscriber and closes with the last.
 * The event stream is also the connection's pulse: when it drops (the server stopped, the network
 * went) the client says so at once and reconnects with a growing delay (0.5 s … 10 s).
 */
export interface HttpApiOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
  /** timers for the reconnect backoff (tests swap them) */
  setTimer?: (cb: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface ConnectionInfo {
  state: ConnectionState;
  /** reconnect attempts since the connection was lost */
  attempt: number;
  /** the delay before the next attempt, while offline */
  retryInMs: number | null;
}

/** What a transport that can lose its connection adds to the ConductorApi. */
export interface ConnectionAware {
  onConnection(listener: (info: ConnectionInfo) => void): () => void;
  /** try again now instead of waiting for the backoff */
  reconnectNow(): void;
}

export const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000, 10_000];

export function createHttpApi(opts: HttpApiOptions): ConductorApi & ConnectionAware {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const ES = opts.EventSource ?? globalThis.EventSource;
  const base = opts.baseUrl.replace(/\/$/, '');
  const listeners = new Set<(event: RunEvent) => void>();
  const watchers = new Set<(info: ConnectionInfo) => void>();
  const setTimer = opts.setTimer ?? ((cb: () => void, ms: number) => setTimeout(cb, ms));
  const clearTimer = opts.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let source: EventSource | null = null;
  let info: ConnectionInfo = { state: 'connecting', attempt: 0, retryInMs: null };
  let retry: unknown = null;

  const announce = (next: ConnectionInfo) => {
    info = next;
    for (const w of [...watchers]) w(info);
  };

  const onMessage = (msg: MessageEvent<string>) => {
    let event: RunEvent;
    try {
      event = JSON.parse(msg.data) as RunEvent;
    } catch {
      return;
    }
    for (const l of [...listeners]) l(event);
  };

  const open = () => {
    if (source || !ES || listeners.size === 0) return;
    const url = base + HTTP_EVENTS_PATH + (opts.token ? `?token=${encodeURIComponent(opts.token)}` : '');
    const es = new ES(url);
    source = es;
    es.addEventListener('run', onMessage as EventListener);
    es.addEventListener('open', () => {
      if (source === es) announce({ state: 'online', attempt: 0, retryInMs: null });
    });
    es.addEventListener('error', () => {
      if (source !== es) return;
      // our own backoff instead of the browser's fixed retry, and the loss is shown at once
      es.close();
      source = null;
      const delay = RECONNECT_DELAYS_MS[Math.min(info.attempt, RECONNECT_DELAYS_MS.length - 1)]!;
      announce({ state: 'offline', attempt: info.attempt + 1, retryInMs: delay });
      retry = setTimer(() => {
        retry = null;
        open();
      }, delay);
    });
  };

  const close = () => {
    if (retry !== null) clearTimer(retry);
    retry = null;
    source?.close();
    source = null;
  };

  return {
    async invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<ResponseMap[C]> {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
      let res: Response;
      try {
        res = await doFetch(base + httpPathFor(channel), { method: 'POST', headers, body: JSON.stringify(request), credentials: 'same-origin' });
      } catch (err) {
        throw new ApiError({ code: 'INTERNAL', message: `the conductor is not reachable (${err instanceof Error ? err.message : String(err)})` });
      }
      let result: Result<ResponseMap[C]>;
      try {
        result = (await res.json()) as Result<ResponseMap[C]>;
      } catch {
        throw new ApiError({ code: 'INTERNAL', message: `unexpected answer from the conductor (HTTP ${res.status})` });
      }
      if (result.ok) return result.value;
      throw new ApiError(result.error);
    },
    onRunEvent(listener) {
      listeners.add(listener);
      if (retry === null) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) close();
      };
    },
    onConnection(watcher) {
      watchers.add(watcher);
      watcher(info);
      return () => watchers.delete(watcher);
    },
    reconnectNow() {
      if (source || listeners.size === 0) return;
      if (retry !== null) clearTimer(retry);
      retry = null;
      open();
    },
  };
}
