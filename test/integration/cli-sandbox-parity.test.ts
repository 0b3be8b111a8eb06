import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '../support/tools.ts';

/**
 * The sandbox and the parity audit driven the way a user drives them: `conductor sandbox` as a
 * standalone process, then the real kubectl and aws CLIs and `conductor parity` against it.
 */
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'conductor.js');
const AWS = tool('aws');
const KUBECTL = tool('kubectl');

describe('conductor parity (embedded sandbox)', () => {
  it('prints a side-by-side table of the drift and exits 1', () => {
    const r = spawnSync(process.execPath, [cli, 'parity', join(root, 'examples', 'sandbox.yaml')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/APP\s+FIELD\s+PRODUCTION\s+TEST\s+STATUS/);
    expect(r.stdout).toMatch(/checkout\s+image\[checkout-api\]\s+registry\.example\/checkout-api:2\.14\.1\s+registry\.example\/checkout-api:2\.13\.0\s+DRIFT/);
    expect(r.stdout).toMatch(/ledger\s+\(app\)\s+payments\/ledger\s+—\s+MISSING IN TEST/);
    expect(r.stdout).toContain('8 apps: 1 in parity, 6 drifting, 1 missing, 0 unreachable');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('emits JSON and Markdown for the audit', () => {
    const json = spawnSync(process.execPath, [cli, 'parity', join(root, 'examples', 'sandbox.yaml'), '--output', 'json'], { encoding: 'utf8', timeout: 60_000 });
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { specName: string; rows: { app: string; field: string; status: string }[] };
    expect(report.specName).toBe('sandbox-rehearsal');
    expect(report.rows.find((r) => r.app === 'cart' && r.field === 'replicas')?.status).toBe('drift');
    const md = spawnSync(process.execPath, [cli, 'parity', join(root, 'examples', 'sandbox.yaml'), '-o', 'markdown', '--drift-only'], { encoding: 'utf8', timeout: 60_000 });
    expect(md.stdout).toContain('| cart | replicas | 4 | 2 | **DRIFT** |');
    expect(md.stdout).not.toContain('| catalog |');
  });

  it('refuses an unknown output format with exit 2', () => {
    const r = spawnSync(process.execPath, [cli, 'parity', join(root, 'examples', 'sandbox.yaml'), '-o', 'xml'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('table, json, markdown');
  });
});

describe('conductor sandbox (standalone) with real peer clients', () => {
  let proc: ChildProcess;
  let dir: string;
  let out = '';
  const endpoints: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conductor-sandbox-'));
    proc = spawn(
      process.execPath,
      [cli, 'sandbox', '--time-scale', '50', '--kubeconfig-out', join(dir, 'k.yaml'), '--k8s-prod-port', '0', '--k8s-test-port', '0', '--ecs-port', '0', '--locust-port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 30_000;
    while (!out.includes('Locust master:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const [key, re] of Object.entries({ ecs: /ECS endpoint: (\S+)/, locust: /Locust master: (\S+)/, test: /Kubernetes test API: (\S+)/ })) {
      endpoints[key] = re.exec(out)?.[1] ?? '';
    }
  });

  afterAll(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) => spawnSync(KUBECTL, ['--kubeconfig', join(dir, 'k.yaml'), ...args], { encoding: 'utf8', timeout: 60_000 });
  const aws = (...args: string[]) =>
    spawnSync(AWS, ['ecs', ...args, '--endpoint-url', endpoints.ecs!, '--output', 'json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_DEFAULT_REGION: 'eu-central-1', AWS_PAGER: '' },
    });

  it('prints its endpoints and writes a kubeconfig with both contexts', () => {
    expect(endpoints.ecs).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.locust).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const kubeconfig = readFileSync(join(dir, 'k.yaml'), 'utf8');
    expect(kubeconfig).toContain('name: sandbox-prod');
    expect(kubeconfig).toContain('name: sandbox-test');
  });

  it('kubectl gets, scales, sets an image and waits for the rollout on sandbox-test', () => {
    expect(kubectl('--context', 'sandbox-test', 'get', 'deployments', '-n', 'shop').stdout).toMatch(/checkout-api/);
    expect(kubectl('--context', 'sandbox-test', '-n', 'shop', 'scale', 'deployment/cart', '--replicas=3').status).toBe(0);
    expect(kubectl('--context', 'sandbox-test', '-n', 'shop', 'set', 'image', 'deployment/cart', 'cart=registry.example/cart:9.9.9').status).toBe(0);
    const rollout = kubectl('--context', 'sandbox-test', '-n', 'shop', 'rollout', 'status', 'deployment/cart', '--timeout=60s');
    expect(rollout.status).toBe(0);
    expect(rollout.stdout).toContain('successfully rolled out');
    const image = kubectl('--context', 'sandbox-test', '-n', 'shop', 'get', 'deployment', 'cart', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
    expect(image.stdout).toBe('registry.example/cart:9.9.9');
  });

  it('the aws CLI lists and describes services', () => {
    const list = aws('list-services', '--cluster', 'payments-loadtest');
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).serviceArns.join(' ')).toContain('payment-processor');
    const described = aws('describe-services', '--cluster', 'payments-loadtest', '--services', 'notifications');
    expect(JSON.parse(described.stdout).services[0]).toMatchObject({ serviceName: 'notifications', status: 'ACTIVE' });
  });

  it('on Ctrl-C prints a request summary with zero production writes', async () => {
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    proc.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('Request summary:');
    expect(out).toMatch(/Kubernetes test:\s+\d+ requests, [1-9]\d* mutating/);
    expect(out).toContain('Production received 0 mutating requests.');
  });
});
