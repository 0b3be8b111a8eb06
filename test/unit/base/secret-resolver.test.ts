import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRefError, resolveHeaders, resolveSecret, resolveValue } from '../../../electron/base/secret-resolver.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-secret-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<SecretRefError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SecretRefError);
  return err as SecretRefError;
}

describe('resolveSecret: references become values only when used', () => {
  it('reads an environment variable from the given environment', async () => {
    expect(await resolveSecret({ env: 'HOOK_TOKEN' }, { env: { HOOK_TOKEN: 's3cr3t' } })).toBe('s3cr3t');
    const e = await refusal(resolveSecret({ env: 'HOOK_TOKEN' }, { env: {} }));
    expect(e.message).toBe('the environment variable HOOK_TOKEN is not set (the spec references it for a secret value)');
    expect(e.code).toBe('USAGE');
  });

  it('reads a file, dropping the trailing newline, with ~/ as the home directory', async () => {
    await writeFile(join(dir, 'token'), 'abc123\n');
    expect(await resolveSecret({ file: join(dir, 'token') })).toBe('abc123');
    await mkdir(join(dir, 'home', 'secrets'), { recursive: true });
    await writeFile(join(dir, 'home', 'secrets', 't'), 'from-home\r\n');
    expect(await resolveSecret({ file: '~/secrets/t' }, { home: join(dir, 'home') })).toBe('from-home');
  });

  it('refuses a FIFO, a device, a big file and an empty one, naming the reference and never the content', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect((await refusal(resolveSecret({ file: fifo }))).message).toContain(`secret the file ${fifo} is a named pipe (FIFO)`);
    expect((await refusal(resolveSecret({ file: '/dev/zero' }))).message).toContain('character device');
    const big = join(dir, 'big');
    await writeFile(big, 'x'.repeat(70 * 1024));
    expect((await refusal(resolveSecret({ file: big }))).message).toContain('the file is larger than the 64 KiB limit');
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    expect((await refusal(resolveSecret({ file: empty }))).message).toContain('is empty');
  });

  it('passes literals through and resolves header references; a header value with a newline is refused by name', async () => {
    expect(await resolveValue('plain')).toBe('plain');
    const env = { AUTH: 'Bearer abc', BAD: 'x\r\nInjected: 1' };
    expect(await resolveHeaders({ 'content-type': 'application/json', authorization: { env: 'AUTH' } }, { env })).toEqual({ 'content-type': 'application/json', authorization: 'Bearer abc' });
    const e = await refusal(resolveHeaders({ authorization: { env: 'BAD' } }, { env }));
    expect(e.message).toBe('header authorization: the value from the environment variable BAD holds control characters (a newline?); expected one line of text');
    expect(e.message).not.toContain('Injected');
  });
});
