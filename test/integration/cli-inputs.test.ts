import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conductor } from './recover-standalone-kit.ts';
import { hostileKubeconfigs, quotesNothing, specWithKubeconfig } from './inputs-kit.ts';

/**
 * Bad and secret inputs through the CLI, as a user meets them: a kubeconfig that is a FIFO,
 * /dev/zero, a folder or a credentials file (exit 2 at once, the path named, nothing quoted, nothing
 * written); a spec with terminal escape codes or a secret written in it (exit 2, shown escaped or
 * not at all); and a sandbox run whose cleanup hook and webhook take their secrets from the
 * environment: the hook and the webhook get them, the data directory and the reports never do,
 * and every file the run writes is 0600 in folders of 0700.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-cli-inputs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string; err: string }> {
  const c = conductor(args, env);
  const { code } = await c.exit;
  return { code, out: c.out(), err: c.err() };
}

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) out.push(join(e.parentPath, e.name));
  return out;
}

describe('conductor parity / run: a kubeconfig that is not a kubeconfig file', () => {
  let hostile: Awaited<ReturnType<typeof hostileKubeconfigs>>;
  beforeAll(async () => {
    hostile = await hostileKubeconfigs(dir);
  });

  // the timeout is the only bound asserted: a FIFO or /dev/zero used to hang the process for good
  it.each(['a FIFO', '/dev/zero', 'a directory', 'an AWS credentials file'])(
    '%s is refused with exit 2, naming the path and what was expected, quoting nothing and writing nothing',
    async (name) => {
      const k = hostile.find((h) => h.name === name)!;
      const spec = join(dir, `spec-${name.replace(/\W+/g, '-')}.yaml`);
      await writeFile(spec, specWithKubeconfig(k.path));
      const data = join(dir, `data-${name.replace(/\W+/g, '-')}`);
      for (const command of ['parity', 'run']) {
        const r = await cli(command === 'run' ? ['run', spec, '--data-dir', data] : ['parity', spec]);
        expect(r.code, `${command} with ${name}: ${r.err}`).toBe(2);
        expect(r.err).toMatch(/^error: kubeconfig /);
        expect(r.err).toContain(k.path);
        expect(r.err).toMatch(k.says);
        expect(r.err).not.toMatch(/\n\s+at /); // no stack
        expect(quotesNothing(r.out + r.err)).toBe(true);
      }
      expect(await readdir(join(data, 'runs')).catch(() => [])).toEqual([]);
    },
    120_000,
  );
});

describe('conductor validate: escape codes and secrets written in a spec', () => {
  const base = async () => (await readFile('examples/sandbox.yaml', 'utf8')).replace('name: sandbox-rehearsal', 'name: inputs');

  it('refuses a terminal escape in a string with exit 2 and shows it escaped', async () => {
    const spec = join(dir, 'escape.yaml');
    await writeFile(spec, (await base()).replace('kpi: { locustRequest: POST /orders }', 'kpi: { locustRequest: "POST /orders\\e[2J\\e[Hverdict: PASSED" }'));
    const r = await cli(['validate', spec]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('spec.load.kpi.locustRequest: holds a control character (\\u001b at character 13)');
    expect(r.err).not.toContain('\u001b');
  });

  it('refuses a secret header and a token in a webhook URL with exit 2, says how to reference them, and never prints them', async () => {
    const spec = join(dir, 'secret.yaml');
    const text = (await base()) + `    - http: { url: "http://127.0.0.1:9/cleanup", headers: { Authorization: "Bearer s3cr3t-hook-value" } }\n  notify: { webhook: { url: "https://hooks.example/x?token=s3cr3t-url-value" } }\n`;
    await writeFile(spec, text);
    const r = await cli(['validate', spec]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('spec.cleanup[1].http.headers.Authorization: is a credential header written in the spec; secrets are never written in a spec; expected reference it instead: Authorization: { env: CLEANUP_AUTHORIZATION }');
    expect(r.err).toContain('spec.notify.webhook.url: holds credentials (the query parameter "token")');
    expect(r.err).not.toMatch(/s3cr3t/);
  });
});

describe('conductor run: secrets by reference', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; auth: string | undefined }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('a reference that cannot be read is exit 2 before anything starts, naming the field and the variable', async () => {
    const text = (await readFile('examples/sandbox.yaml', 'utf8')) + `    - http: { url: "${base}/cleanup", headers: { Authorization: { env: CONDUCTOR_TEST_NOT_SET } } }\n`;
    const spec = join(dir, 'missing-ref.yaml');
    await writeFile(spec, text);
    const data = join(dir, 'missing-ref-data');
    const env = { ...process.env };
    delete env.CONDUCTOR_TEST_NOT_SET;
    const r = await cli(['run', spec, '--data-dir', data], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain('spec.cleanup[1].http.headers.Authorization: the environment variable CONDUCTOR_TEST_NOT_SET is not set');
    expect(await readdir(join(data, 'runs')).catch(() => [])).toEqual([]);
  });

  it('hook and webhook get the values; the data directory, the reports and the output never hold them; every file is 0600, folders 0700', async () => {
    const HOOK_SECRET = 'hook-s3cr3t-4a7f19';
    const URL_SECRET = 'url-s3cr3t-9c2e55';
    const text = (await readFile('examples/sandbox.yaml', 'utf8')).replace('rampUp: 10m', 'rampUp: 4m').replace('plateau: 10m', 'plateau: 2m') +
      `    - http: { method: POST, url: "${base}/cleanup", headers: { Authorization: { env: CONDUCTOR_TEST_HOOK_AUTH }, X-Run-Kind: rehearsal } }\n` +
      `  notify: { webhook: { url: { env: CONDUCTOR_TEST_WEBHOOK_URL }, events: [verdict] } }\n`;
    const spec = join(dir, 'refs.yaml');
    await writeFile(spec, text);
    const data = join(dir, 'refs-data');
    const reports = join(dir, 'reports');
    const report = join(reports, 'r.json');
    // an existing report file readable by all becomes the owner's alone when the run writes it
    await mkdir(reports, { mode: 0o700 });
    await writeFile(report, '{}', { mode: 0o644 });
    expect((await stat(report)).mode & 0o777).toBe(0o644);
    const env = { ...process.env, CONDUCTOR_TEST_HOOK_AUTH: `Bearer ${HOOK_SECRET}`, CONDUCTOR_TEST_WEBHOOK_URL: `${base}/hook?token=${URL_SECRET}` };
    const r = await cli(['run', spec, '--time-scale', '300', '--data-dir', data, '--report', report, '--junit', join(reports, 'r.xml'), '--summary', join(reports, 'r.md')], env);
    expect([0, 1], r.out + r.err).toContain(r.code);

    expect(seen).toContainEqual({ path: '/cleanup', auth: `Bearer ${HOOK_SECRET}` });
    expect(seen).toContainEqual({ path: `/hook?token=${URL_SECRET}`, auth: undefined });

    const written = [...(await filesUnder(data)), ...(await filesUnder(reports))];
    expect(written.length).toBeGreaterThan(5);
    for (const f of written) {
      const info = await stat(f);
      if (info.isDirectory()) expect((info.mode & 0o777).toString(8), f).toBe('700');
      else {
        expect((info.mode & 0o777).toString(8), f).toBe('600');
        const content = await readFile(f, 'utf8');
        expect(content.includes(HOOK_SECRET) || content.includes(URL_SECRET), `${f} holds a secret value`).toBe(false);
      }
    }
    expect((await stat(data)).mode & 0o777).toBe(0o700);
    // the reference is what is kept
    expect(await readFile(report, 'utf8')).toContain('CONDUCTOR_TEST_HOOK_AUTH');
    expect(r.out + r.err).not.toMatch(/s3cr3t/);
  }, 180_000);
});
