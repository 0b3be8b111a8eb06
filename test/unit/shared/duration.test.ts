import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../shared/spec/duration.ts';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['2h', 7_200_000],
    ['500ms', 500],
    ['1m30s', 90_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', 'm', '1d', '-5s', '1.5h', '30 m', 's30'])('rejects %j', (text) => expect(parseDuration(text)).toBeNull());

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(250)).toBe('250ms');
  });
});
