import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { loadTestSchema, type LoadTest } from '../../shared/spec/schema.ts';
import { SpecError } from '../../shared/model/errors.ts';

/**
 * Read and validate a LoadTest file. PLACEHOLDER: the foundation issue replaces this with the
 * hardened loader (positions, hostile input, semantic checks) in shared/spec/validate.ts.
 */
export async function loadSpecFile(path: string): Promise<LoadTest> {
  const text = await readFile(path, 'utf8');
  const doc = parseDocument(text);
  const parsed = loadTestSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new SpecError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })), path);
  }
  return parsed.data;
}
