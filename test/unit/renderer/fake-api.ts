import type { Channel, ConductorApi, RequestMap, ResponseMap } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';

/** A ConductorApi stand-in for component tests: answers per channel, records calls, emits events. */
export function fakeApi(answers: Partial<{ [C in Channel]: (r: RequestMap[C]) => ResponseMap[C] }>) {
  const calls: { channel: Channel; request: unknown }[] = [];
  const listeners = new Set<(e: RunEvent) => void>();
  const api: ConductorApi = {
    async invoke<C extends Channel>(channel: C, request: RequestMap[C]): Promise<ResponseMap[C]> {
      calls.push({ channel, request });
      const a = answers[channel] as ((r: RequestMap[C]) => ResponseMap[C]) | undefined;
      if (!a) throw new Error(`[NOT_FOUND] no answer for ${channel}`);
      return a(request);
    },
    onRunEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, calls, emit: (e: RunEvent) => listeners.forEach((l) => l(e)), listeners };
}
