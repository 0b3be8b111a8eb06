import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSettings, DEFAULT_WINDOW, type KeyValueStore } from '../../../electron/main/settings.ts';
import { createFileSettingsStore, SETTINGS_FILE } from '../../../electron/core/service/settings-store.ts';
import { noticeFor } from '../../../electron/main/notifications.ts';
import { DEFAULT_SETTINGS_DTO, secretShape, settingsPatchSchema, type EnvironmentChoice } from '../../../shared/contract/settings.ts';

const mapStore = (): KeyValueStore & { data: Map<string, unknown> } => {
  const data = new Map<string, unknown>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
};

const CHOICE: EnvironmentChoice = {
  production: { context: 'prod-eu', kubeconfig: '/home/u/.kube/config', awsProfile: 'prod-readonly', awsRegion: 'eu-central-1' },
  test: { context: 'arn:aws:eks:eu-central-1:123456789012:cluster/loadtest', awsProfile: 'loadtest', awsRegion: 'eu-west-1' },
  locustUrl: 'http://locust-master.loadtest:8089',
};

/** secret-looking values that must never be stored, wherever they are put */
const SECRET_VALUES = [
  'AKIAFAKEACCESSKEY0001',
  'fakeSecretAccessKey/K7MDENG/bPxRfiCYFAKEKEY',
  'token=FAKE-BEARER-TOKEN-7f3a9c1e5b2d4680',
  'Bearer abc.def',
  '-----BEGIN RSA PRIVATE KEY-----',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig',
];

describe('settings in the desktop app (electron-store)', () => {
  it('starts from defaults and ignores corrupt sections', () => {
    const store = mapStore();
    store.data.set('window', { width: 'wide' });
    store.data.set('environments', { production: { token: 'x' }, test: {} });
    expect(createSettings(store).read()).toEqual({ ...DEFAULT_SETTINGS_DTO, window: DEFAULT_WINDOW });
  });

  it('keeps names, paths and URLs, never credentials', async () => {
    const s = createSettings(mapStore());
    expect(await s.set({ environments: CHOICE })).toEqual({ environments: CHOICE, recentSpecs: [] });
    expect((await s.get()).environments).toEqual(CHOICE);
    expect(() => s.setEnvironments({ ...CHOICE, locustUrl: 'http://admin:hunter2@locust:8089' })).toThrow(/without credentials/);
    expect(() => s.setEnvironments({ ...CHOICE, locustUrl: 'http://locust:8089/?token=abc' })).toThrow(/without credentials/);
    const sneaky = { ...CHOICE, production: { ...CHOICE.production, secretAccessKey: 'x' } };
    expect(() => s.setEnvironments(sneaky as never)).toThrow();
    for (const v of SECRET_VALUES) {
      await expect(s.set({ environments: { ...CHOICE, test: { context: v } } }), v).rejects.toThrow(/never secrets|a name without spaces/);
    }
    expect((await s.get()).environments).toEqual(CHOICE);
  });

  it('keeps the ten most recent specs, newest first', () => {
    const s = createSettings(mapStore());
    for (let i = 0; i < 12; i++) s.addRecentSpec(`/specs/${i}.yaml`);
    s.addRecentSpec('/specs/5.yaml');
    const recent = s.read().recentSpecs;
    expect(recent).toHaveLength(10);
    expect(recent[0]).toBe('/specs/5.yaml');
    expect(recent.filter((p) => p === '/specs/5.yaml')).toHaveLength(1);
    // a secret-looking "path" is not remembered
    expect(s.addRecentSpec('password=hunter2')).toEqual(recent);
  });
});

