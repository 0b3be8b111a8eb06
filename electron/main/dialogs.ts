import type { BrowserWindow, Dialog } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ResponseMap } from '../../shared/contract/index.ts';
import { ConductorError } from '../../shared/model/errors.ts';
import { writeFileAtomic } from '../base/fs-atomic.ts';

/**
 * spec:open and spec:save with the native dialogs. Paths come only from the dialogs (or the file
 * the user opened before), never from the renderer alone, so the renderer cannot read or write
 * arbitrary files.
 */
const MAX_SPEC_BYTES = 2_000_000;
const FILTERS = [
  { name: 'LoadTest spec', extensions: ['yaml', 'yml', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

export interface SpecDialogDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>;
  window: () => BrowserWindow | null;
  /** remembered for the next dialog and the recent list */
  onPath?: (path: string) => void;
}

export function createSpecDialogs(deps: SpecDialogDeps) {
  /** files the user picked in a dialog this session: the only paths spec:save writes without asking */
  const picked = new Set<string>();
  let lastDir: string | undefined;

  async function open(): Promise<ResponseMap['spec:open']> {
    const win = deps.window();
    const opts = { title: 'Open a LoadTest spec', properties: ['openFile' as const], filters: FILTERS, ...(lastDir ? { defaultPath: lastDir } : {}) };
    const res = win ? await deps.dialog.showOpenDialog(win, opts) : await deps.dialog.showOpenDialog(opts);
    const path = res.filePaths[0];
    if (res.canceled || !path) return null;
    const st = await stat(path);
    if (st.size > MAX_SPEC_BYTES) throw new ConductorError('USAGE', `${basename(path)} is larger than 2 MB; expected a LoadTest spec`);
    const text = await readFile(path, 'utf8');
    remember(path);
    return { path, text };
  }

  async function save(request: { text: string; path?: string }): Promise<ResponseMap['spec:save']> {
    let path = request.path && picked.has(request.path) ? request.path : undefined;
    if (!path) {
      const win = deps.window();
      const defaultPath = request.path ? join(lastDir ?? dirname(request.path), basename(request.path)) : join(lastDir ?? '', 'loadtest.yaml');
      const opts = { title: 'Save the LoadTest spec', filters: FILTERS, defaultPath };
      const res = win ? await deps.dialog.showSaveDialog(win, opts) : await deps.dialog.showSaveDialog(opts);
      if (res.canceled || !res.filePath) return null;
      path = res.filePath;
    }
    await writeFileAtomic(path, request.text);
    remember(path);
    return { path };
  }

  function remember(path: string) {
    picked.add(path);
    lastDir = dirname(path);
    deps.onPath?.(path);
  }

  return { open, save };
}
