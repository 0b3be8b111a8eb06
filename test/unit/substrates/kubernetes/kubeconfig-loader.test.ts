import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../../electron/base/clock.ts';
import { kubeconfigFor, kubeconfigYaml } from '../../../../electron/sandbox/kubernetes/index.ts';
import { loadKubeconfig, openKubernetesReader } from '../../../../electron/substrates/kubernetes/index.ts';
import { ConductorError, SubstrateError } from '../../../../shared/model/errors.ts';

async function settle(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** a kubeconfig that cannot be used: bad input (exit 2, HTTP 400) */
async function refusal(p: Promise<unknown>): Promise<ConductorError> {
  const err = await settle(p);
  expect(err).toBeInstanceOf(ConductorError);
  expect((err as ConductorError).code).toBe('USAGE');
  return err as ConductorError;
}

/** a failing exec plugin: a runtime failure talking to the cluster */
async function substrateFailure(p: Promise<unknown>): Promise<SubstrateError> {
  const err = await settle(p);
  expect(err).toBeInstanceOf(SubstrateError);
  return err as SubstrateError;
}

describe('loadKubeconfig', () => {
  let dir: string;
  let a: string;
  let b: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kc-'));
    a = join(dir, 'a.yaml');
    b = join(dir, 'b.yaml');
    writeFileSync(a, kubeconfigYaml(kubeconfigFor([{ name: 'prod', url: 'https://prod.example:6443' }], [{ name: 'prod-eu', cluster: 'prod' }])));
    writeFileSync(
      b,
      kubeconfigYaml(
        kubeconfigFor(
          [
            { name: 'prod', url: 'https://shadowed.example:6443' },
            { name: 'loadtest', url: 'https://loadtest.example:6443' },
          ],
          [{ name: 'loadtest-eu', cluster: 'loadtest', namespace: 'shop' }],
          { user: 'other' },
        ),
      ),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges the files of KUBECONFIG in order, the first definition winning, and selects a context', async () => {
    const env = { KUBECONFIG: [a, join(dir, 'absent.yaml'), b].join(delimiter) };
    const prod = await loadKubeconfig({ env });
    expect(prod.target).toEqual({ context: 'prod-eu', server: 'https://prod.example:6443' });
    const test = await loadKubeconfig({ env, context: 'loadtest-eu' });
    expect(test.target).toEqual({ context: 'loadtest-eu', server: 'https://loadtest.example:6443' });
    expect(test.kc.getCurrentUser()?.name).toBe('other');
    expect(test.kc.getContextObject('loadtest-eu')?.namespace).toBe('shop');
  });

  it('falls back to ~/.kube/config, takes an explicit path, or a loaded KubeConfig', async () => {
    const home = join(dir, 'home');
    const kube = join(home, '.kube');
    mkdirSync(kube, { recursive: true });
    writeFileSync(join(kube, 'config'), kubeconfigYaml(kubeconfigFor([{ name: 'c', url: 'http://127.0.0.1:1' }], [{ name: 'home-ctx', cluster: 'c' }])));
    expect((await loadKubeconfig({ env: { HOME: home } })).target.context).toBe('home-ctx');
    expect((await loadKubeconfig({ kubeconfigPath: b, env: { HOME: home } })).target.context).toBe('loadtest-eu');
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml(kubeconfigFor([{ name: 'prod', url: 'https://prod.example:6443' }], [{ name: 'prod-eu', cluster: 'prod' }])));
    expect((await loadKubeconfig(kc)).target.server).toBe('https://prod.example:6443');
  });

  it('names what is wrong: a missing file, an unknown context, no kubeconfig at all', async () => {
    expect((await refusal(loadKubeconfig({ kubeconfigPath: join(dir, 'nope.yaml') }))).message).toBe(`kubeconfig not found: ${join(dir, 'nope.yaml')}`);
    expect((await refusal(loadKubeconfig({ kubeconfigPath: a, context: 'staging' }))).message).toBe(`kubeconfig context "staging" not found in ${a}; expected one of: prod-eu`);
    expect((await refusal(loadKubeconfig({ env: { HOME: join(dir, 'empty') } }))).message).toMatch(/no kubeconfig found: expected \$KUBECONFIG, an explicit kubeconfig path, or .*empty\/\.kube\/config/);
  });

  it('refuses a FIFO, /dev/zero and a directory from fstat alone, naming the path and what was expected', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const cases: [string, string][] = [
      [fifo, 'is a named pipe (FIFO), not a regular file'],
      ['/dev/zero', 'is a character device, not a regular file'],
      [dir, 'is a directory, not a regular file'],
    ];
    for (const [path, why] of cases) {
      const e = await refusal(loadKubeconfig({ kubeconfigPath: path, context: 'x' }));
      expect(e.message).toBe(`kubeconfig ${path}: ${why}; expected a kubeconfig file: a regular file of at most 1 MiB`);
    }
  });

  it('never quotes a file that is not a kubeconfig: a credentials file, /proc/self/environ, a YAML without clusters', async () => {
    const creds = join(dir, 'credentials');
    writeFileSync(creds, '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const e = await refusal(loadKubeconfig({ kubeconfigPath: creds, context: 'x' }));
    expect(e.message).toMatch(new RegExp(`^kubeconfig ${creds} is not a kubeconfig: invalid YAML: .* \\(line \\d+, column \\d+\\); expected a YAML kubeconfig`));
    expect(e.message).not.toMatch(/AKIA|wJalr|aws_/);
    const environ = await refusal(loadKubeconfig({ kubeconfigPath: '/proc/self/environ', context: 'x' }));
    expect(environ.message).toMatch(/not a text file|larger than/);
    expect(environ.message).not.toContain('PATH=');
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, 'password: hunter2-secret\n');
    const p = await refusal(loadKubeconfig({ kubeconfigPath: plain, context: 'x' }));
    expect(p.message).toBe(`kubeconfig ${plain} is not a kubeconfig: it holds no clusters, users or contexts; expected a YAML kubeconfig (apiVersion: v1, kind: Config, clusters, users, contexts)`);
  });

  it('reads certificate and token files relative to the kubeconfig into data, and refuses a FIFO among them', async () => {
    writeFileSync(join(dir, 'ca.crt'), 'CA-BYTES');
    writeFileSync(join(dir, 'token'), 'tok-123\n');
    const path = join(dir, 'files.yaml');
    const doc = (tokenFile: string) =>
      `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{ name: k, cluster: { server: "https://k.example:6443", certificate-authority: ca.crt } }]\nusers: [{ name: u, user: { token-file: ${tokenFile} } }]\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\n`;
    writeFileSync(path, doc('token'));
    const loaded = await loadKubeconfig({ kubeconfigPath: path });
    expect(loaded.kc.getCurrentCluster()).toMatchObject({ caData: Buffer.from('CA-BYTES').toString('base64') });
    expect(loaded.kc.getCurrentCluster()?.caFile).toBeUndefined();
    expect(loaded.kc.getCurrentUser()?.token).toBe('tok-123');
    execFileSync('mkfifo', [join(dir, 'token-fifo')]);
    writeFileSync(path, doc('token-fifo'));
    const e = await refusal(loadKubeconfig({ kubeconfigPath: path }));
    expect(e.message).toBe(`kubeconfig ${path}, context "c": the token file ${join(dir, 'token-fifo')}: is a named pipe (FIFO), not a regular file; expected the token file: a regular file of at most 256 KiB`);
  });

  it('refuses the gcp and azure auth-providers (they run commands synchronously), pointing at their exec plugins', async () => {
    const path = join(dir, 'gcp.yaml');
    writeFileSync(path, 'current-context: c\nclusters: [{ name: k, cluster: { server: "https://k.example" } }]\nusers: [{ name: g, user: { auth-provider: { name: gcp, config: { cmd-path: /usr/bin/gcloud } } } }]\ncontexts: [{ name: c, context: { cluster: k, user: g } }]\n');
    expect((await refusal(loadKubeconfig({ kubeconfigPath: path }))).message).toMatch(/gcp auth-provider, which kubectl no longer supports .*gke-gcloud-auth-plugin/);
  });
});

