import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { VirtualClock } from '../../support/clocks.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { createConductorService } from '../../../electron/core/service/service.ts';
import type { OpenedEnvironment } from '../../../electron/core/service/environment.ts';
import type { ConductorService } from '../../../electron/core/service/service-types.ts';
import type { RunEvent } from '../../../shared/model/run.ts';
import { baseSpecInput, makeWorld, testState, type World } from './lifecycle-fakes.ts';

let dir: string;
let service: ConductorService;
let world: World;
let opened = 0;
let closed = 0;

const specText = (mutate: (s: ReturnType<typeof baseSpecInput>) => void = () => undefined) => {
  const s = baseSpecInput();
  mutate(s);
  return stringify(s);
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-service-'));
  opened = closed = 0;
  const clock = new VirtualClock();
  world = makeWorld(clock);
  const openEnvironment = async (): Promise<OpenedEnvironment> => {
    opened += 1;
    return { substrates: world.substrates, locust: world.locust, kpi: world.kpi, clock, close: async () => void (closed += 1) };
  };
  service = createConductorService({ dataDir: join(dir, 'data'), host: 'http', openEnvironment, logger: silentLogger, examplesDir: 'examples', env: { HOME: join(dir, 'home') } });
});
afterEach(async () => {
  await service.close();
  await rm(dir, { recursive: true, force: true });
});

const ended = (svc: ConductorService) =>
  new Promise<RunEvent>((resolve) => {
    const off = svc.onEvent((e) => {
      if (e.type === 'run-ended') {
        off();
        resolve(e);
      }
    });
  });

