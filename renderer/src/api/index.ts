import type { ConductorApi, ConductorBridge } from '../../../shared/contract/index.ts';
import { createHttpApi } from './http-client.ts';
import { createIpcApi } from './ipc-client.ts';

declare global {
  interface Window {
    /** set by the Electron preload (electron/preload/api.ts) */
    conductor?: ConductorBridge;
  }
}

export type Transport = 'electron' | 'http';

let current: { api: ConductorApi; transport: Transport } | null = null;

/** Pick the transport: the preload's window.conductor in Electron, HTTP + EventSource in a browser. */
export function pickApi(win: Window = window): { api: ConductorApi; transport: Transport } {
  if (win.conductor) return { api: createIpcApi(win.conductor), transport: 'electron' };
  return { api: createHttpApi({ baseUrl: win.location.origin, token: readToken(win) }), transport: 'http' };
}

/** A token handed over in the URL fragment (#token=…) is kept for this tab and removed from the address bar. */
function readToken(win: Window): string | undefined {
  const m = /(?:^#|&)token=([^&]+)/.exec(win.location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]!);
    try {
      win.sessionStorage.setItem('conductor.token', token);
    } catch {
      /* storage unavailable: keep it in memory only */
    }
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
    return token;
  }
  try {
    return win.sessionStorage.getItem('conductor.token') ?? undefined;
  } catch {
    return undefined;
  }
}

export function setApi(api: ConductorApi, transport: Transport = 'http'): void {
  current = { api, transport };
}

export function getApi(): ConductorApi {
  if (!current) current = pickApi();
  return current.api;
}
