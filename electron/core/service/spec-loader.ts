import { SpecError, type SpecIssue } from '../../../shared/model/errors.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { SPEC_LIMITS, validateSpecText, validateSpecTextAsync, type SpecValidation } from '../../../shared/spec/validate.ts';
import { FileReadError, readBoundedText } from '../../base/bounded-file.ts';

/**
 * Reading a LoadTest file from disk. The file is checked before it is read (missing, a directory,
 * a FIFO or device, larger than SPEC_LIMITS.maxBytes — a 50 MB file is refused from its size alone),
 * read asynchronously with a bounded buffer (electron/base/bounded-file.ts), decoded as strict
 * UTF-8, then validated by shared/spec/validate.ts.
 * Every failure is a SpecError naming the file (the CLI maps it to exit code 2).
 */
export async function loadSpecFile(path: string): Promise<LoadTest> {
  const text = await readSpecText(path);
  const result = await validateSpec(text);
  if (!result.ok) throw new SpecError(result.issues, path);
  return result.spec;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Validate spec text without holding the event loop: the work pauses every few milliseconds, so a
 * server validating a 1 MiB spec keeps answering status and abort (shared/spec/steps.ts).
 */
export function validateSpec(text: string): Promise<SpecValidation> {
  return validateSpecTextAsync(text, { pause: yieldToEventLoop });
}

/** Validate spec text that did not come from a file (an upload, an API body). */
export function loadSpecText(text: string, fileName?: string): LoadTest {
  const result = validateSpecText(text, fileName);
  if (!result.ok) throw new SpecError(result.issues, fileName);
  return result.spec;
}

/** The file's text, or a SpecError saying why it cannot be a LoadTest spec (electron/base/bounded-file.ts). */
export async function readSpecText(path: string): Promise<string> {
  try {
    return await readBoundedText(path, { maxBytes: SPEC_LIMITS.maxBytes, what: 'a LoadTest spec (YAML or JSON)' });
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    const issue: SpecIssue = { path: '', message: err.reason, expected: err.expected };
    if (err.found !== undefined) issue.found = err.found;
    throw new SpecError([issue], path);
  }
}
