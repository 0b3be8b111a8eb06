import { describe, expect, it } from 'vitest';
import { createHttpApi } from '../../../renderer/src/api/http-client.ts';
import { ApiError, toApiError } from '../../../renderer/src/api/errors.ts';
import { createIpcApi } from '../../../renderer/src/api/ipc-client.ts';
import type { ConductorBridge } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';

class FakeEventSource {
  static last: FakeEventSource | null = null;
  static opened = 0;
  listeners = new Map<string, (m: MessageEvent<string>) => void>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
    FakeEventSource.opened += 1;
  }
  fire(type: string) {
    this.listeners.get(type)?.({} as MessageEvent<string>);
  }
  addEventListener(type: string, l: (m: MessageEvent<string>) => void) {
    this.listeners.set(type, l);
  }
  close() {
    this.closed = true;
  }
}

describe('HTTP client', () => {
  it('posts to the channel path with the token and unwraps the Result', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fetchStub = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ ok: true, value: { runId: 'r1' } }), { status: 200 });
    }) as unknown as typeof fetch;
    const api = createHttpApi({ baseUrl: 'http://127.0.0.1:18787/', token: 't0ken', fetch: fetchStub });
    await expect(api.invoke('run:status', {})).resolves.toEqual({ runId: 'r1' });
    expect(seen[0]!.url).toBe('http://127.0.0.1:18787/api/run/status');
    expect((seen[0]!.init.headers as Record<string, string>).Authorization).toBe('Bearer t0ken');
  });

  it('throws the typed error', async () => {
    const fetchStub = (async () => new Response(JSON.stringify({ ok: false, error: { code: 'CONFLICT', message: 'a run is in progress' } }), { status: 409 })) as unknown as typeof fetch;
    const api = createHttpApi({ baseUrl: 'http://x', fetch: fetchStub });
    const err = await api.invoke('run:start', { text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('CONFLICT');
    const html = createHttpApi({ baseUrl: 'http://x', fetch: (async () => new Response('<html>', { status: 502 })) as unknown as typeof fetch });
    await expect(html.invoke('env:list', {})).rejects.toThrow('unexpected answer from the conductor (HTTP 502)');
  });

  it('shares one EventSource among subscribers and closes it with the last', () => {
    const api = createHttpApi({ baseUrl: 'http://x', token: 'tok', EventSource: FakeEventSource as unknown as typeof EventSource });
    const a: RunEvent[] = [];
    const b: RunEvent[] = [];
    const offA = api.onRunEvent((e) => a.push(e));
    const offB = api.onRunEvent((e) => b.push(e));
    const es = FakeEventSource.last!;
    expect(es.url).toBe('http://x/api/events?token=tok');
    const e: RunEvent = { type: 'log', runId: 'r', level: 'info', message: 'm' };
    es.listeners.get('run')!({ data: JSON.stringify(e) } as MessageEvent<string>);
    es.listeners.get('run')!({ data: 'not json' } as MessageEvent<string>);
    offA();
    expect(es.closed).toBe(false);
    offB();
    expect(es.closed).toBe(true);
    expect(a).toEqual([e]);
    expect(b).toEqual([e]);
  });

  it('restores IPC errors from the bridge\'s Result envelope: code and details, no message parsing', async () => {
    const error = { code: 'USAGE' as const, message: 'invalid request for settings:set: environments.locustUrl: a URL', details: { issues: [{ path: 'environments.locustUrl', message: 'a URL' }] } };
    const bridge: ConductorBridge = { invoke: (async () => ({ ok: false, error })) as ConductorBridge['invoke'], onRunEvent: () => () => undefined };
    const err = await createIpcApi(bridge).invoke('settings:get', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect([(err as ApiError).code, (err as ApiError).message, (err as ApiError).details]).toEqual([error.code, error.message, error.details]);
    expect((err as ApiError).issues).toEqual([{ path: 'environments.locustUrl', message: 'a URL' }]);
    // a message that merely looks like a code is not read as one
    const e = toApiError(new Error('[CONFLICT] a run is in progress'));
    expect([e.code, e.message]).toEqual(['INTERNAL', '[CONFLICT] a run is in progress']);
    expect(toApiError(new Error('boom')).code).toBe('INTERNAL');
  });

  it('says at once when the event stream drops, reconnects with a growing delay, and says when it is back', () => {
    const timers: { cb: () => void; ms: number }[] = [];
    const api = createHttpApi({ baseUrl: 'http://x', EventSource: FakeEventSource as unknown as typeof EventSource, setTimer: (cb, ms) => timers.push({ cb, ms }), clearTimer: () => undefined });
    const states: string[] = [];
    api.onConnection((i) => states.push(`${i.state}${i.retryInMs !== null ? ` ${i.retryInMs}` : ''}`));
    api.onRunEvent(() => undefined);
    const opened = FakeEventSource.opened;
    FakeEventSource.last!.fire('open');
    FakeEventSource.last!.fire('error');
    expect(FakeEventSource.last!.closed).toBe(true);
    timers.shift()!.cb();
    FakeEventSource.last!.fire('error');
    timers.shift()!.cb();
    FakeEventSource.last!.fire('error');
    expect(timers.map((t) => t.ms)).toEqual([2000]);
    // "Reconnect now" does not wait for the timer
    api.reconnectNow();
    FakeEventSource.last!.fire('open');
    expect(FakeEventSource.opened - opened).toBe(3);
    expect(states).toEqual(['connecting', 'online', 'offline 500', 'offline 1000', 'offline 2000', 'online']);
  });
});
