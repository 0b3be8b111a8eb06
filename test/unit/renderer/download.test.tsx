// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { ParityView } from '../../../renderer/src/features/parity/ParityView.tsx';
import { useParityStore } from '../../../renderer/src/stores/parity.ts';
import { formatParityJson } from '../../../shared/model/parity-format.ts';
import { STAND_IN_PARITY } from '../main/stand-in-service.ts';

/** jsdom's Blob has no text(): read it the way a page would */
function readText(b: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsText(b);
  });
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('file downloads from the cockpit', () => {
  it('Export JSON hands the parity report to the browser as a named file', async () => {
    const blobs: Blob[] = [];
    const clicked: { download: string; href: string }[] = [];
    // jsdom has no object URLs and no navigation: record what would be downloaded
    URL.createObjectURL = (b: Blob | MediaSource) => {
      blobs.push(b as Blob);
      return `blob:test/${blobs.length}`;
    };
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.href });
    });
    useParityStore.setState({ reports: { before: STAND_IN_PARITY }, view: 'before', driftOnly: false, loading: false, error: null });
    render(<ParityView />);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    expect(clicked).toEqual([{ download: `parity-${STAND_IN_PARITY.specName}-before.json`, href: 'blob:test/1' }]);
    expect(blobs[0]!.type).toBe('application/json');
    expect(await readText(blobs[0]!)).toBe(formatParityJson(STAND_IN_PARITY));
    expect(document.querySelectorAll('a[download]')).toHaveLength(0);
  });
});
