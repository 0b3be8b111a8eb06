import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';

/**
 * Durable file writes for the journal and the history: write a temp file beside the target,
 * fsync it, rename it over the target, then fsync the directory so the rename itself survives
 * a power cut. A reader therefore sees the old file or the new one, never half of one.
 * Everything written here is the owner's alone: files 0600, the folders created 0700.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Append one line and fsync before returning. */
export async function appendLineDurable(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const fh = await open(path, 'a', 0o600);
  try {
    await fh.appendFile(line.endsWith('\n') ? line : line + '\n', 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * A file the user named (a --report, a kubeconfig the sandbox writes): created 0600, and an
 * existing regular file made 0600 before it is overwritten; a device such as /dev/stdout is written as is.
 */
export async function writePrivateFile(path: string, data: string): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    if ((await fh.stat()).isFile()) await fh.chmod(0o600);
    await fh.writeFile(data, 'utf8');
  } finally {
    await fh.close();
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic there
  } finally {
    await fh?.close();
  }
}
