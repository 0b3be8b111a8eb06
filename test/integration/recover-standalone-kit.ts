/**
 * Helpers for the subprocess tests of `conductor run` and `conductor recover`: a sandbox in this
 * process on ephemeral loopback ports, a kubeconfig file for it, a spec that reaches it through
 * kubeconfig contexts and the ECS endpoint (the standalone-sandbox path), and a `conductor`
 * child process whose output can be awaited line by line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { openEnvironment } from '../../electron/core/service/environment.ts';
import { readSnapshot } from '../../electron/core/run/journal.ts';
import { silentLogger } from '../../electron/base/logger.ts';
import { readSide } from '../../electron/core/run/phases/common.ts';
import { unitsOf } from '../../electron/core/rules/units.ts';
import { equalsSnapshot } from '../../electron/core/rules/plan.ts';
import { loadSpecText } from '../../electron/core/service/spec-loader.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/index.ts';

export interface Standalone {
  sandbox: Sandbox;
  kubeconfig: string;
  specPath: string;
  env: NodeJS.ProcessEnv;
}

export async function startStandalone(dir: string, opts: { timeScale: number; rampUp?: string; plateau?: string; seed?: SandboxOptions['seed'] }): Promise<Standalone> {
  const sandbox = await startSandbox({ timeScale: opts.timeScale, ...(opts.seed ? { seed: opts.seed } : {}) });
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, sandbox.kubeconfigYaml(), { mode: 0o600 });
  let text = await readFile('examples/standalone-sandbox.yaml', 'utf8');
  text = text.replaceAll('http://127.0.0.1:14566', sandbox.endpoints.ecs).replaceAll('http://127.0.0.1:18089', sandbox.endpoints.locust);
  if (opts.rampUp) text = text.replace('rampUp: 10m', `rampUp: ${opts.rampUp}`);
  if (opts.plateau) text = text.replace('plateau: 10m', `plateau: ${opts.plateau}`);
  const specPath = join(dir, 'spec.yaml');
  await writeFile(specPath, text);
  const env = { ...process.env, KUBECONFIG: kubeconfig, CONDUCTOR_DATA_DIR: join(dir, 'data'), AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  return { sandbox, kubeconfig, specPath, env };
}

export interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** resolves when a stdout line matches (rejects after timeoutMs real ms) */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function conductor(args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ['bin/conductor.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  proc.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) {
      const m = out.split('\n').find((l) => w.re.test(l));
      if (m !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  // after 'close' the process's output is all in
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    out: () => out,
    err: () => err,
    exit,
    waitFor(re, timeoutMs = 60_000) {
      const found = out.split('\n').find((l) => re.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        let done = false;
        const w = { re, resolve: (l: string) => ((done = true), clearTimeout(t), resolve(l)) };
        const fail = (why: string) => {
          if (done) return;
          done = true;
          clearTimeout(t);
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`${why} waiting for ${re}; stdout:\n${out}\nstderr:\n${err}`));
        };
        const t = setTimeout(() => fail('timed out'), timeoutMs);
        waiters.push(w);
        // a process that ended without printing it never will: say so now, with what it printed
        void closed.then(({ code, signal }) => fail(`the process exited (${signal ?? code})`));
      });
    },
  };
}

/** Mutating requests the test cluster received for its applications (the lock's Lease, taken and renewed around a run, left out). */
export function testAppWrites(sandbox: Sandbox): number {
  return sandbox.kubernetes.test.log.entries.filter((e) => e.mutating && !e.path.includes('/leases')).length;
}

/** Does every test app equal the run's snapshot? Returns the apps that differ. */
export async function differingFromSnapshot(s: Pick<Standalone, 'specPath' | 'env'>, dataDir: string, runId: string): Promise<string[]> {
  const snap = await readSnapshot(dataDir, runId);
  if (!snap) throw new Error(`no snapshot for ${runId}`);
  const spec = loadSpecText(await readFile(s.specPath, 'utf8'));
  const env = await openEnvironment(spec, { env: s.env, logger: silentLogger });
  try {
    const now = await readSide(env.substrates, 'test', unitsOf(spec.spec.applications));
    const differ: string[] = [];
    for (const [app, before] of Object.entries(snap.test)) {
      const after = now.get(app) ?? null;
      if ((before === null) !== (after === null) || (before && after && !equalsSnapshot(before, after))) differ.push(app);
    }
    return differ;
  } finally {
    await env.close();
  }
}
