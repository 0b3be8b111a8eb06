import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conductor, startStandalone, testAppWrites, type Standalone } from './recover-standalone-kit.ts';

/**
 * `conductor run` and `conductor parity` with what goes wrong in real life: an unreachable test
 * cluster, test ECS API or Locust master, an output file that cannot be written, bad flags. Each
 * fails with one clear paragraph, the right exit code, no stack trace — and NOTHING written to the
 * test environment (the run fails before its first write).
 */

let dir: string;
let standalone: Standalone;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-bad-input-'));
  standalone = await startStandalone(dir, { timeScale: 100 });
});
afterEach(async () => {
  await standalone.sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

/** a loopback port nothing listens on */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** writes to the applications (the test environment's lock, a Lease, is taken and released around a run) */
function writes(): number {
  const s = standalone.sandbox.requestSummary();
  return testAppWrites(standalone.sandbox) + s.kubernetesProduction.mutating + s.ecs.mutating;
}

async function writeIntents(data: string): Promise<number> {
  let n = 0;
  for (const run of await readdir(join(data, 'runs')).catch(() => [])) {
    const journal = await readFile(join(data, 'runs', run, 'journal.jsonl'), 'utf8').catch(() => '');
    n += journal.split('\n').filter((l) => l.includes('"write-intent"')).length;
  }
  return n;
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);

describe('conductor run: unreachable platforms fail before any write', () => {
  it('the test Kubernetes cluster is unreachable (kubeconfig at a closed loopback port): exit 3, the context named, nothing written', async () => {
    const port = await closedPort();
    const kc = (await readFile(standalone.kubeconfig, 'utf8')).replace(standalone.sandbox.endpoints.kubernetesTest, `http://127.0.0.1:${port}`);
    await writeFile(standalone.kubeconfig, kc);
    const data = join(dir, 'data');
    const c = conductor(['run', standalone.specPath, '--time-scale', '100', '--data-dir', data], standalone.env);
    const { code } = await c.exit;
    expect(code, c.out() + c.err()).toBe(3);
    // asked who it is before anything else (test must not be production): the first request fails
    expect(c.err()).toMatch(/^error: kubernetes sandbox-test: .*ECONNREFUSED \(API server http:\/\/127\.0\.0\.1:\d+\)/m);
    noStack(c.out() + c.err());
    expect(writes()).toBe(0);
    expect(await writeIntents(data)).toBe(0);
    const rec = conductor(['recover', '--data-dir', data], standalone.env);
    await rec.exit;
    expect(rec.out()).toMatch(/^no unfinished runs/);
  });

  it('the test ECS endpoint is unreachable while Kubernetes answers: exit 3, not one Kubernetes write', async () => {
    const port = await closedPort();
    const spec = await readFile(standalone.specPath, 'utf8');
    // only the test side's endpoint (the second occurrence) moves to the closed port
    const at = spec.lastIndexOf(standalone.sandbox.endpoints.ecs);
    await writeFile(standalone.specPath, spec.slice(0, at) + `http://127.0.0.1:${port}` + spec.slice(at + standalone.sandbox.endpoints.ecs.length));
    const data = join(dir, 'data');
    const c = conductor(['run', standalone.specPath, '--time-scale', '100', '--data-dir', data], standalone.env);
    const { code } = await c.exit;
    expect(code, c.out() + c.err()).toBe(3);
    expect(c.err()).toMatch(/^error: ECS DescribeClusters on eu-central-1\/payments-loadtest .*ECONNREFUSED/m);
    noStack(c.out() + c.err());
    expect(writes()).toBe(0);
    expect(await writeIntents(data)).toBe(0);
  }, 120_000);

  it('the Locust master does not answer: exit 3 naming its URL, nothing written', async () => {
    const port = await closedPort();
    const spec = (await readFile(standalone.specPath, 'utf8')).replace(standalone.sandbox.endpoints.locust, `http://127.0.0.1:${port}`);
    await writeFile(standalone.specPath, spec);
    const data = join(dir, 'data');
    const c = conductor(['run', standalone.specPath, '--time-scale', '100', '--data-dir', data], standalone.env);
    const { code } = await c.exit;
    expect(code, c.out() + c.err()).toBe(3);
    expect(c.out()).toMatch(new RegExp(`phase validate failed[\\s\\S]*ERROR\\n {2}- the Locust master at http://127\\.0\\.0\\.1:${port} does not answer`));
    noStack(c.out() + c.err());
    expect(writes()).toBe(0);
    expect(await writeIntents(data)).toBe(0);
  });
});

describe('conductor run and parity: bad options are refused before anything starts (exit 2)', () => {
  it('an output file that cannot be written, a directory, bad numbers', async () => {
    const data = join(dir, 'data');
    const cases: { args: string[]; message: RegExp }[] = [
      { args: ['--report', '/proc/conductor-nope/r.json'], message: /^error: --report \/proc\/conductor-nope\/r\.json: cannot write there \(ENOENT\); expected a writable file path\n$/ },
      { args: ['--junit', dir], message: /^error: --junit .*: is a directory; expected a file path\n$/ },
      { args: ['--summary', join(standalone.specPath, 'x.md')], message: /cannot write there \(ENOTDIR\)/ },
      { args: ['--data-dir', '/proc/conductor-nope'], message: /^error: --data-dir \/proc\/conductor-nope: cannot write there \(ENOENT\); journals and history need a writable directory/ },
      { args: ['--time-scale', '-1'], message: /^error: --time-scale: expected a number between 0\.1 and 10000, found "-1"\n$/ },
      { args: ['--time-scale', 'abc'], message: /found "abc"/ },
    ];
    const results = await Promise.all(
      cases.map(async (k) => {
        const c = conductor(['run', standalone.specPath, '--data-dir', data, ...k.args], standalone.env);
        return { k, code: (await c.exit).code, err: c.err(), out: c.out() };
      }),
    );
    for (const r of results) {
      expect(r.code, r.k.args.join(' ')).toBe(2);
      expect(r.err, r.k.args.join(' ')).toMatch(r.k.message);
      expect(r.out).toBe('');
    }
    expect(writes()).toBe(0);
    await expect(stat(data)).rejects.toMatchObject({ code: 'ENOENT' }); // no run was even started
  });

  it('--time-scale against clusters that are not on this machine is refused (a ramp in seconds on a real cluster)', async () => {
    // never contacted: the run is refused before it starts (and .invalid never resolves)
    const kc = (await readFile(standalone.kubeconfig, 'utf8'))
      .replace(standalone.sandbox.endpoints.kubernetesTest, 'https://k8s-test.example.invalid')
      .replace(standalone.sandbox.endpoints.kubernetesProduction, 'https://k8s-prod.example.invalid');
    await writeFile(standalone.kubeconfig, kc);
    const data = join(dir, 'data');
    const c = conductor(['run', standalone.specPath, '--time-scale', '100', '--data-dir', data], standalone.env);
    expect((await c.exit).code).toBe(2);
    expect(c.err()).toMatch(/^error: --time-scale 100 is only for a sandbox on this machine .*this spec reaches Kubernetes https:\/\/k8s-prod\.example\.invalid \(context sandbox-prod\), Kubernetes https:\/\/k8s-test\.example\.invalid \(context sandbox-test\)\. Run it without --time-scale\n$/);
    expect(c.out()).toBe('');
    await expect(stat(join(data, 'runs'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('parity: a bad --time-scale is exit 2; an unreachable cluster is exit 3 (not "drift")', async () => {
    const bad = conductor(['parity', 'examples/sandbox.yaml', '--time-scale', '-1'], standalone.env);
    expect((await bad.exit).code).toBe(2);
    expect(bad.err()).toBe('error: --time-scale: expected a number between 0.1 and 10000, found "-1"\n');

    const port = await closedPort();
    const kc = (await readFile(standalone.kubeconfig, 'utf8')).replace(standalone.sandbox.endpoints.kubernetesProduction, `http://127.0.0.1:${port}`);
    await writeFile(standalone.kubeconfig, kc);
    const p = conductor(['parity', standalone.specPath], standalone.env);
    expect((await p.exit).code).toBe(3);
    expect(p.out()).toMatch(/UNREACHABLE \(production: kubernetes sandbox-prod: .*ECONNREFUSED \(API server http:\/\/127\.0\.0\.1:\d+\)\)/);
    expect(p.out()).toMatch(/\d+ unreachable/);
  });
});