describe('settings in conductor serve (settings.json in the data directory)', () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it('reads defaults, then persists atomically across store instances', async () => {
    dir = await mkdtemp(join(tmpdir(), 'conductor-settings-'));
    const a = createFileSettingsStore(dir);
    expect(await a.get()).toEqual(DEFAULT_SETTINGS_DTO);
    await a.set({ environments: CHOICE });
    await a.set({ recentSpecs: ['/specs/a.yaml'] });
    expect(await createFileSettingsStore(dir).get()).toEqual({ environments: CHOICE, recentSpecs: ['/specs/a.yaml'] });
    // no temp files left behind
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    expect(JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8'))).toEqual({ environments: CHOICE, recentSpecs: ['/specs/a.yaml'] });
  });

  it('applies concurrent writes in call order and refuses secrets', async () => {
    dir = await mkdtemp(join(tmpdir(), 'conductor-settings-'));
    const s = createFileSettingsStore(dir);
    await Promise.all(Array.from({ length: 8 }, (_, i) => s.set({ recentSpecs: [`/specs/${i}.yaml`] })));
    expect((await s.get()).recentSpecs).toEqual(['/specs/7.yaml']);
    await expect(s.set({ environments: { ...CHOICE, production: { awsProfile: 'AKIAFAKEACCESSKEY0001' } } })).rejects.toThrow(/never secrets/);
    expect((await s.get()).recentSpecs).toEqual(['/specs/7.yaml']);
  });

  it('reads a corrupt file as the defaults', async () => {
    dir = await mkdtemp(join(tmpdir(), 'conductor-settings-'));
    await writeFile(join(dir, SETTINGS_FILE), '{"environments": {"production": {"context": "prod"}, "test": {"token": "x"}}, "recentSpecs": 7');
    expect(await createFileSettingsStore(dir).get()).toEqual(DEFAULT_SETTINGS_DTO);
  });
});

describe('secret shapes', () => {
  it('flags keys, tokens and credentials but not names, paths or ARNs', () => {
    for (const v of SECRET_VALUES) expect(secretShape(v), v).not.toBeNull();
    for (const v of ['prod-eu', '/home/u/.kube/config', 'arn:aws:eks:eu-central-1:123456789012:cluster/loadtest', 'gke_my-project_europe-west1_prod-cluster', 'C:\\Users\\u\\.kube\\config']) {
      expect(secretShape(v), v).toBeNull();
    }
    expect(settingsPatchSchema.safeParse({ environments: CHOICE, extra: 1 }).success).toBe(false);
  });
});

describe('desktop notifications', () => {
  it('notifies phase starts, guard breaches, the verdict and a finished abort', () => {
    expect(noticeFor({ type: 'phase', runId: 'r', phase: 'ramp', state: 'running', t: 0 })?.title).toBe('Load test: ramp');
    expect(noticeFor({ type: 'phase', runId: 'r', phase: 'ramp', state: 'done', t: 0 })).toBeNull();
    const breach = noticeFor({ type: 'guard', runId: 'r', guard: { guard: 'maxP99Ms', state: 'breached', value: 2100, limit: 1500, message: 'p99 2100 ms > 1500 ms', t: 1 } });
    expect(breach).toMatchObject({ title: 'Guard breached: maxP99Ms', urgent: true });
    expect(noticeFor({ type: 'guard', runId: 'r', guard: { guard: 'maxP99Ms', state: 'ok', value: 1, limit: 2, message: '', t: 1 } })).toBeNull();
    const verdict = noticeFor({
      type: 'verdict',
      runId: 'r',
      verdict: { status: 'failed', reasons: ['target not reached'], plateauOpm: 900.4, targetOpm: 1200, plateauP99Ms: 100, errorRate: 0, knee: null, restoreComplete: true },
    });
    expect(verdict).toEqual({ title: 'Load test failed', body: '900 of 1200 OPM: target not reached', urgent: true });
    expect(noticeFor({ type: 'sample', runId: 'r', sample: { t: 0, phase: 'ramp', targetOpm: 1, setpointOpm: 1, actualOpm: 1, users: 1, spawnRate: 1, errorRate: 0, p99Ms: null } })).toBeNull();
  });
});
