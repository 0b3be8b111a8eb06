import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SpecError, UsageError } from '../../../shared/model/errors.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';
import { loadSpecFile } from './spec-loader.ts';

/**
 * The specs `conductor serve --specs DIR` may run: every *.yaml, *.yml and *.json LoadTest in the
 * folder (not its subfolders), each read bounded and validated like `conductor validate`. An
 * event or a schedule can only pick among these by name — it never brings a spec, a cluster, a
 * URL or a credential of its own. A folder with an invalid spec, or two specs of one name, is
 * refused as a whole (exit 2 at start): half a catalog would run the wrong tests silently.
 */

export interface SpecCatalog {
  readonly dir: string | null;
  /** by metadata.name */
  readonly specs: ReadonlyMap<string, LoadTest>;
}

export const MAX_CATALOG_FILES = 500;

export const EMPTY_CATALOG: SpecCatalog = { dir: null, specs: new Map() };

export async function loadSpecCatalog(dir: string): Promise<SpecCatalog> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name) && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--specs ${dir}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : 'cannot be read'}; expected a folder of LoadTest specs`);
  }
  if (names.length > MAX_CATALOG_FILES) throw new UsageError(`--specs ${dir}: ${names.length} spec files; at most ${MAX_CATALOG_FILES}`);
  const specs = new Map<string, LoadTest>();
  const fileOf = new Map<string, string>();
  const problems: SpecError[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      const spec = await loadSpecFile(path);
      const other = fileOf.get(spec.metadata.name);
      if (other) {
        problems.push(new SpecError([{ path: 'metadata.name', message: `the name is also used by ${other}`, expected: 'one spec per name in the folder', found: JSON.stringify(spec.metadata.name) }], path));
        continue;
      }
      specs.set(spec.metadata.name, spec);
      fileOf.set(spec.metadata.name, path);
    } catch (err) {
      if (err instanceof SpecError) problems.push(err);
      else throw err;
    }
  }
  if (problems.length) throw new UsageError(`--specs ${dir}: ${problems.length} spec file(s) refused (fix them, or move them out of the folder):\n${problems.map((p) => p.message).join('\n')}`);
  return { dir, specs };
}
