import { describe, expect, it } from 'vitest';
import { createPreloadApi, type IpcRendererLike } from '../../../electron/preload/api.ts';
import { EVENT_CHANNELS, type ConductorBridge } from '../../../shared/contract/index.ts';
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

  it('invokes only contract channels and hands back the Result envelope as it came', async () => {
    const ok = standInIpcRenderer({ ok: true, value: { kubeContexts: [] } });
    const api = createPreloadApi(ok.ipc);
    await expect(api.invoke('env:list', {})).resolves.toEqual({ ok: true, value: { kubeContexts: [] } });
    await expect((api as unknown as { invoke(c: string, r: unknown): Promise<unknown> }).invoke('fs:read', {})).rejects.toThrow(/unknown channel/);
    expect(ok.invoked).toEqual([['env:list', [{}]]]);
    // nothing is thrown across contextBridge (it would keep only the message): code and details arrive whole
    const error = { code: 'NOT_FOUND', message: 'no run x', details: { runId: 'x' } };
    const failing = createPreloadApi(standInIpcRenderer({ ok: false, error }).ipc);
    await expect(failing.invoke('history:get', { runId: 'x' })).resolves.toEqual({ ok: false, error });
  });

  it('subscribes to run events and unsubscribes', () => {
    const s = standInIpcRenderer(null);
    const api: ConductorBridge = createPreloadApi(s.ipc);
    const got: RunEvent[] = [];
    const off = api.onRunEvent((e) => got.push(e));
    const e: RunEvent = { type: 'log', runId: 'r', level: 'info', message: 'm' };
    for (const l of s.listeners.get(EVENT_CHANNELS.run)!) l({ sender: 'ipc event object is not passed on' }, e);
    off();
    expect(s.listeners.get(EVENT_CHANNELS.run)!.size).toBe(0);
    expect(got).toEqual([e]);
  });
});
