import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConductorService } from '../../../electron/core/service/service.ts';
import { SandboxHost } from '../../../electron/sandbox/index.ts';
import type { ConductorService } from '../../../electron/core/service/service-types.ts';
import { silentLogger } from '../../../electron/base/logger.ts';
import { registerIpcHandlers, type IpcEventLike, type IpcMainLike } from '../../../electron/main/ipc.ts';
import { startHttpServer, type HttpServerHandle } from '../../../electron/headless/http-server.ts';
import { CHANNELS, HTTP_EVENTS_PATH, REQUEST_SCHEMAS, httpPathFor, type Channel, type RequestMap } from '../../../shared/contract/index.ts';
import type { RunEvent } from '../../../shared/model/run.ts';

/**
 * No secret ever crosses a transport: with a kubeconfig full of fake tokens, passwords and client
 * keys, and fake AWS credentials in HOME, every channel is called over IPC and over HTTP (and a
 * sandbox run streams its events), and every payload is scanned for those strings.
 */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const KUBECONFIG = join(ROOT, 'test', 'fixtures', 'kubeconfig-secrets.yaml');
const AWS_SECRETS = ['AKIAFAKEACCESSKEY0001', 'fakeSecretAccessKey/K7MDENG/bPxRfiCYFAKEKEY', 'FAKE-SESSION-TOKEN-aws-9d8c7b6a'];
const KUBE_SECRETS = [
  'FAKE-BEARER-TOKEN-7f3a9c1e5b2d4680',
  'FAKE-PASSWORD-hunter2-c0nduct0r',
  'RkFLRS1DTElFTlQtQ0VSVElGSUNBVEUtREFUQS0xMjM0NTY3ODkw',
  'RkFLRS1DTElFTlQtS0VZLURBVEEtYWJjZGVmMDEyMzQ1Njc4OQ==',
  // decoded forms too
  'FAKE-CLIENT-CERTIFICATE-DATA',
  'FAKE-CLIENT-KEY-DATA',
];
const SECRETS = [...KUBE_SECRETS, ...AWS_SECRETS];

let home: string;
let service: ConductorService;
let server: HttpServerHandle;
const payloads: { where: string; text: string }[] = [];
let sandboxText: string;

function scan() {
  const leaks = payloads.flatMap((p) => SECRETS.filter((s) => p.text.includes(s)).map((s) => `${p.where}: ${s}`));
  return leaks;
}

/** requests for every channel: the sandbox spec, and a spec pointing at the secret kubeconfig */
function requests(secretSpec: string): { [C in Channel]: RequestMap[C][] } {
  return {
    'env:list': [{}],
    'spec:validate': [{ text: sandboxText, fileName: 'sandbox.yaml' }, { text: secretSpec, fileName: 'secret.yaml' }],
    'spec:examples': [{}],
    'spec:open': [{}],
    'spec:save': [{ text: sandboxText }],
    'parity:read': [{ text: secretSpec }],
    'run:start': [{ text: secretSpec }],
    'run:abort': [{ runId: 'no-such-run' }],
    'run:status': [{}],
    'history:list': [{}],
    'history:get': [{ runId: 'no-such-run' }],
    'history:compare': [{ a: 'no-such-run', b: 'other-run' }],
    'recovery:list': [{}],
    'recovery:restore': [{ runId: 'no-such-run' }],
    'settings:get': [{}],
    'queue:list': [{}],
    'queue:cancel': [{ id: 1 }],
    'settings:set': [
      { environments: { production: { context: 'secret-prod', kubeconfig: KUBECONFIG, awsProfile: 'default', awsRegion: 'eu-central-1' }, test: { context: 'secret-test', awsProfile: 'loadtest' }, locustUrl: 'http://127.0.0.1:9' } },
      // every secret, put where a name, path or URL belongs: refused, and never echoed back
      ...SECRETS.flatMap((secret) => [
        { environments: { production: { context: secret }, test: { context: 'secret-test' } } },
        { environments: { production: { awsProfile: secret }, test: {} } },
        { environments: { production: {}, test: { kubeconfig: secret } } },
        { environments: { production: {}, test: {} }, locustUrl: `http://admin:${secret}@127.0.0.1:9` },
        { recentSpecs: [secret] },
      ]),
      { environments: { production: {}, test: {}, locustUrl: `http://127.0.0.1:9/?token=${SECRETS[0]}` } },
      { environments: { production: { awsProfile: 'default', secretAccessKey: AWS_SECRETS[1] }, test: {} } } as never,
    ],
  };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'conductor-secrets-'));
  await mkdir(join(home, '.aws'));
  await writeFile(join(home, '.aws', 'credentials'), `[default]\naws_access_key_id = ${AWS_SECRETS[0]}\naws_secret_access_key = ${AWS_SECRETS[1]}\naws_session_token = ${AWS_SECRETS[2]}\n\n[loadtest]\naws_access_key_id = ${AWS_SECRETS[0]}\naws_secret_access_key = ${AWS_SECRETS[1]}\n`);
  await writeFile(join(home, '.aws', 'config'), '[default]\nregion = eu-central-1\n\n[profile prod-readonly]\nregion = eu-central-1\n');
  sandboxText = await readFile(join(ROOT, 'examples', 'sandbox.yaml'), 'utf8');
  service = createConductorService({
    dataDir: join(home, 'data'),
    host: 'http',
    timeScale: 1000,
    env: { HOME: home, KUBECONFIG, PATH: process.env.PATH },
    examplesDir: join(ROOT, 'examples'),
    logger: silentLogger,
    sandbox: new SandboxHost({ timeScale: 1000 }),
  });
  service.onEvent((e) => payloads.push({ where: `event ${e.type}`, text: JSON.stringify(e) }));
  server = await startHttpServer({ service, staticDir: join(home, 'no-renderer') });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await service?.close();
  await rm(home, { recursive: true, force: true });
});

