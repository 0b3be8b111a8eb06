import { describe, expect, it } from 'vitest';
import { createPreloadApi, type IpcRendererLike } from '../../../electron/preload/api.ts';
import { EVENT_CHANNELS, type ConductorApi } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';

function standInIpcRenderer(answer: unknown) {
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
  const ipc: IpcRendererLike = {
    async invoke(channel, ...args) {
      invoked.push([channel, args]);
      return answer;
    },
    on(channel, l) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener(channel, l) {
      listeners.get(channel)?.delete(l);
    },
  };
  return { ipc, invoked, listeners };
}

describe('preload API', () => {
  it('exposes exactly invoke and onRunEvent', () => {
    const api = createPreloadApi(standInIpcRenderer(null).ipc);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onRunEvent']);
  });

  it('invokes only contract channels and unwraps Results', async () => {
    const ok = standInIpcRenderer({ ok: true, value: { kubeContexts: [] } });
    const api = createPreloadApi(ok.ipc);
    await expect(api.invoke('env:list', {})).resolves.toEqual({ kubeContexts: [] });
    await expect((api as unknown as { invoke(c: string, r: unknown): Promise<unknown> }).invoke('fs:read', {})).rejects.toThrow(/unknown channel/);
    expect(ok.invoked).toEqual([['env:list', [{}]]]);
    const failing = createPreloadApi(standInIpcRenderer({ ok: false, error: { code: 'NOT_FOUND', message: 'no run x' } }).ipc);
    await expect(failing.invoke('history:get', { runId: 'x' })).rejects.toThrow('[NOT_FOUND] no run x');
  });

  it('subscribes to run events and unsubscribes', () => {
    const s = standInIpcRenderer(null);
    const api: ConductorApi = createPreloadApi(s.ipc);
    const got: RunEvent[] = [];
    const off = api.onRunEvent((e) => got.push(e));
    const e: RunEvent = { type: 'log', runId: 'r', level: 'info', message: 'm' };
    for (const l of s.listeners.get(EVENT_CHANNELS.run)!) l({ sender: 'ipc event object is not passed on' }, e);
    off();
    expect(s.listeners.get(EVENT_CHANNELS.run)!.size).toBe(0);
    expect(got).toEqual([e]);
  });
});
