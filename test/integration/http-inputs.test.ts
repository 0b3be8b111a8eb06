import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPEC_LIMITS } from '../../shared/spec/validate.ts';
import { manyKeySpec } from '../unit/shared/spec/many-keys.ts';
import { conductor, type Child } from './recover-standalone-kit.ts';
import { hostileKubeconfigs, quotesNothing, specWithKubeconfig } from './inputs-kit.ts';

/**
 * Bad input over the HTTP API of a real `conductor serve` process: a kubeconfig that is a FIFO,
 * /dev/zero, a folder or a credentials file is a 400 naming the path (nothing quoted) and the server
 * keeps answering; a 1 MiB many-key spec is validated while status requests are answered; a
 * dot-only run id is a 400, not a 500.
 */

let dir: string;
let serve: Child;
let url: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-http-inputs-'));
  serve = conductor(['serve', '--port', '0', '--data-dir', join(dir, 'data')], { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') });
  const line = await serve.waitFor(/^conductor cockpit: http:\/\/127\.0\.0\.1:\d+\//);
  url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
});
afterAll(async () => {
  serve.proc.kill('SIGTERM');
  await serve.exit;
  await rm(dir, { recursive: true, force: true });
});

async function call(path: string, body: unknown): Promise<{ status: number; json: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as never };
}

describe('conductor serve: bad input', () => {
  it('a kubeconfig that is a FIFO, /dev/zero, a folder or a credentials file is a 400 naming it; the server still answers', async () => {
    for (const k of await hostileKubeconfigs(dir)) {
      for (const path of ['/api/parity/read', '/api/run/start']) {
        const r = await call(path, { text: specWithKubeconfig(k.path) });
        expect(r.status, `${path} with ${k.name}: ${JSON.stringify(r.json)}`).toBe(400);
        expect(r.json.error?.code).toBe('USAGE');
        expect(r.json.error?.message).toContain(k.path);
        expect(r.json.error?.message).toMatch(k.says);
        expect(quotesNothing(JSON.stringify(r.json))).toBe(true);
        const status = await call('/api/run/status', {});
        expect(status.status).toBe(200);
      }
    }
  });

  it('answers status requests while it validates a 1 MiB many-key spec', async () => {
    const { text } = manyKeySpec('labels', SPEC_LIMITS.maxBytes - 1024);
    let validated = false;
    const validation = call('/api/spec/validate', { text }).then((r) => {
      validated = true;
      return r;
    });
    let answered = 0;
    while (!validated && answered < 1000) {
      expect((await call('/api/run/status', {})).status).toBe(200);
      if (!validated) answered++;
    }
    const r = await validation;
    expect(r.status).toBe(200);
    expect(r.json.value).toMatchObject({ ok: false, issues: [{ path: 'metadata.labels', message: 'has too many labels' }, { path: 'spec.load.locust' }] });
    // a server that validated in one piece would answer at most the one or two requests sent before it started
    expect(answered).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['/api/history/get', { runId: '..' }],
    ['/api/history/get', { runId: '.' }],
    ['/api/history/compare', { a: '..', b: 'x' }],
    ['/api/recovery/restore', { runId: '..' }],
    ['/api/run/status', { runId: '..' }],
    ['/api/run/abort', { runId: '.' }],
  ])('%s with a dot-only run id %j is a 400', async (path, body) => {
    const r = await call(path, body);
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('USAGE');
    expect(r.json.error?.message).toMatch(/a run id such as .* starting with a letter or digit/);
  });
});
