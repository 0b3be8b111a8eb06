import { describe, expect, it } from 'vitest';
import { appSenderCheck, forwardRunEvents, registerIpcHandlers, type IpcEventLike, type IpcMainLike } from '../../../electron/main/ipc.ts';
import type { RendererLocation } from '../../../electron/main/window.ts';
import { CHANNELS, EVENT_CHANNELS, type Result } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { createStandInService, STAND_IN_PARITY } from './stand-in-service.ts';
import { createPreloadApi, type IpcRendererLike } from '../../../electron/preload/api.ts';
import { createIpcApi } from '../../../renderer/src/api/ipc-client.ts';
import { ApiError } from '../../../renderer/src/api/errors.ts';

type Listener = (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>;

function standInIpcMain() {
  const handlers = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  const call = (channel: string, event: IpcEventLike, ...args: unknown[]) => handlers.get(channel)!(event, ...args) as Promise<Result<unknown>>;
  return { ipcMain, handlers, call };
}

const where: RendererLocation = { kind: 'file', indexFile: '/opt/Conductor/resources/app/out/renderer/index.html', indexUrl: 'file:///opt/Conductor/resources/app/out/renderer/index.html' };
const WINDOW_ID = 7;
const ours: IpcEventLike = { sender: { id: WINDOW_ID }, senderFrame: { url: where.indexUrl, parent: null } };

function setup() {
  const service = createStandInService();
  const ipc = standInIpcMain();
  const refused: string[] = [];
  const dispose = registerIpcHandlers({
    ipcMain: ipc.ipcMain,
    handlers: service.handlers,
    isTrustedSender: appSenderCheck({ webContentsId: () => WINDOW_ID, where }),
    onRefused: (c, r) => refused.push(`${c}: ${r}`),
  });
  return { service, ...ipc, refused, dispose };
}

describe('IPC handlers', () => {
  it('registers exactly one handler per contract channel, and removes them', () => {
    const { handlers, dispose } = setup();
    expect([...handlers.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
    dispose();
    expect(handlers.size).toBe(0);
  });

  it('answers a valid call from our window with the value', async () => {
    const { call, service } = setup();
    const res = await call('parity:read', ours, { text: 'apiVersion: conductor/v1' });
    expect(res).toEqual({ ok: true, value: STAND_IN_PARITY });
    expect(service.calls).toEqual([{ channel: 'parity:read', request: { text: 'apiVersion: conductor/v1' } }]);
  });

  it('rejects bad payloads with USAGE and never reaches the service', async () => {
    const { call, service, refused } = setup();
    const bad: [string, unknown[]][] = [
      ['run:abort', [{ runId: '../../etc/passwd' }]],
      ['run:abort', [{}]],
      ['run:start', [{ text: '' }]],
      ['run:start', [{ text: 'x', timeScale: 1e9 }]],
      ['env:list', [{ extra: 1 }]],
      ['env:list', ['not an object']],
      ['env:list', [null]],
      ['history:compare', [{ a: 'x' }]],
      ['spec:save', [{ text: 'x', path: 42 }]],
      ['env:list', []],
      ['env:list', [{}, { second: true }]],
    ];
    for (const [channel, args] of bad) {
      const res = await call(channel, ours, ...args);
      expect(res.ok, `${channel} ${JSON.stringify(args)}`).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('USAGE');
    }
    expect(service.calls).toEqual([]);
    expect(refused).toHaveLength(bad.length);
    const named = await call('run:abort', ours, { runId: '../x' });
    expect(!named.ok && named.error.message).toMatch(/runId/);
  });

  it('rejects foreign senders: other windows, subframes, remote or other file URLs, no frame', async () => {
    const { call, service } = setup();
    const foreign: IpcEventLike[] = [
      { sender: { id: WINDOW_ID + 1 }, senderFrame: { url: where.indexUrl, parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: where.indexUrl, parent: { url: where.indexUrl } } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://attacker.example/', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///home/user/Downloads/evil.html', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///opt/Conductor/resources/app/out/renderer/../../../../evil.html', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: null },
    ];
    for (const event of foreign) {
      const res = await call('env:list', event, {});
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('FORBIDDEN');
    }
    expect(service.calls).toEqual([]);
  });

  it('accepts the dev server origin in development only', async () => {
    const service = createStandInService();
    const ipc = standInIpcMain();
    const dev: RendererLocation = { kind: 'dev', url: 'http://127.0.0.1:5173/' };
    registerIpcHandlers({ ipcMain: ipc.ipcMain, handlers: service.handlers, isTrustedSender: appSenderCheck({ webContentsId: () => 1, where: dev }) });
    expect((await ipc.call('env:list', { sender: { id: 1 }, senderFrame: { url: 'http://127.0.0.1:5173/#/run', parent: null } }, {})).ok).toBe(true);
    expect((await ipc.call('env:list', { sender: { id: 1 }, senderFrame: { url: 'http://127.0.0.1:5174/', parent: null } }, {})).ok).toBe(false);
  });

  it('returns a failing handler as a typed error without a stack', async () => {
    const { call } = setup();
    const res = await call('history:get', ours, { runId: 'missing' });
    expect(res).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no run missing', details: { runId: 'missing' } } });
    expect(JSON.stringify(res)).not.toMatch(/\.ts:\d+/);
  });

  it('carries a failure\'s code and details through the preload to the renderer\'s ApiError', async () => {
    const { call } = setup();
    const refused = await call('settings:set', ours, { environments: { production: {}, test: {}, locustUrl: 'http://u:pw@locust:8089' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('USAGE');
      expect((refused.error.details?.issues as { path: string }[]).map((i) => i.path)).toEqual(['environments.locustUrl']);
    }
    // the whole chain the cockpit uses: ipcMain handler → preload bridge → renderer api client
    const ipcRenderer: IpcRendererLike = { invoke: (channel, ...args) => call(channel, ours, ...args), on: () => undefined, removeListener: () => undefined };
    const api = createIpcApi(createPreloadApi(ipcRenderer));
    const missing = await api.invoke('history:get', { runId: 'missing' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect([(missing as ApiError).code, (missing as ApiError).message, (missing as ApiError).details]).toEqual(['NOT_FOUND', 'no run missing', { runId: 'missing' }]);
    const bad = await api.invoke('run:abort', { runId: '../x' }).catch((e: unknown) => e);
    expect((bad as ApiError).code).toBe('USAGE');
    expect((bad as ApiError).issues.map((i) => i.path)).toEqual(['runId']);
  });

  it('forwards run events to the window on the event channel, and stops on unsubscribe', () => {
    const service = createStandInService();
    const sent: [string, RunEvent][] = [];
    let destroyed = false;
    const stop = forwardRunEvents(service.onEvent, () => ({ isDestroyed: () => destroyed, send: (c, p) => sent.push([c, p]) }));
    const e: RunEvent = { type: 'log', runId: 'r', level: 'info', message: 'hello' };
    service.emit(e);
    destroyed = true;
    service.emit(e);
    destroyed = false;
    stop();
    service.emit(e);
    expect(sent).toEqual([[EVENT_CHANNELS.run, e]]);
  });
});
