import { spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import type { User } from '@kubernetes/client-node';
import { SubstrateError } from '../../../shared/model/errors.ts';
import { printable } from '../../../shared/model/text.ts';

/**
 * Exec credential plugins (`users[].user.exec` in a kubeconfig: `aws eks get-token`,
 * `gke-gcloud-auth-plugin`, `kubelogin` …), run the way client-go runs them — KUBERNETES_EXEC_INFO
 * set, stdin closed, a relative command with a "/" resolved against the kubeconfig's folder, the
 * credential cached until its expirationTimestamp — but bounded: a plugin that does not answer
 * within the timeout (waiting for a browser login, a hung network call) is killed with its process
 * group and the call fails naming the plugin, instead of stalling a run for minutes. The
 * credential printed on stdout is never logged or put in an error.
 */

export interface ExecPlugin {
  /** the kubeconfig user it authenticates */
  user: string;
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  /** the folder of the kubeconfig that named it (for a relative command) */
  dir: string;
  installHint?: string;
}

export interface ExecCredentialOptions {
  /** the kubeconfig context, for errors */
  context: string;
  /** real ms a plugin may take; default 20000 */
  timeoutMs?: number;
  /** environment the plugin inherits; default process.env */
  env?: NodeJS.ProcessEnv;
  /** the most stdout accepted; default 1 MiB */
  maxOutputBytes?: number;
  now?: () => number;
}

/** under the 30 s request timeout, so a hanging plugin is named rather than reported as a slow request */
export const DEFAULT_EXEC_TIMEOUT_MS = 20_000;

interface Credential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** ms since the epoch; undefined: valid for the life of the process (as client-go caches it) */
  expiresAt?: number;
}


/** A @kubernetes/client-node authenticator for the users whose exec plugin this kubeconfig named. */
export class ExecCredentialAuth {
  private readonly cache = new Map<string, Credential>();
  private readonly inFlight = new Map<string, Promise<Credential>>();

  constructor(
    private readonly plugins: ReadonlyMap<string, ExecPlugin>,
    private readonly opts: ExecCredentialOptions,
  ) {}

  isAuthProvider(user: User): boolean {
    return this.plugins.has(user.name);
  }

  /** the client's Authenticator interface (not exported by @kubernetes/client-node): request options get the credential */
  async applyAuthentication(user: User, opts: object): Promise<void> {
    const credential = await this.credential(user.name);
    const target = opts as { cert?: string; key?: string; headers?: Record<string, string | string[] | number | undefined> };
    if (credential.clientCertificateData) target.cert = credential.clientCertificateData;
    if (credential.clientKeyData) target.key = credential.clientKeyData;
    if (credential.token) target.headers = { ...(target.headers ?? {}), Authorization: `Bearer ${credential.token}` };
  }

  /** the cached credential while it is valid (10 s of margin), else one run of the plugin shared by concurrent callers */
  credential(userName: string): Promise<Credential> {
    const now = (this.opts.now ?? Date.now)();
    const cached = this.cache.get(userName);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - 10_000 > now)) return Promise.resolve(cached);
    const running = this.inFlight.get(userName);
    if (running) return running;
    const plugin = this.plugins.get(userName);
    if (!plugin) return Promise.reject(new Error(`no exec plugin for user ${userName}`));
    const run = runPlugin(plugin, this.opts)
      .then((c) => {
        this.cache.set(userName, c);
        return c;
      })
      .finally(() => this.inFlight.delete(userName));
    this.inFlight.set(userName, run);
    return run;
  }
}

function runPlugin(plugin: ExecPlugin, opts: ExecCredentialOptions): Promise<Credential> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const maxOutput = opts.maxOutputBytes ?? 1024 * 1024;
  // client-go: a relative command with a path separator is relative to the kubeconfig's folder
  const command = !isAbsolute(plugin.command) && /[\\/]/.test(plugin.command) ? join(plugin.dir, plugin.command) : plugin.command;
  const named = `the exec credential plugin "${printable(plugin.command)}" of kubeconfig user "${printable(plugin.user)}"`;
  const fail = (why: string) => new SubstrateError(`kubernetes ${opts.context}: ${named} ${why}`, { substrate: 'kubernetes', target: opts.context, resource: `user ${plugin.user}`, retryable: false });
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  for (const e of plugin.env) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: plugin.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });

  return new Promise<Credential>((resolve, reject) => {
    const group = process.platform !== 'win32';
    const child = spawn(command, plugin.args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: group, windowsHide: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = '';
    let settled = false;
    const kill = () => {
      try {
        if (group && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const finish = (err: Error | null, value?: Credential) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => {
      kill();
      finish(fail(`did not answer within ${Math.round(timeoutMs / 1000)} s (it may be waiting for a login or for input); run it yourself to see why${hint(plugin)}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxOutput) {
        kill();
        finish(fail(`printed more than ${maxOutput} bytes; expected one ExecCredential`));
      } else out.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      errTail = (errTail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      kill();
      finish(fail(err.code === 'ENOENT' ? `was not found (is it installed and on PATH?)${hint(plugin)}` : `could not be started (${err.code ?? 'error'})`));
    });
    // a plugin's own child may keep stdout open after the plugin exits: read what came, with a short grace
    let exited = false;
    let ended = false;
    const answer = () => {
      if (settled) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      const parsed = parseCredential(Buffer.concat(out).toString('utf8'));
      if (!parsed) finish(fail('did not print an ExecCredential (expected JSON with status.token or client certificate data)'));
      else finish(null, parsed);
    };
    child.stdout!.on('end', () => {
      ended = true;
      if (exited) answer();
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      if (code !== 0) {
        const last = errTail.trim().split('\n').pop()?.trim();
        finish(fail(`${signal ? `was killed by ${signal}` : `exited with code ${code}`}${last ? `: ${printable(last.slice(0, 200))}` : ''}`));
        child.stdout?.destroy();
        child.stderr?.destroy();
        return;
      }
      exited = true;
      if (ended) answer();
      else setTimeout(answer, 1000);
    });
  });
}

function hint(plugin: ExecPlugin): string {
  return plugin.installHint ? ` (${printable(plugin.installHint.slice(0, 300), '')})` : '';
}

function parseCredential(text: string): Credential | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  const status = (doc as { status?: unknown } | null)?.status as Record<string, unknown> | undefined;
  if (!status || typeof status !== 'object') return null;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const c: Credential = {};
  const token = str(status.token);
  const cert = str(status.clientCertificateData);
  const key = str(status.clientKeyData);
  if (token) c.token = token;
  if (cert && key) {
    c.clientCertificateData = cert;
    c.clientKeyData = key;
  }
  if (!c.token && !c.clientCertificateData) return null;
  const expires = str(status.expirationTimestamp);
  if (expires && Number.isFinite(Date.parse(expires))) c.expiresAt = Date.parse(expires);
  return c;
}