describe('exec credential plugins', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let auth: (string | undefined)[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kc-exec-'));
    auth = [];
    server = createServer((req, res) => {
      auth.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: {}, items: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  function kubeconfigWithPlugin(script: string): string {
    const plugin = join(dir, 'plugin.sh');
    writeFileSync(plugin, `#!/bin/sh\n${script}\n`);
    chmodSync(plugin, 0o755);
    const path = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      path,
      `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{ name: k, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]\n` +
        `users: [{ name: eks-user, user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: ./plugin.sh, args: [token], env: [{ name: PLUGIN_MODE, value: fast }] } } }]\n` +
        `contexts: [{ name: c, context: { cluster: k, user: eks-user } }]\n`,
    );
    return path;
  }

  it('runs the plugin (relative to the kubeconfig, with KUBERNETES_EXEC_INFO) and sends its token; one run serves later calls', async () => {
    const path = kubeconfigWithPlugin(
      `echo run >> "${join(dir, 'runs')}"\n[ "$PLUGIN_MODE" = fast ] || exit 3\necho "$KUBERNETES_EXEC_INFO" | grep -q '"interactive":false' || exit 4\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-plugin"}}'`,
    );
    const reader = await openKubernetesReader({ kubeconfig: { kubeconfigPath: path }, clock: new ScaledClock(1) });
    await reader.readApps([{ app: 'a', namespace: 'shop', deployment: 'a' }]);
    await reader.readApps([{ app: 'a', namespace: 'shop', deployment: 'a' }]);
    expect(auth.filter((h) => h !== undefined)).toEqual(['Bearer from-plugin', 'Bearer from-plugin', 'Bearer from-plugin', 'Bearer from-plugin']);
    expect(execFileSync('wc', ['-l', join(dir, 'runs')]).toString().trim().split(' ')[0]).toBe('1');
  });

  it('a plugin that hangs fails the call within its timeout, naming the plugin and the user; nothing reaches the server', async () => {
    const path = kubeconfigWithPlugin('sleep 600');
    const reader = await openKubernetesReader({ kubeconfig: { kubeconfigPath: path, execTimeoutMs: 500 }, clock: new ScaledClock(1), retry: { attempts: 1 } });
    const e = await substrateFailure(reader.readApps([{ app: 'a', namespace: 'shop', deployment: 'a' }]));
    expect(e.message).toBe('kubernetes c: the exec credential plugin "./plugin.sh" of kubeconfig user "eks-user" did not answer within 1 s (it may be waiting for a login or for input); run it yourself to see why');
    expect(e.retryable).toBe(false);
    expect(auth).toEqual([]);
  });

  it('a plugin that fails is named with its exit code and last error line; its stdout (a credential) is never shown', async () => {
    const path = kubeconfigWithPlugin('echo \'{"status":{"token":"leaked-token"}}\'\necho "first line" >&2\necho "Unable to locate credentials" >&2\nexit 255');
    const reader = await openKubernetesReader({ kubeconfig: { kubeconfigPath: path }, clock: new ScaledClock(1), retry: { attempts: 1 } });
    const e = await substrateFailure(reader.readApps([{ app: 'a', namespace: 'shop', deployment: 'a' }]));
    expect(e.message).toBe('kubernetes c: the exec credential plugin "./plugin.sh" of kubeconfig user "eks-user" exited with code 255: Unable to locate credentials');
    const garbage = kubeconfigWithPlugin('echo "token: not-json-secret"');
    const r2 = await openKubernetesReader({ kubeconfig: { kubeconfigPath: garbage }, clock: new ScaledClock(1), retry: { attempts: 1 } });
    const e2 = await substrateFailure(r2.readApps([{ app: 'a', namespace: 'shop', deployment: 'a' }]));
    expect(e2.message).toMatch(/did not print an ExecCredential/);
    expect(e2.message).not.toContain('not-json-secret');
  });
});
