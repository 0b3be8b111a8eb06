import { open, stat } from 'node:fs/promises';
import { SpecError, type SpecIssue, errorMessage } from '../../../shared/model/errors.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { SPEC_LIMITS, validateSpecText } from '../../../shared/spec/validate.ts';
import { formatBytes } from '../../../shared/spec/yaml-tree.ts';

/**
 * Reading a LoadTest file from disk. The file is checked before it is read (missing, a directory,
 * larger than SPEC_LIMITS.maxBytes — a 50 MB file is refused from its size alone), read with a
 * bounded buffer, decoded as strict UTF-8, then validated by shared/spec/validate.ts.
 * Every failure is a SpecError naming the file (the CLI maps it to exit code 2).
 */
export async function loadSpecFile(path: string): Promise<LoadTest> {
  const text = await readSpecText(path);
  return loadSpecText(text, path);
}

/** Validate spec text that did not come from a file (an upload, an API body). */
export function loadSpecText(text: string, fileName?: string): LoadTest {
  const result = validateSpecText(text, fileName);
  if (!result.ok) throw new SpecError(result.issues, fileName);
  return result.spec;
}

/** The file's text, or a SpecError saying why it cannot be a LoadTest spec. */
export async function readSpecText(path: string): Promise<string> {
  const fail = (message: string, expected?: string, found?: string): SpecError => {
    const issue: SpecIssue = { path: '', message };
    if (expected !== undefined) issue.expected = expected;
    if (found !== undefined) issue.found = found;
    return new SpecError([issue], path);
  };
  if (path.trim() === '') throw fail('no file given', 'the path of a LoadTest file');
  const limit = SPEC_LIMITS.maxBytes;
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw fail('is a directory, not a LoadTest file', 'a YAML or JSON file', 'a directory');
    if (!info.isFile()) throw fail('is not a regular file', 'a YAML or JSON file', 'a device, socket or pipe');
    size = info.size;
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw fail(describeFsError(err), 'a readable YAML or JSON file');
  }
  if (size > limit) throw fail(`the file is larger than the ${formatBytes(limit)} limit for a LoadTest spec`, `at most ${formatBytes(limit)}`, formatBytes(size));

  let bytes: Uint8Array;
  try {
    const handle = await open(path, 'r');
    try {
      // read at most limit + 1 bytes: a file that grew after stat is still refused without reading it all
      const buffer = new Uint8Array(limit + 1);
      let filled = 0;
      for (let reads = 0; reads < 1024 && filled < buffer.length; reads++) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      bytes = buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fail(describeFsError(err), 'a readable YAML or JSON file');
  }
  if (bytes.length > limit) throw fail(`the file is larger than the ${formatBytes(limit)} limit for a LoadTest spec`, `at most ${formatBytes(limit)}`, `more than ${formatBytes(limit)}`);
  if (bytes.includes(0)) throw fail('not a text file', 'a YAML or JSON text file in UTF-8', 'NUL bytes (binary data)');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail('not a text file', 'a YAML or JSON text file in UTF-8', 'bytes that are not valid UTF-8');
  }
}

function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'EISDIR':
      return 'is a directory, not a LoadTest file';
    case 'ENOTDIR':
      return 'no such file (a part of the path is not a directory)';
    case 'ELOOP':
      return 'cannot be read: too many symbolic links';
    case 'ENAMETOOLONG':
      return 'cannot be read: the path is too long';
    default:
      return `cannot be read: ${errorMessage(err)}`;
  }
}
