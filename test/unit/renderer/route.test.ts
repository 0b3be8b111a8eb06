import { describe, expect, it } from 'vitest';
import { formatRoute, parseHash } from '../../../renderer/src/stores/route.ts';

describe('cockpit addresses', () => {
  it('reads every view, a run and a comparison from the fragment, and writes them back the same', () => {
    for (const hash of ['#/parity', '#/run', '#/spec', '#/environments', '#/history', '#/runs/20261123-040000Z-peak-1a2b3c', '#/compare/a,b,c']) {
      expect(formatRoute(parseHash(hash))).toBe(hash);
    }
    expect(parseHash('#/runs/r-1')).toEqual({ tab: 'history', runId: 'r-1', compare: [] });
    expect(parseHash('#/compare/a,b')).toEqual({ tab: 'history', runId: null, compare: ['a', 'b'] });
  });

  it('falls back to the parity view for anything else (a token fragment, a bad run id, one run to compare)', () => {
    for (const hash of ['', '#', '#token=abc', '#/nope', '#/runs/../../etc', '#/compare/a']) expect(parseHash(hash)).toEqual({ tab: 'parity', runId: null, compare: [] });
    expect(parseHash('#/compare/a,b,c,d,e,f').compare).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
