import type { Channel, ConductorApi, ConductorBridge, RequestMap, ResponseMap } from '../../../shared/contract/index.ts';
import { ApiError } from './errors.ts';

/**
 * The ConductorApi over Electron IPC: the preload's bridge (window.conductor) answers with the
 * Result envelope; a failed one becomes an ApiError with its code and details, exactly as over
 * HTTP (http-client.ts) — the way Podman Desktop's decodeError restores an error's fields.
 */
export function createIpcApi(bridge: ConductorBridge): ConductorApi {
  return {
    async invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<ResponseMap[C]> {
      let result;
      try {
        result = await bridge.invoke(channel, request);
      } catch (err) {
        throw new ApiError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
      }
      if (result.ok) return result.value;
      throw new ApiError(result.error);
    },
    onRunEvent: (listener) => bridge.onRunEvent(listener),
  };
}
