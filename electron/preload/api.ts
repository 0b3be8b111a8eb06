import { EVENT_CHANNELS, isChannel, type Channel, type ConductorBridge, type RequestMap, type ResponseMap, type Result } from '../../shared/contract/index.ts';
import type { RunEvent } from '../../shared/model/run.ts';

/**
 * The bridge the preload exposes as `window.conductor` (ConductorBridge), nothing generic: invoke
 * only reaches the contract's channels and hands back the main process's Result as it came — a
 * value, or the typed error envelope {code, message, details} — for the renderer's api client to
 * unwrap (renderer/src/api/ipc-client.ts). Nothing is thrown across the bridge, so nothing is lost.
 */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createPreloadApi(ipc: IpcRendererLike): ConductorBridge {
  return {
    async invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<Result<ResponseMap[C]>> {
      // a renderer bug or a hostile page, never the typed client: refused before it reaches the main process
      if (!isChannel(channel)) throw new Error(`unknown channel ${String(channel)}`);
      return (await ipc.invoke(channel, request)) as Result<ResponseMap[C]>;
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
