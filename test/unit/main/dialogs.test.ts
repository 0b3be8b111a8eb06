import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialog } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpecDialogs } from '../../../electron/main/dialogs.ts';
import { SpecError } from '../../../shared/model/errors.ts';

/** spec:open reads the file the user picked, bounded: a FIFO or a device picked by mistake never hangs the app. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-dialogs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const picking = (path: string) =>
  createSpecDialogs({
    dialog: { showOpenDialog: async () => ({ canceled: false, filePaths: [path] }), showSaveDialog: async () => ({ canceled: true }) } as unknown as Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>,
    window: () => null,
  });

describe('spec:open', () => {
  it('returns the text of the picked spec', async () => {
    const path = join(dir, 'spec.yaml');
    await writeFile(path, 'kind: LoadTest\n');
    expect(await picking(path).open()).toEqual({ path, text: 'kind: LoadTest\n' });
  });

  it('refuses a FIFO, a device or a folder picked in the dialog, naming it', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const [path, why] of [
      [fifo, 'named pipe (FIFO)'],
      ['/dev/zero', 'character device'],
      [dir, 'directory'],
    ]) {
      const err = await picking(path!)
        .open()
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).message).toContain(path!);
      expect((err as SpecError).message).toContain(why!);
    }
  });
});
