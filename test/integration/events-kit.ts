/**
 * Helpers for driving `conductor serve --specs DIR` as a CI system would: a folder of specs on the
 * standalone sandbox (kubeconfig contexts and the ECS endpoint), a loopback webhook receiver
 * standing in for the owning team's chat, a `conductor serve` subprocess, and its API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { githubSignature } from '../../electron/core/service/events/auth.ts';
import type { QueueListDto } from '../../shared/contract/index.ts';
import { conductor, type Child, type Standalone } from './recover-standalone-kit.ts';

export interface Receiver {
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}

/** a loopback HTTP server that records every JSON body POSTed to it */
export async function startReceiver(): Promise<Receiver> {
  const bodies: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(text));
      } catch {
        bodies.push(text);
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/team`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Specs on the standalone sandbox, each a variant of its spec:
 * - checkout-path: every app (checkout among them, owned by team-checkout, routed to the receiver);
 * - payments-e2e: the payment apps only, selecting checkout by label (conductor.io/services);
 * - browse: cart and catalog only (a checkout change does not concern it);
 * - and any extra variants asked for (e.g. a schedule).
 */
export async function writeSpecs(s: Standalone, dir: string, extra: Record<string, (doc: Record<string, unknown>) => void> = {}): Promise<string> {
  const base = await readFile(s.specPath, 'utf8');
  const specsDir = join(dir, 'specs');
  await mkdir(specsDir, { recursive: true });
  const variants: Record<string, (doc: Record<string, unknown>) => void> = {
    'checkout-path': (d) => {
      const spec = d.spec as { applications: { name: string; owners?: string[] }[]; notify?: unknown };
      for (const a of spec.applications) a.owners = a.name === 'checkout' ? ['team-checkout'] : ['team-platform'];
      spec.notify = {
        routes: [
          { owners: ['team-checkout'], url: { env: 'TEAM_CHECKOUT_WEBHOOK' }, format: 'json' },
          { owners: ['team-checkout'], url: { env: 'TEAM_CHECKOUT_SLACK' }, format: 'slack', events: ['verdict'] },
        ],
      };
    },
    'payments-e2e': (d) => {
      (d.metadata as { labels?: Record<string, string> }).labels = { 'conductor.io/services': 'checkout,payment-gateway' };
      const spec = d.spec as { applications: { name: string }[] };
      spec.applications = spec.applications.filter((a) => ['payment-gateway', 'fraud-check', 'ledger'].includes(a.name));
    },
    browse: (d) => {
      const spec = d.spec as { applications: { name: string }[] };
      spec.applications = spec.applications.filter((a) => ['cart', 'catalog'].includes(a.name));
    },
    ...extra,
  };
  for (const [name, change] of Object.entries(variants)) {
    const doc = parseDocument(base).toJS() as Record<string, unknown>;
    (doc.metadata as { name: string; description?: string }).name = name;
    delete (doc.metadata as { description?: string }).description;
    change(doc);
    await writeFile(join(specsDir, `${name}.yaml`), JSON.stringify(doc, null, 2));
  }
  return specsDir;
}

export interface Serve {
  child: Child;
  url: string;
  api<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: { ok: boolean; value?: T; error?: { code: string; message: string } } }>;
  queue(): Promise<QueueListDto>;
}

/** `conductor serve --port 0 …`; API calls carry the bearer token (change events only the headers given) */
export async function startServeProcess(args: string[], env: NodeJS.ProcessEnv, token?: string): Promise<Serve> {
  const child = conductor(['serve', '--port', '0', ...args], env);
  const line = await child.waitFor(/^conductor cockpit: /, 60_000);
  const url = /(http:\/\/\S+?)\/?(#|$)/.exec(line)![1]!;
  const api: Serve['api'] = async (path, body, headers = {}) => {
    const bearer: Record<string, string> = token && path !== '/api/triggers/event' ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as never };
  };
  return {
    child,
    url,
    api,
    queue: async () => {
      const r = await api<QueueListDto>('/api/queue/list', {});
      if (!r.json.ok) throw new Error(`queue:list failed: ${JSON.stringify(r.json)}`);
      return r.json.value!;
    },
  };
}

/** a GitHub push webhook as GitHub sends it (the fields Conductor reads, and some it does not) */
export function githubPush(repo: string, sha: string, secret: string | null, delivery: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: sha,
    repository: { id: 1, name: repo, full_name: `acme/${repo}`, private: true },
    pusher: { name: 'alice', email: 'alice@example.com' },
    sender: { login: 'alice' },
    head_commit: { id: sha, message: 'Faster checkout' },
  });
  const headers: Record<string, string> = { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': delivery, 'User-Agent': 'GitHub-Hookshot/test' };
  if (secret !== null) headers['X-Hub-Signature-256'] = githubSignature(secret, body);
  return { body, headers };
}

/** poll until `check` returns a value (not undefined), bounded */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
