import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../support/clocks.ts';
import { runLoadTest } from '../../../electron/core/run/conductor.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { makeSpec, makeWorld } from './lifecycle-fakes.ts';

/** Cleanup hooks: HTTP (a real loopback server) and Kubernetes Jobs (through the optional runJob seam). */

let dataDir: string;
let server: Server;
let base: string;
let hits: { method: string; url: string; auth: string | undefined; body: string }[];
let answer = 204;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-cleanup-'));
  hits = [];
  answer = 204;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await rm(dataDir, { recursive: true, force: true });
});

describe('cleanup hooks', () => {
  it('run in order after restore, even when the run was aborted, with method, headers and body', async () => {
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const jobs: string[] = [];
    w.testK8s.runJob = async (job) => {
      jobs.push(`${job.namespace}/${job.name}: ${job.command.join(' ')}`);
      return { succeeded: true };
    };
    let restoredFirst = false;
    const r = await runLoadTest(
      makeSpec((s) => {
        s.spec.cleanup = [
          { http: { method: 'DELETE', url: `${base}/test-orders?run=x`, headers: { authorization: 'Bearer t' } } },
          { kubernetesJob: { namespace: 'shop', name: 'purge', image: 'reg/purge:1', command: ['purge', '--all'] } },
          { http: { method: 'POST', url: `${base}/reset`, body: '{"all":true}' } },
        ];
      }),
      { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir },
      {
        onEvent: (e) => {
          if (e.type === 'phase' && e.phase === 'cleanup' && e.state === 'running') restoredFirst = w.testK8s.apps.get('checkout')!.replicas === 2;
        },
      },
    );
    expect(r.verdict.status).toBe('passed');
    expect(restoredFirst).toBe(true);
    expect(hits).toEqual([
      { method: 'DELETE', url: '/test-orders?run=x', auth: 'Bearer t', body: '' },
      { method: 'POST', url: '/reset', auth: undefined, body: '{"all":true}' },
    ]);
    expect(jobs).toEqual(['shop/purge: purge --all']);
    expect(r.status.phases.find((p) => p.phase === 'cleanup')?.state).toBe('done');
  });

  it('a non-2xx answer or a missing Job seam is flagged; the remaining hooks still run; the verdict stands', async () => {
    answer = 500;
    const clock = new VirtualClock();
    const w = makeWorld(clock);
    const r = await runLoadTest(
      makeSpec((s) => {
        s.spec.cleanup = [{ http: { url: `${base}/a` } }, { kubernetesJob: { namespace: 'shop', name: 'purge', image: 'i', command: ['x'] } }, { http: { url: `${base}/b` } }];
      }),
      { clock, substrates: w.substrates, locust: w.locust, kpi: w.kpi, logger: silentLogger, dataDir },
    );
    expect(r.verdict.status).toBe('passed');
    expect(hits.map((h) => h.url)).toEqual(['/a', '/b']);
    expect(r.status.flags.filter((f) => f.startsWith('cleanup'))).toEqual([
      `cleanup hook 1 failed: DELETE ${base}/a answered HTTP 500, expected 2xx`,
      `cleanup hook 3 failed: DELETE ${base}/b answered HTTP 500, expected 2xx`,
    ]);
  });
});
