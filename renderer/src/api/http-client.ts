import { HTTP_EVENTS_PATH, httpPathFor, type Channel, type ConductorApi, type RequestMap, type ResponseMap, type Result } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { ApiError } from './errors.ts';

/**
 * The ConductorApi over HTTP (`conductor serve`): POST /api/<domain>/<action>, events through
 * one shared EventSource that opens with the first subscriber and closes with the last.
 */
export interface HttpApiOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

export function createHttpApi(opts: HttpApiOptions): ConductorApi {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const ES = opts.EventSource ?? globalThis.EventSource;
  const base = opts.baseUrl.replace(/\/$/, '');
  const listeners = new Set<(event: RunEvent) => void>();
  let source: EventSource | null = null;

  const onMessage = (msg: MessageEvent<string>) => {
    let event: RunEvent;
    try {
      event = JSON.parse(msg.data) as RunEvent;
    } catch {
      return;
    }
    for (const l of [...listeners]) l(event);
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
      if (!source && ES) {
        const url = base + HTTP_EVENTS_PATH + (opts.token ? `?token=${encodeURIComponent(opts.token)}` : '');
        source = new ES(url);
        source.addEventListener('run', onMessage as EventListener);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
