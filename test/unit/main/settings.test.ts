import { describe, expect, it } from 'vitest';
import { createSettings, DEFAULT_SETTINGS, type KeyValueStore } from '../../../electron/main/settings.ts';
import { noticeFor } from '../../../electron/main/notifications.ts';

const mapStore = (): KeyValueStore & { data: Map<string, unknown> } => {
  const data = new Map<string, unknown>();
  return { data, get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
};

describe('settings', () => {
  it('starts from defaults and ignores corrupt sections', () => {
    const store = mapStore();
    store.data.set('window', { width: 'wide' });
    expect(createSettings(store).read()).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps names, paths and URLs, never credentials', () => {
    const s = createSettings(mapStore());
    s.setEnvironments({ kubeconfigs: [{ path: '/home/u/.kube/config', contexts: ['prod-eu', 'loadtest-eu'] }], aws: [{ profile: 'loadtest', region: 'eu-central-1' }], locustUrls: ['http://locust:8089'] });
    expect(s.read().environments.aws).toEqual([{ profile: 'loadtest', region: 'eu-central-1' }]);
    expect(() => s.setEnvironments({ kubeconfigs: [], aws: [], locustUrls: ['http://admin:hunter2@locust:8089'] })).toThrow(/without credentials/);
    expect(() => s.setEnvironments({ kubeconfigs: [], aws: [], locustUrls: ['http://locust:8089/?token=abc'] })).toThrow(/without credentials/);
    const sneaky = { kubeconfigs: [], aws: [{ profile: 'p', region: 'eu-central-1', secretAccessKey: 'x' }], locustUrls: [] };
    expect(() => s.setEnvironments(sneaky as never)).toThrow();
  });

  it('keeps the ten most recent specs, newest first', () => {
    const s = createSettings(mapStore());
    for (let i = 0; i < 12; i++) s.addRecentSpec(`/specs/${i}.yaml`);
    s.addRecentSpec('/specs/5.yaml');
    const recent = s.read().recentSpecs;
    expect(recent).toHaveLength(10);
    expect(recent[0]).toBe('/specs/5.yaml');
    expect(recent.filter((p) => p === '/specs/5.yaml')).toHaveLength(1);
  });
});

describe('desktop notifications', () => {
  it('notifies phase starts, guard breaches, the verdict and a finished abort', () => {
    expect(noticeFor({ type: 'phase', runId: 'r', phase: 'ramp', state: 'running' })?.title).toBe('Load test: ramp');
    expect(noticeFor({ type: 'phase', runId: 'r', phase: 'ramp', state: 'done' })).toBeNull();
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
