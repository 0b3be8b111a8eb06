import { describe, expect, it } from 'vitest';
import { DEFAULT_KNEE, KneeDetector, type KneeObservation } from '../../../../electron/load/controller/knee.ts';

const light: KneeObservation = { users: 100, opm: 600, marginalOpm: { estimate: 6, upper: 6.5 }, lightOrdersPerUser: 6, errorRate: 0, p99Ms: 120 };

function feed(detector: KneeDetector, obs: KneeObservation[]) {
  return obs.map((o) => detector.observe(o));
}

describe('knee detector', () => {
  it('does not call a loaded shop that still follows the users a knee (72 % of capacity: 19 % of idle per user, 2.8 % errors, p99 ×4)', () => {
    const d = new KneeDetector(DEFAULT_KNEE);
    const loaded: KneeObservation = { users: 2250, opm: 7200, marginalOpm: { estimate: 1.16, upper: 1.4 }, lightOrdersPerUser: 6, errorRate: 0.028, p99Ms: 470 };
    const found = feed(d, [light, light, loaded, loaded, loaded, loaded]);
    expect(found.every((k) => k === null)).toBe(true);
    expect(d.knee).toBeNull();
  });

  it('finds the knee when an added user is worth < 10 % of a light-load one, two cycles in a row, at the first such point', () => {
    const d = new KneeDetector(DEFAULT_KNEE);
    const flat = (users: number): KneeObservation => ({ users, opm: 4700, marginalOpm: { estimate: 0.3, upper: 0.5 }, lightOrdersPerUser: 6, errorRate: 0.02, p99Ms: 400 });
    const found = feed(d, [light, flat(1800), flat(1900)]);
    expect(found[1]).toBeNull();
    expect(found[2]).toMatchObject({ users: 1800, opm: 4700 });
    expect(d.knee?.reason).toMatch(/marginal OPM/);
    expect(d.observe(flat(2000))).toBeNull(); // reported once
  });

  it('finds the knee on an error rate 5 points above light load, or p99 at 10 × light load', () => {
    const errors = new KneeDetector(DEFAULT_KNEE);
    const failing: KneeObservation = { ...light, users: 1700, opm: 4600, marginalOpm: null, errorRate: 0.061 };
    expect(feed(errors, [light, failing, failing])[2]).not.toBeNull();
    expect(errors.knee?.reason).toMatch(/error rate/);
    const slow = new KneeDetector(DEFAULT_KNEE);
    const late: KneeObservation = { ...light, users: 1700, opm: 4600, marginalOpm: null, p99Ms: 1300 };
    expect(feed(slow, [light, late, late])[2]).not.toBeNull();
    expect(slow.knee?.reason).toMatch(/p99/);
    const notYet = new KneeDetector(DEFAULT_KNEE);
    expect(feed(notYet, [light, { ...late, p99Ms: 1100 }, { ...failing, errorRate: 0.045 }, { ...failing, errorRate: 0.045 }]).every((k) => k === null)).toBe(true);
  });
});
