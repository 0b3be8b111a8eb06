import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { resolveServeOptions, startServe, type SignalSource } from '../../electron/headless/commands/serve.ts';
import { main } from '../../electron/headless/cli.ts';
import { createStandInService } from '../unit/main/stand-in-service.ts';

const sink = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: s, text: () => text };
};

describe('conductor serve', () => {
  it('serves until the first Ctrl-C, which closes the service (aborting a run) and the server', async () => {
    const service = createStandInService();
    const signals = new EventEmitter();
    const err = sink();
    const running = await startServe(
      { port: 0, host: '127.0.0.1', timeScale: 100, dataDir: '/tmp/unused', staticDir: '/tmp/unused', examplesDir: '/tmp/unused' },
      { createService: () => service, signals: signals as unknown as SignalSource, env: {}, out: sink().stream, err: err.stream },
    );
    const res = await fetch(running.url + '/api/env/list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    await running.done;
    expect(service.closed).toBe(true);
    expect(err.text()).toMatch(/aborting any run in progress/);
    await expect(fetch(running.url + '/api/env/list', { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('closes the service when the server cannot start', async () => {
    const service = createStandInService();
    await expect(
      startServe(
        { port: 0, host: '0.0.0.0', timeScale: 1, dataDir: '/tmp/unused', staticDir: '/tmp/unused', examplesDir: '/tmp/unused' },
        { createService: () => service, signals: new EventEmitter() as unknown as SignalSource, env: {}, out: sink().stream, err: sink().stream },
      ),
    ).rejects.toThrow(/token/);
    expect(service.closed).toBe(true);
  });

  it('a taken port is one clear line naming --port, and the service is closed again', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const service = createStandInService();
      const err = sink();
      const code = await main(['node', 'conductor', 'serve', '--port', String(port), '--data-dir', '/tmp/conductor-serve-taken'], { stdout: sink().stream, stderr: err.stream, env: { HOME: '/tmp' } });
      expect(code).toBe(3);
      expect(err.text()).toBe(`error: cannot listen on 127.0.0.1:${port} (the port is taken — is another \`conductor serve\` running?); pick another with --port (0: any free port)\n`);
      await expect(
        startServe(
          { port, host: '127.0.0.1', timeScale: 1, dataDir: '/tmp/unused', staticDir: '/tmp/unused', examplesDir: '/tmp/unused' },
          { createService: () => service, signals: new EventEmitter() as unknown as SignalSource, env: {}, out: sink().stream, err: sink().stream },
        ),
      ).rejects.toThrow(/port is taken/);
      expect(service.closed).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it('checks its options', () => {
    expect(() => resolveServeOptions({ port: 'x', host: '127.0.0.1', timeScale: '1' }, {})).toThrow(/--port: expected an integer/);
    expect(() => resolveServeOptions({ port: '1', host: '127.0.0.1', timeScale: '0' }, {})).toThrow(/--time-scale/);
    const o = resolveServeOptions({ port: '0', host: '127.0.0.1', timeScale: '100' }, { CONDUCTOR_TOKEN: 'from-the-environment-123', CONDUCTOR_DATA_DIR: '/tmp/d' });
    expect(o).toMatchObject({ port: 0, timeScale: 100, token: 'from-the-environment-123', dataDir: '/tmp/d' });
  });

  it('refuses a non-loopback host without a token from the command line (exit 2)', async () => {
    const out = sink();
    const err = sink();
    const code = await main(['node', 'conductor', 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', '/tmp/conductor-serve-refused'], { stdout: out.stream, stderr: err.stream, env: { HOME: '/tmp' } });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/refusing to serve on 0\.0\.0\.0 without a token/);
  });
});
