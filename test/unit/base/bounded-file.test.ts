import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileReadError, readBoundedFile, readBoundedText } from '../../../electron/base/bounded-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-bounded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = { maxBytes: 1024, what: 'a test file' };

async function refusal(path: string, o = opts): Promise<FileReadError> {
  const err = await readBoundedText(path, o).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileReadError);
  const e = err as FileReadError;
  expect(e.message).toContain(path);
  expect(e.message).toContain('expected a test file: a ');
  return e;
}

describe('readBoundedFile: only regular files under a limit, decided before reading', () => {
  it('reads a small text file', async () => {
    const path = join(dir, 'ok.txt');
    await writeFile(path, 'hello\n');
    expect(await readBoundedText(path, opts)).toBe('hello\n');
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    const e = await refusal(path);
    expect(e.problem).toBe('not-a-file');
    expect(e.reason).toContain('named pipe (FIFO)');
  });

  it('refuses /dev/zero (a character device) without reading it', async () => {
    const e = await refusal('/dev/zero');
    expect(e.reason).toContain('character device');
  });

  it('refuses a directory and a symbolic link to one', async () => {
    expect((await refusal(dir)).reason).toContain('a directory');
    const link = join(dir, 'dir-link');
    await symlink(dir, link);
    expect((await refusal(link)).problem).toBe('not-a-file');
  });

  it('refuses a 50 MB file from its size alone', async () => {
    const path = join(dir, 'big');
    const h = await open(path, 'w');
    await h.truncate(50 * 1024 * 1024);
    await h.close();
    const e = await refusal(path);
    expect(e.problem).toBe('too-large');
    expect(e.reason).toBe('the file is larger than the 1 KiB limit');
    expect(e.found).toBe('50 MiB');
  });

  it('refuses a /proc file (size 0 in stat) that holds more than the limit, and binary content, without quoting it', async () => {
    const e = await refusal('/proc/self/environ', { maxBytes: 1024, what: 'a test file' }).catch(() => null);
    // environ is either over 1 KiB or holds NUL bytes: refused either way, and never quoted
    expect(e).not.toBeNull();
    expect(e!.message).not.toContain('PATH=');
    const bin = join(dir, 'bin');
    await writeFile(bin, Buffer.from([0x41, 0x00, 0x42]));
    expect((await refusal(bin)).problem).toBe('not-text');
    const latin1 = join(dir, 'latin1');
    await writeFile(latin1, Buffer.from('caf\xe9', 'latin1'));
    expect((await refusal(latin1)).reason).toContain('not valid UTF-8');
  });

  it('names a missing file and an unreadable one', async () => {
    expect((await refusal(join(dir, 'nope'))).reason).toBe('no such file');
    const locked = join(dir, 'locked');
    await writeFile(locked, 'x');
    await chmod(locked, 0o000);
    // root reads anything: only assert the refusal when the process is not root
    if (process.getuid?.() !== 0) expect((await refusal(locked)).reason).toContain('permission denied');
    else expect(await readBoundedFile(locked, opts)).toHaveLength(1);
  });
});
