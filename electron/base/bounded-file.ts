import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { formatBytes } from '../../shared/model/text.ts';

/**
 * Reading a file the conductor did not write (a spec, a kubeconfig, an AWS config, a secret
 * reference, the settings): it must be a regular file under a size limit, decided from stat alone
 * — a FIFO, /dev/zero, a directory or a 50 MB file is refused before a byte is read. The file is
 * opened non-blocking (a FIFO swapped in after a path check cannot hang the open), checked with
 * fstat on that same handle, then read asynchronously into a buffer of at most `maxBytes + 1`.
 * A failure is a FileReadError naming the path and what was expected; it never quotes the file.
 */

export type FileReadProblem = 'missing' | 'not-a-file' | 'too-large' | 'unreadable' | 'not-text';

export class FileReadError extends Error {
  constructor(
    readonly path: string,
    readonly problem: FileReadProblem,
    /** what is wrong, e.g. "is a named pipe (FIFO)"; never the file's content */
    readonly reason: string,
    /** what was expected, e.g. "a regular file of at most 4 MiB" */
    readonly expected: string,
    /** what was found instead, e.g. "a named pipe (FIFO)", "50 MiB" */
    readonly found?: string,
  ) {
    super(`${path}: ${reason}; expected ${expected}`);
    this.name = 'FileReadError';
  }
}

export interface BoundedReadOptions {
  /** the largest file accepted, in bytes */
  maxBytes: number;
  /** what the file should be, for errors: "a kubeconfig file", "a LoadTest spec" */
  what: string;
}

const NONBLOCK = constants.O_NONBLOCK ?? 0;
const NOCTTY = constants.O_NOCTTY ?? 0;

/** The bytes of a regular file of at most `maxBytes`, read asynchronously. */
export async function readBoundedFile(path: string, opts: BoundedReadOptions): Promise<Uint8Array> {
  const expected = `${opts.what}: a regular file of at most ${formatBytes(opts.maxBytes)}`;
  if (path.trim() === '') throw new FileReadError(path, 'missing', 'no file given', expected);
  if (path.includes('\0')) throw new FileReadError(path, 'missing', 'the path holds a NUL character', expected);
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | NONBLOCK | NOCTTY);
  } catch (err) {
    throw fsError(path, err, expected);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileReadError(path, 'not-a-file', `is ${kindOf(info)}, not a regular file`, expected, kindOf(info));
    if (info.size > opts.maxBytes) throw new FileReadError(path, 'too-large', `the file is larger than the ${formatBytes(opts.maxBytes)} limit`, expected, formatBytes(info.size));
    // files under /proc report size 0: read at most limit + 1 bytes whatever stat said
    const buffer = new Uint8Array(opts.maxBytes + 1);
    let filled = 0;
    for (let reads = 0; reads < 4096 && filled < buffer.length; reads++) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > opts.maxBytes) throw new FileReadError(path, 'too-large', `the file is larger than the ${formatBytes(opts.maxBytes)} limit`, expected, `more than ${formatBytes(opts.maxBytes)}`);
    return buffer.slice(0, filled);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw fsError(path, err, expected);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The text of a regular UTF-8 text file of at most `maxBytes` (NUL bytes and invalid UTF-8 are refused). */
export async function readBoundedText(path: string, opts: BoundedReadOptions): Promise<string> {
  const bytes = await readBoundedFile(path, opts);
  const expected = `${opts.what}: a UTF-8 text file`;
  if (bytes.includes(0)) throw new FileReadError(path, 'not-text', 'is not a text file (it holds NUL bytes)', expected, 'NUL bytes (binary data)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileReadError(path, 'not-text', 'is not a text file (it holds bytes that are not valid UTF-8)', expected, 'bytes that are not valid UTF-8');
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function fsError(path: string, err: unknown, expected: string): FileReadError {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return new FileReadError(path, 'missing', 'no such file', expected);
    case 'ENOTDIR':
      return new FileReadError(path, 'missing', 'no such file (a part of the path is not a directory)', expected);
    case 'EACCES':
    case 'EPERM':
      return new FileReadError(path, 'unreadable', 'cannot be read: permission denied', expected);
    case 'EISDIR':
      return new FileReadError(path, 'not-a-file', 'is a directory, not a regular file', expected, 'a directory');
    case 'ELOOP':
      return new FileReadError(path, 'unreadable', 'cannot be read: too many symbolic links', expected);
    case 'ENAMETOOLONG':
      return new FileReadError(path, 'unreadable', 'cannot be read: the path is too long', expected);
    case 'ENXIO':
      return new FileReadError(path, 'not-a-file', 'is a socket or device without a reader, not a regular file', expected);
    default:
      return new FileReadError(path, 'unreadable', `cannot be read (${typeof code === 'string' ? code : 'an I/O error'})`, expected);
  }
}