const secretSpec = (ctx: string) => `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: secret-rehearsal }
spec:
  production: { kubernetes: { context: secret-prod, kubeconfig: ${KUBECONFIG} }, ecs: { region: eu-central-1, cluster: prod, profile: default, endpoint: "http://127.0.0.1:9" } }
  test: { kubernetes: { context: ${ctx}, kubeconfig: ${KUBECONFIG} }, ecs: { region: eu-central-1, cluster: test, profile: loadtest, endpoint: "http://127.0.0.1:9" } }
  applications:
    - { name: checkout, kubernetes: { namespace: shop, deployment: checkout-api } }
    - { name: payments, ecs: { service: payments } }
  load:
    locust: { url: "http://127.0.0.1:9" }
    kpi: { locustRequest: POST /orders }
    targetOrdersPerMinute: 100
    rampUp: 1m
    plateau: 1m
`;

describe('no secret in any payload', () => {
  it('env:list names contexts and profiles but nothing else', async () => {
    const env = await service.handlers['env:list']({});
    expect(env.kubeContexts).toEqual(['secret-cert', 'secret-prod', 'secret-test']);
    expect(env.awsProfiles).toEqual(expect.arrayContaining(['default', 'loadtest', 'prod-readonly']));
  });

  it('over IPC: every channel, answers scanned', async () => {
    const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain: IpcMainLike = { handle: (c, l) => handlers.set(c, l), removeHandler: (c) => handlers.delete(c) };
    registerIpcHandlers({ ipcMain, handlers: service.handlers, isTrustedSender: () => true });
    const event: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: 'file:///app/index.html', parent: null } };
    for (const ctx of ['secret-test', 'secret-cert']) {
      const all = requests(secretSpec(ctx));
      for (const channel of Object.values(CHANNELS)) {
        for (const req of all[channel]) {
          const answer = await handlers.get(channel)!(event, req);
          payloads.push({ where: `ipc ${channel}`, text: JSON.stringify(answer) });
        }
      }
    }
    expect(payloads.filter((p) => p.where.startsWith('ipc')).length).toBeGreaterThanOrEqual(Object.keys(CHANNELS).length * 2);
    // the secret contexts were really used and failed (the errors are where a leak would be)
    expect(payloads.find((p) => p.where === 'ipc parity:read')!.text).toMatch(/"ok":(false|true)/);
    expect(scan()).toEqual([]);
  }, 60_000);

  it('settings refuse every secret: nothing secret is stored or read back', async () => {
    const all = requests(secretSpec('secret-test'))['settings:set'];
    let refused = 0;
    for (const req of all.slice(1)) {
      const r = REQUEST_SCHEMAS['settings:set'].safeParse(req);
      if (!r.success) refused++;
      else await expect(service.handlers['settings:set'](r.data), JSON.stringify(req)).rejects.toMatchObject({ code: 'USAGE' });
    }
    expect(refused).toBe(all.length - 1);
    const stored = await readFile(join(home, 'data', 'settings.json'), 'utf8').catch(() => '');
    payloads.push({ where: 'settings.json', text: stored });
    payloads.push({ where: 'settings:get', text: JSON.stringify(await service.handlers['settings:get']({})) });
    expect(scan()).toEqual([]);
  });

  it('over HTTP: every channel and the event stream of a sandbox run, scanned', async () => {
    const controller = new AbortController();
    const stream = await fetch(server.url + HTTP_EVENTS_PATH, { signal: controller.signal });
    const reader = stream.body!.getReader();
    let sse = '';
    const pump = (async () => {
      const dec = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) break;
        sse += dec.decode(value);
      }
    })();
    const post = async (channel: Channel, body: unknown) => {
      const res = await fetch(server.url + httpPathFor(channel), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      payloads.push({ where: `http ${channel}`, text });
      return JSON.parse(text) as { ok: boolean; value?: unknown };
    };
    const all = requests(secretSpec('secret-test'));
    for (const channel of Object.values(CHANNELS)) for (const req of all[channel]) await post(channel, req);

    // a sandbox run, streamed to the end (after the failing secret-spec runs have ended)
    const idle = async () => {
      for (let i = 0; i < 600; i++) {
        const st = (await post('run:status', {})) as { value: { state: string } | null };
        if (!st.value || !['pending', 'running', 'aborting'].includes(st.value.state)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await idle();
    // the failed runs report their end a moment before the service lets go of them (it closes their environment): retry a CONFLICT
    let started = { ok: false } as { ok: boolean; value: { runId: string }; error?: { code: string } };
    for (let i = 0; i < 100; i++) {
      started = (await post('run:start', { text: sandboxText, timeScale: 1000 })) as typeof started;
      if (started.ok || started.error?.code !== 'CONFLICT') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(started.ok, JSON.stringify(started)).toBe(true);
    const runId = started.value.runId;
    for (let i = 0; i < 600; i++) {
      const st = (await post('run:status', { runId })) as { value: { state: string } | null };
      if (st.value && !['pending', 'running', 'aborting'].includes(st.value.state)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await post('history:get', { runId });
    await post('history:list', {});
    controller.abort();
    await pump;
    payloads.push({ where: 'sse', text: sse });
    const events = sse
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)) as RunEvent);
    expect(events.some((e) => e.type === 'sample')).toBe(true);
    expect(events.some((e) => e.type === 'run-ended')).toBe(true);
    expect(scan()).toEqual([]);
  }, 120_000);
});
