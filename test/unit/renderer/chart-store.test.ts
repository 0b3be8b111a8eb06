import { afterEach, describe, expect, it } from 'vitest';
import { setChartScheduler, useChartStore } from '../../../renderer/src/stores/chart.ts';
import { DrawnSeries } from '../../../renderer/src/stores/decimate.ts';
import type { Sample } from '../../../shared/model/run.ts';

const sample = (t: number, actual = t): Sample => ({ t, phase: 'ramp', targetOpm: 1000, setpointOpm: actual, actualOpm: actual, users: 10, spawnRate: 1, errorRate: 0.02, p99Ms: (t / 5000) % 2 ? null : 150 });

afterEach(() => setChartScheduler(null));

describe('chart store', () => {
  it('batches samples into one update per animation frame', () => {
    const frames: (() => void)[] = [];
    setChartScheduler((cb) => frames.push(cb));
    useChartStore.getState().reset();
    const updates: number[] = [];
    const unsubscribe = useChartStore.subscribe((s) => updates.push(s.version));
    for (let i = 0; i < 100; i++) useChartStore.getState().push(sample(i * 5000));
    expect(frames).toHaveLength(1);
    expect(updates).toEqual([]);
    expect(useChartStore.getState().count).toBe(0);
    frames.shift()!();
    expect(updates).toHaveLength(1);
    const st = useChartStore.getState();
    expect(st.count).toBe(100);
    expect(st.series.actual).toHaveLength(100);
    expect(st.series.errorRatePct[0]).toEqual({ x: 0, y: 2 });
    expect(st.series.p99Ms).toHaveLength(50);
    expect(st.last?.t).toBe(99 * 5000);
    // the next sample schedules the next frame
    useChartStore.getState().push(sample(100 * 5000));
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(useChartStore.getState().count).toBe(101);
    expect(updates).toHaveLength(2);
    unsubscribe();
  });

  it('keeps x in order (late duplicates dropped) and replaces from a status', () => {
    setChartScheduler((cb) => cb());
    useChartStore.getState().reset();
    useChartStore.getState().push(sample(60_000));
    useChartStore.getState().push(sample(30_000));
    expect(useChartStore.getState().series.actual.map((p) => p.x)).toEqual([1]);
    useChartStore.getState().replace([sample(120_000), sample(60_000)]);
    expect(useChartStore.getState().series.actual.map((p) => p.x)).toEqual([1, 2]);
    useChartStore.getState().reset();
    expect(useChartStore.getState().count).toBe(0);
  });
});

describe('what the charts draw of a long run', () => {
  it('every point of a short run; past the limit at most about the limit, every spike and the latest sample kept, in x order', () => {
    const line = new DrawnSeries(100);
    for (let i = 0; i < 100; i++) line.push({ x: i, y: i % 10 });
    expect(line.points).toHaveLength(100);
    const spikes = new Set([250, 777, 4321, 17_000]);
    for (let i = 100; i < 17_280; i++) {
      line.push({ x: i, y: spikes.has(i) ? 1000 : i % 10 });
      expect(line.points.at(-1)!.x).toBe(i);
      expect(line.points.length).toBeLessThanOrEqual(103);
    }
    expect(line.points.filter((p) => p.y === 1000).map((p) => p.x)).toEqual([...spikes]);
    expect(line.points.every((p, i, a) => i === 0 || a[i - 1]!.x < p.x)).toBe(true);
    expect(Math.min(...line.points.map((p) => p.y))).toBe(0);
  });

  it('the store draws through it: the chart gets the decimated series, the figures every sample', () => {
    setChartScheduler((cb) => cb());
    useChartStore.getState().replace(Array.from({ length: 17_280 }, (_, i) => sample(i * 5000, 500)));
    const st = useChartStore.getState();
    expect(st.count).toBe(17_280);
    expect(st.series.actual).toHaveLength(17_280);
    expect(st.drawn.actual.length).toBeLessThanOrEqual(1203);
    expect(st.drawn.actual.at(-1)!.x).toBe((17_279 * 5000) / 60_000);
  });
});
