import { CHANNELS, EVENT_CHANNELS, type Channel, type ConductorApi, type RequestMap, type ResponseMap, type Result } from '../../shared/contract/index.ts';
import type { RunEvent } from '../../shared/model/run.ts';

/**
 * The API the preload exposes as `window.conductor`: exactly ConductorApi, nothing generic.
 * invoke only reaches the contract's channels; errors cross the bridge as `[CODE] message`
 * (contextBridge keeps an Error's message only).
 */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

const KNOWN: ReadonlySet<string> = new Set(Object.values(CHANNELS));

export function createPreloadApi(ipc: IpcRendererLike): ConductorApi {
  return {
    async invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<ResponseMap[C]> {
      if (typeof channel !== 'string' || !KNOWN.has(channel)) throw new Error(`[USAGE] unknown channel ${String(channel)}`);
      const result = (await ipc.invoke(channel, request)) as Result<ResponseMap[C]>;
      if (result.ok) return result.value;
      throw new Error(`[${result.error.code}] ${result.error.message}`);
    },
    onRunEvent(listener: (event: RunEvent) => void): () => void {
      const handler = (_event: unknown, payload: unknown) => listener(payload as RunEvent);
      ipc.on(EVENT_CHANNELS.run, handler);
      return () => {
        ipc.removeListener(EVENT_CHANNELS.run, handler);
      };
    },
  };
}
