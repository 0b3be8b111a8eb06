import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TriggerResultDto } from '../../electron/core/service/events/intake.ts';
import type { TeamMessage } from '../../electron/core/service/team-messages.ts';
import type { QueueItemDto } from '../../shared/contract/index.ts';
import type { RunReport, RunSummary } from '../../shared/model/run.ts';
import { githubPush, startReceiver, startServeProcess, until, writeSpecs, type Receiver, type Serve } from './events-kit.ts';
import { differingFromSnapshot, startStandalone, type Standalone } from './recover-standalone-kit.ts';

/**
 * Event-driven load tests, driven as a CI system would: real HTTP to a real `conductor serve
 * --specs DIR` subprocess on the standalone sandbox (kubeconfig contexts, the ECS endpoint, the
 * Locust master), a GitHub push signed with the webhook secret, the owning team's webhook a
 * loopback receiver. Then kill -9 of serve with runs queued and one running, and a restart.
 */

const SECRET = 'gh-webhook-secret-for-tests';
const TOKEN = 'ci-bearer-token-0123456789';
let dir: string;
let standalone: Standalone;
let receiver: Receiver;
let specsDir: string;
let env: NodeJS.ProcessEnv;
const running: Serve[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-events-'));
  standalone = await startStandalone(dir, { timeScale: 60, rampUp: '2m', plateau: '2m' });
  receiver = await startReceiver();
  specsDir = await writeSpecs(standalone, dir);
  env = { ...standalone.env, GH_SECRET: SECRET, TEAM_CHECKOUT_WEBHOOK: receiver.url, TEAM_CHECKOUT_SLACK: `${receiver.url}?format=slack` };
});
afterEach(async () => {
  for (const s of running.splice(0)) {
    if (s.child.proc.exitCode === null && s.child.proc.signalCode === null) {
      s.child.proc.kill('SIGINT');
      await s.child.exit;
    }
  }
});
afterAll(async () => {
  await receiver?.close();
  await standalone?.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(data: string, extra: string[] = []): Promise<Serve> {
  const s = await startServeProcess(['--time-scale', '60', '--data-dir', data, '--specs', specsDir, '--github-secret', 'env:GH_SECRET', '--token', TOKEN, ...extra], env, TOKEN);
  running.push(s);
  return s;
}

const auth = { authorization: `Bearer ${TOKEN}` };
const finished = (i: QueueItemDto) => !['queued', 'starting', 'running'].includes(i.state);

/** a previous run of checkout-path in the data directory's export format (report.json), from before the store existed */
async function seedPreviousRun(data: string): Promise<string> {
  const runId = '20200101-000000Z-checkout-path-baseline';
  const verdict = { status: 'passed' as const, reasons: [], plateauOpm: 2400, targetOpm: 1200, plateauP99Ms: 50, errorRate: 0, knee: null, restoreComplete: true };
  const startedAt = '2020-01-01T00:00:00.000Z';
  const report: RunReport = {
    runId,
    specName: 'checkout-path',
    spec: {},
    startedAt,
    endedAt: startedAt,
    status: { runId, specName: 'checkout-path', state: 'passed', phase: 'verdict', startedAt, timeScale: 1, phases: [], apps: [], samples: [], guards: [], knee: null, abort: null, verdict, testEnvironment: 'sandbox-test', flags: [] },
    parityBefore: null,
    parityAfter: null,
    verdict,
  };
  await mkdir(join(data, 'runs', runId), { recursive: true });
  await writeFile(join(data, 'runs', runId, 'report.json'), JSON.stringify(report));
  return runId;
}

describe('conductor serve: change events to runs, one at a time per test environment, results to the owning team', () => {
  it('a signed GitHub push for checkout queues exactly the specs that select it, runs them one at a time, and posts the verdict and the deviation to the team', async () => {
    const data = join(dir, 'push');
    const baseline = await seedPreviousRun(data);
    const s = await serve(data);

    // unsigned, or signed with another secret: refused, nothing queued
    const unsigned = githubPush('checkout', 'a'.repeat(40), null, 'delivery-unsigned');
    const r0 = await s.api('/api/triggers/event', unsigned.body, unsigned.headers);
    expect(r0.status).toBe(401);
    const forged = githubPush('checkout', 'a'.repeat(40), 'not-the-secret', 'delivery-forged');
    expect((await s.api('/api/triggers/event', forged.body, forged.headers)).status).toBe(401);

    const push = githubPush('checkout', '3f2a1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f', SECRET, 'delivery-1');
    const r1 = await s.api<TriggerResultDto>('/api/triggers/event', push.body, push.headers);
    expect(r1.status, JSON.stringify(r1.json)).toBe(202);
    expect(r1.json.value!.queued.map((q) => q.specName).sort()).toEqual(['checkout-path', 'payments-e2e']);

    // the same delivery again: refused as a replay, nothing more queued
    const replay = await s.api('/api/triggers/event', push.body, push.headers);
    expect(replay.status).toBe(409);
    expect(replay.json.error!.message).toMatch(/already received/);

    const items = await until('both runs to finish', async () => {
      const q = await s.queue();
      return q.items.length === 2 && q.items.every(finished) ? q.items : undefined;
    }, 240_000);
    expect(items.map((i) => i.state)).toEqual(['done', 'done']);
    for (const i of items) expect(i.trigger).toMatchObject({ source: 'github', service: 'checkout', by: 'alice', summary: expect.stringContaining('GitHub push to acme/checkout main (3f2a1c0)') });

    // one at a time: the second started after the first ended
    const history = (await s.api<RunSummary[]>('/api/history/list', {})).json.value!;
    const runs = items.map((i) => history.find((h) => h.runId === i.runId)!).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    expect(runs).toHaveLength(2);
    expect(runs[1]!.startedAt >= runs[0]!.endedAt!).toBe(true);
    // the history from before the store was imported
    expect(history.map((h) => h.runId)).toContain(baseline);

    // the owning team heard the start and the verdict, with the deviation from the previous run and a link
    const messages = await until('the verdict message', async () => {
      const json = receiver.bodies.filter((b): b is TeamMessage => typeof b === 'object' && b !== null && 'kind' in b);
      return json.some((m) => m.kind === 'verdict') ? json : undefined;
    }, 30_000);
    const checkoutRun = items.find((i) => i.specName === 'checkout-path')!;
    expect(messages.map((m) => m.kind)).toEqual(['start', 'verdict']);
    const verdict = messages[1]!;
    expect(verdict).toMatchObject({ runId: checkoutRun.runId, specName: 'checkout-path', owners: ['team-checkout'], trigger: { source: 'github', service: 'checkout' } });
    expect(['passed', 'failed']).toContain(verdict.verdict!.status);
    expect(verdict.deviation!.baselineRunId).toBe(baseline);
    expect(verdict.deviation!.plateauOpmPct).toEqual(expect.any(Number));
    expect(verdict.deviation!.regressions.join(' ')).toMatch(/plateau OPM .* vs run 20200101-000000Z-checkout-path-baseline/);
    expect(verdict.link).toBe(`${s.url}/#/runs/${checkoutRun.runId}`);
    const slack = receiver.bodies.find((b): b is { text: string; blocks: unknown[] } => typeof b === 'object' && b !== null && 'blocks' in b)!;
    expect(slack.text).toMatch(/checkout-path: (passed|failed)/);
    expect(slack.text).toMatch(/vs previous run 20200101-000000Z-checkout-path-baseline: OPM [+-]\d/);
    // payments-e2e's owners have no route: nothing sent for it
    expect(receiver.bodies.some((b) => JSON.stringify(b).includes('payments-e2e'))).toBe(false);

    // the state is the owner's
    expect((await stat(join(data, 'conductor.db'))).mode & 0o777).toBe(0o600);
    expect(standalone.sandbox.productionMutatingRequests()).toBe(0);
  }, 300_000);

  it('an event with an image runs in feature-branch mode: that service at the image, the rest at production versions; a plain event needs the token', async () => {
    const data = join(dir, 'feature');
    const s = await serve(data);
    const event = { service: 'checkout', image: 'registry.example/checkout-api:feature-x', ref: 'feature-x' };
    expect((await s.api('/api/triggers/event', event)).status).toBe(401);
    // an event can only select among the stored specs: it cannot name a cluster or a context
    const sneaky = await s.api('/api/triggers/event', { ...event, context: 'prod-eu' }, auth);
    expect(sneaky.status).toBe(400);
    expect(sneaky.json.error!.message).toMatch(/Unrecognized key/);

    const r = await s.api<TriggerResultDto>('/api/triggers/event', event, auth);
    expect(r.status, JSON.stringify(r.json)).toBe(202);
    const queued = r.json.value!.queued;
    expect(queued.find((q) => q.specName === 'checkout-path')!.overrides).toEqual({ checkout: 'registry.example/checkout-api:feature-x' });
    // payments-e2e selects checkout by label but does not deploy it: no override there
    expect(queued.find((q) => q.specName === 'payments-e2e')!.overrides).toEqual({});
    // the same change again (another delivery): queued once
    const again = await s.api<TriggerResultDto>('/api/triggers/event', event, { ...auth, 'Idempotency-Key': 'second-delivery' });
    expect(again.json.value!.queued.every((q) => q.alreadyQueued)).toBe(true);

    const items = await until('the feature-branch runs', async () => {
      const q = await s.queue();
      return q.items.length === 2 && q.items.every(finished) ? q.items : undefined;
    }, 240_000);
    const item = items.find((i) => i.specName === 'checkout-path')!;
    expect(item.state).toBe('done');
    const report = (await s.api<RunReport>('/api/history/get', { runId: item.runId }, auth)).json.value!;
    const spec = report.spec as { spec: { deploy: { overrides: Record<string, { image: string }> } } };
    expect(spec.spec.deploy.overrides).toEqual({ checkout: { image: 'registry.example/checkout-api:feature-x' } });
    // checkout was rolled out (to the branch image) and came up
    expect(report.timeline!.some((a) => a.app === 'checkout' && a.phase === 'deploy' && a.state === 'ready')).toBe(true);
    expect(report.timeline!.some((a) => a.app === 'checkout' && a.phase === 'deploy' && a.state === 'rolling')).toBe(true);
  }, 300_000);

  it('a schedule fires inside serve', async () => {
    const data = join(dir, 'schedule');
    const scheduledDir = join(dir, 'scheduled-specs');
    await mkdir(scheduledDir, { recursive: true });
    const text = JSON.parse(await readFile(join(specsDir, 'browse.yaml'), 'utf8')) as { metadata: { name: string }; spec: Record<string, unknown> };
    text.metadata.name = 'nightly-browse';
    text.spec.schedule = { cron: '*/2 * * * * *', timeZone: 'Europe/Berlin' };
    await writeFile(join(scheduledDir, 'nightly.yaml'), JSON.stringify(text));
    const s = await startServeProcess(['--time-scale', '60', '--data-dir', data, '--specs', scheduledDir, '--token', TOKEN], env, TOKEN);
    running.push(s);
    expect(s.child.out()).toMatch(/specs: 1 from .* \(1 on a schedule\)/);
    const item = await until('a scheduled run', async () => (await s.queue()).items.find((i) => i.trigger.source === 'schedule'), 30_000);
    expect(item).toMatchObject({ specName: 'nightly-browse', reason: 'schedule "*/2 * * * * *" (Europe/Berlin)' });
    const q = await s.queue();
    expect(q.schedules).toEqual([expect.objectContaining({ specName: 'nightly-browse', cron: '*/2 * * * * *', timeZone: 'Europe/Berlin', nextRun: expect.any(String) })]);
    // one scheduled run pending at a time, whatever the number of slots meanwhile
    expect(q.items.filter((i) => ['queued', 'starting', 'running'].includes(i.state))).toHaveLength(1);
  }, 120_000);

  it('kill -9 of serve with one run running and two queued; after a restart the running one is recovered (restored) and the queued ones run', async () => {
    const data = join(dir, 'kill9');
    const first = await serve(data);
    for (const [i, version] of ['1.0.1', '1.0.2', '1.0.3'].entries()) {
      const r = await first.api<TriggerResultDto>('/api/triggers/event', { service: 'cart', version, id: `release-${i}` }, auth);
      expect(r.status, JSON.stringify(r.json)).toBe(202);
    }
    // cart is in checkout-path and browse: 6 runs on one test environment, one at a time
    const runningItem = await until('the first run to reach the ramp', async () => {
      const q = await first.queue();
      const item = q.items.find((i) => i.state === 'running');
      if (!item?.runId) return undefined;
      const st = (await first.api<{ phase: string | null }>('/api/run/status', { runId: item.runId })).json.value;
      return st?.phase === 'ramp' ? item : undefined;
    }, 120_000);
    const before = await first.queue();
    expect(before.items.filter((i) => i.state === 'queued').length).toBeGreaterThanOrEqual(2);
    first.child.proc.kill('SIGKILL');
    expect((await first.child.exit).signal).toBe('SIGKILL');
    expect((await differingFromSnapshot(standalone, data, runningItem.runId!)).length).toBeGreaterThan(0);

    const second = await serve(data);
    const after = await until('the queue to drain', async () => {
      const q = await second.queue();
      return q.items.every(finished) ? q.items : undefined;
    }, 280_000);
    const recovered = after.find((i) => i.id === runningItem.id)!;
    expect(recovered.state, recovered.outcome ?? '').toBe('recovered');
    expect(recovered.outcome).toMatch(/is back to its state before the run/);
    const rest = after.filter((i) => i.id !== runningItem.id);
    expect(rest.map((i) => i.state)).toEqual(rest.map(() => 'done'));
    expect(rest).toHaveLength(before.items.length - 1);
    expect(await differingFromSnapshot(standalone, data, runningItem.runId!)).toEqual([]);
    expect(standalone.sandbox.productionMutatingRequests()).toBe(0);
  }, 420_000);
});
