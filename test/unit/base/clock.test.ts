import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../../electron/base/clock.ts';
import { ManualClock, VirtualClock } from '../../support/clocks.ts';

describe('clocks', () => {
  it('a scaled clock runs N times faster than real time', () => {
    let real = 1000;
    const clock = new ScaledClock(100, () => real);
    const t0 = clock.now();
    real += 10;
    expect(clock.now() - t0).toBe(1000);
  });

  it('a manual clock wakes sleepers in time order', async () => {
    const clock = new ManualClock(0);
    const woke: number[] = [];
    void clock.sleep(300).then(() => woke.push(clock.now()));
    void clock.sleep(100).then(() => woke.push(clock.now()));
    await clock.advance(500);
    expect(woke).toEqual([100, 300]);
    expect(clock.now()).toBe(500);
  });

  it('refuses to spin forever on a sleeper that loops on sleep(0)', async () => {
    const clock = new ManualClock(0);
    let spins = 0;
    const spin = async () => {
      for (;;) {
        await clock.sleep(0);
        spins++;
      }
    };
    void spin();
    await expect(clock.advance(1)).rejects.toThrow(/more than 1000000 wake-ups/);
    expect(spins).toBeGreaterThan(0);
  });

  it('an aborted sleep rejects with the reason', async () => {
    const clock = new ManualClock(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingSleepers).toBe(0);
  });
});

describe('ScaledClock.sleep', () => {
  it('does not wake early for sleeps longer than the platform timer limit', async () => {
    const clock = new ScaledClock(1);
    const ac = new AbortController();
    let woke = false;
    const p = clock.sleep(30 * 24 * 3_600_000, ac.signal).then(() => (woke = true), () => 'aborted');
    await new Promise((r) => setTimeout(r, 20));
    expect(woke).toBe(false);
    ac.abort(new Error('done'));
    expect(await p).toBe('aborted');
  });

  it('wakes after the scaled delay', async () => {
    const clock = new ScaledClock(1000);
    const t0 = clock.now();
    await clock.sleep(5_000);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(5_000);
  });
});

describe('VirtualClock', () => {
  it('moves time only by waking sleepers, earliest first, whatever the real time taken', async () => {
    const clock = new VirtualClock(0);
    const woke: string[] = [];
    await Promise.all([
      clock.sleep(60_000).then(() => woke.push(`a@${clock.now()}`)),
      clock.sleep(15_000).then(() => woke.push(`b@${clock.now()}`)),
      (async () => {
        await clock.sleep(15_000);
        await clock.sleep(15_000);
        woke.push(`c@${clock.now()}`);
      })(),
    ]);
    expect(woke).toEqual(['b@15000', 'c@30000', 'a@60000']);
    expect(clock.now()).toBe(60_000);
  });

  it('an aborted sleeper never wakes and does not move time', async () => {
    const clock = new VirtualClock(0);
    const ac = new AbortController();
    const p = clock.sleep(3_600_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    await clock.sleep(10);
    expect(clock.now()).toBe(10);
  });
});