describe('the conductor service', () => {
  it('runs one at a time, fans events out, and keeps the history', async () => {
    const events: RunEvent[] = [];
    service.onEvent((e) => events.push(e));
    const done = ended(service);
    const { runId, status } = await service.handlers['run:start']({ text: specText() });
    expect(status.state === 'pending' || status.state === 'running').toBe(true);
    await expect(service.handlers['run:start']({ text: specText() })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await service.handlers['run:status']({}))?.runId).toBe(runId);
    await done;
    expect(events[0]?.type).toBe('run-started');
    expect(events.some((e) => e.type === 'sample')).toBe(true);
    const final = await service.handlers['run:status']({ runId });
    expect(final?.state).toBe('passed');
    const list = await service.handlers['history:list']({});
    expect(list.map((s) => s.runId)).toEqual([runId]);
    expect((await service.handlers['history:get']({ runId })).verdict.status).toBe('passed');
    // a second run is allowed as soon as the first ended, and can be compared
    const d2 = ended(service);
    const second = await service.handlers['run:start']({ text: specText() });
    await d2;
    await vi.waitFor(() => expect(closed).toBe(opened)); // every environment a run opened is closed
    const cmp = await service.handlers['history:compare']({ a: runId, b: second.runId });
    expect(cmp.a.runId).toBe(runId);
  });

  it('run:abort aborts the active run (idempotent) and the environment is restored', async () => {
    const before = testState(world);
    const done = ended(service);
    const { runId } = await service.handlers['run:start']({ text: specText() });
    const off = service.onEvent(async (e) => {
      if (e.type === 'phase' && e.phase === 'deploy' && e.state === 'running') {
        off();
        const a = await service.handlers['run:abort']({ runId, reason: 'stop it' });
        const b = await service.handlers['run:abort']({ runId });
        expect([a.accepted, b.accepted]).toEqual([true, false]);
      }
    });
    const end = await done;
    expect(end.type === 'run-ended' && end.status.state).toBe('aborted');
    expect(testState(world)).toEqual(before);
    expect((await service.handlers['run:abort']({ runId: 'other-run' })).accepted).toBe(false);
  });

  it('close() aborts a running run and waits for its restore', async () => {
    const before = testState(world);
    let ramp!: () => void;
    const inRamp = new Promise<void>((r) => (ramp = r));
    service.onEvent((e) => e.type === 'phase' && e.phase === 'ramp' && ramp());
    await service.handlers['run:start']({ text: specText() });
    await inRamp;
    await service.close();
    expect(testState(world)).toEqual(before);
  });

  it('an invalid spec is a SPEC_INVALID error for run:start and a list of issues for spec:validate', async () => {
    await expect(service.handlers['run:start']({ text: 'kind: LoadTest\n' })).rejects.toMatchObject({ code: 'SPEC_INVALID' });
    const bad = await service.handlers['spec:validate']({ text: specText((s) => void (s.spec.load.targetOrdersPerMinute = -1)) });
    expect(bad.ok).toBe(false);
    expect(bad.issues[0]?.path).toMatch(/targetOrdersPerMinute/);
    const good = await service.handlers['spec:validate']({ text: specText() });
    expect(good).toMatchObject({ ok: true, specName: 'unit-rehearsal' });
    expect(good.resolved).toMatch(/controlInterval: 15s/);
    expect(good.testEnvironment).toMatch(/test-ctx/);
  });

  it('spec:examples lists the LoadTest examples only; spec:open/save are null over HTTP', async () => {
    const ex = await service.handlers['spec:examples']({});
    expect(ex.map((e) => e.name)).toContain('sandbox');
    expect(ex.every((e) => /kind: LoadTest/.test(e.text))).toBe(true);
    const examplesDir = join(dir, 'examples');
    await mkdir(examplesDir);
    await writeFile(join(examplesDir, 'cronjob.yaml'), 'apiVersion: batch/v1\nkind: CronJob\n');
    await writeFile(join(examplesDir, 'mine.yaml'), specText());
    const other = createConductorService({ dataDir: join(dir, 'data2'), host: 'http', logger: silentLogger, examplesDir });
    expect((await other.handlers['spec:examples']({})).map((e) => e.name)).toEqual(['mine']);
    await other.close();
    expect(await service.handlers['spec:open']({})).toBeNull();
    expect(await service.handlers['spec:save']({ text: 'x' })).toBeNull();
  });

  it('env:list returns kubeconfig context names and AWS profile names, never secrets', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await mkdir(join(home, '.aws'), { recursive: true });
    await writeFile(
      join(home, '.kube', 'config'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c1', cluster: { server: 'https://k.example:6443' } }],
        users: [{ name: 'u1', user: { token: 'SECRET-TOKEN' } }],
        contexts: [
          { name: 'prod-eu', context: { cluster: 'c1', user: 'u1' } },
          { name: 'loadtest-eu', context: { cluster: 'c1', user: 'u1' } },
        ],
        'current-context': 'prod-eu',
      }),
    );
    await writeFile(join(home, '.aws', 'config'), '[default]\nregion = eu-central-1\n[profile prod-readonly]\nsso_session = x\n[sso-session x]\nsso_start_url = https://x\n');
    await writeFile(join(home, '.aws', 'credentials'), '[loadtest]\naws_access_key_id = AKIASECRET\naws_secret_access_key = SECRETKEY\n');
    const env = await service.handlers['env:list']({});
    expect(env.kubeContexts).toEqual(['loadtest-eu', 'prod-eu']);
    expect(env.awsProfiles).toEqual(['default', 'loadtest', 'prod-readonly']);
    expect(env.host).toBe('http');
    expect(JSON.stringify(env)).not.toMatch(/SECRET|AKIA|token/i);
  });

  it('recovery:list and recovery:restore bring a crashed run back', async () => {
    // a run that "crashes": its journal is left without an end (we abort the process's view by failing restore)
    let restoring = false;
    world.testK8s.failApply = (app) => (restoring && app === 'cart' ? new Error('API server down') : null);
    service.onEvent((e) => {
      if (e.type === 'phase' && e.phase === 'restore' && e.state === 'running') restoring = true;
    });
    const done = ended(service);
    const { runId } = await service.handlers['run:start']({ text: specText() });
    await done;
    const pending = await service.handlers['recovery:list']({});
    expect(pending.map((p) => p.runId)).toEqual([runId]);
    world.testK8s.failApply = () => null;
    const r = await service.handlers['recovery:restore']({ runId });
    expect(r.restored).toBe(true);
    expect(await service.handlers['recovery:list']({})).toEqual([]);
    expect(world.testK8s.apps.get('cart')!.replicas).toBe(1);
  });

  it("recovery:restore obeys the CLI's rules: a live run is refused, a finished one needs --force", async () => {
    const done = ended(service);
    const { runId } = await service.handlers['run:start']({ text: specText() });
    // while it runs: its process (this one) is alive — recovering it would make two writers
    await expect(service.handlers['recovery:restore']({ runId })).rejects.toMatchObject({ code: 'CONFLICT' });
    await done;
    const writes = world.writes.length;
    const notNeeded = await service.handlers['recovery:restore']({ runId });
    expect(notNeeded).toEqual({ restored: false, message: expect.stringMatching(/needs no restore: it ended \(passed\) with the test environment restored\. Nothing written\./) });
    expect(world.writes.length).toBe(writes);
    const forced = await service.handlers['recovery:restore']({ runId, force: true });
    expect(forced.restored).toBe(true);
    expect(forced.message).toMatch(/back to its state before the run \(it was not pending\)/);
    await expect(service.handlers['recovery:restore']({ runId: '..' })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('start and recovery decisions are atomic: of requests at the same instant, one goes ahead', async () => {
    // a crashed run to recover
    let restoring = false;
    world.testK8s.failApply = (app) => (restoring && app === 'cart' ? new Error('API server down') : null);
    const off = service.onEvent((e) => {
      if (e.type === 'phase' && e.phase === 'restore' && e.state === 'running') restoring = true;
    });
    const done = ended(service);
    const { runId } = await service.handlers['run:start']({ text: specText() });
    await done;
    off();
    world.testK8s.failApply = () => null;

    const results = await Promise.allSettled([
      service.handlers['recovery:restore']({ runId }),
      service.handlers['recovery:restore']({ runId }),
      service.handlers['run:start']({ text: specText() }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['CONFLICT', 'CONFLICT']);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { restored: true } });
  });
});
