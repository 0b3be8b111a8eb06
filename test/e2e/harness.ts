import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../fixtures/shop/processes.ts';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { tool } from '../support/tools.ts';

/** Shared by the e2e test and the cockpit benchmark: Debian's Chromium, `conductor serve`, a built cockpit. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium (or $CHROMIUM_PATH); a missing one fails naming how to install it */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: tool('chromium'), args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Build the renderer unless out/renderer is newer than its sources. */
export function ensureRendererBuilt(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'build', 'build.js'), '--renderer', '--if-needed'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Ctrl-C, then wait for a clean exit (bounded) */
  stop(): Promise<number | null>;
}

/** `node bin/conductor.js serve --port <free> …` (or a given port), resolved when it prints its URL. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = process.env, fixedPort?: number): Promise<ServeProcess> {
  const port = fixedPort ?? (await freePort());
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'conductor.js'), 'serve', '--port', String(port), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`conductor serve did not start within 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const m = /conductor cockpit: (http:\/\/\S+?)\/?(?:#\S*)?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`conductor serve exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res(child.exitCode);
        const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.once('exit', (code) => {
          clearTimeout(kill);
          res(code);
        });
        child.kill('SIGINT');
      }),
  };
}
