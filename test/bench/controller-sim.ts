/**
 * A deterministic closed-loop simulation on a simulated clock (1 s steps): Locust moves the user
 * count toward the commanded count at the commanded spawn rate (up and down, like Locust 2.x),
 * the plant answers, the controller decides once per control interval. No timers, no wall clock.
 */
import type { Controller, ControllerDecision, ControllerInput } from '../../electron/load/types.ts';
import { remainingRampCycles, setpointAt } from '../../electron/load/controller/setpoint.ts';
import type { Plant } from './plants.ts';

export interface SimConfig {
  targetOpm: number;
  rampUpS: number;
  plateauS: number;
  intervalS: number;
  maxUsers: number;
  maxSpawnRate: number;
}

export const REALISTIC: SimConfig = { targetOpm: 7200, rampUpS: 1800, plateauS: 3600, intervalS: 60, maxUsers: 5000, maxSpawnRate: 100 };

export interface CycleRecord {
  t: number;
  input: ControllerInput;
  decision: ControllerDecision;
  /** mean true OPM over the interval that follows the decision */
  opm: number;
  /** mean setpoint over that interval */
  setpoint: number;
  /** users at the end of the interval */
  users: number;
}

export interface SimResult {
  cycles: CycleRecord[];
  usersBySecond: number[];
  maxUsers: number;
  maxSpawnRate: number;
  knee: { users: number; opm: number; p99Ms: number | null } | null;
  kneeReports: number;
}

export function simulate(controller: Controller, plant: Plant, cfg: SimConfig): SimResult {
  const total = cfg.rampUpS + cfg.plateauS;
  const cyclesCount = Math.ceil(total / cfg.intervalS);
  const usersBySecond: number[] = [];
  const cycles: CycleRecord[] = [];
  let level = 0;
  let maxUsers = 0;
  let maxSpawnRate = 0;
  let knee: SimResult['knee'] = null;
  let kneeReports = 0;
  for (let k = 0; k < cyclesCount; k++) {
    const t = k * cfg.intervalS;
    const reading = plant.measure(usersBySecond, t);
    const input: ControllerInput = {
      elapsedMs: t * 1000,
      setpointOpm: setpointAt(t * 1000, cfg.targetOpm, cfg.rampUpS * 1000),
      targetOpm: cfg.targetOpm,
      measuredOpm: reading ? reading.opm : null,
      users: Math.round(level),
      p99Ms: reading ? reading.p99Ms : null,
      errorRate: reading ? reading.errorRate : 0,
      remainingRampCycles: remainingRampCycles(t * 1000, cfg.rampUpS * 1000, cfg.intervalS * 1000),
    };
    const decision = controller.decide(input);
    if (!Number.isFinite(decision.users) || !Number.isFinite(decision.spawnRate) || decision.spawnRate <= 0 || decision.users < 0)
      throw new Error(`cycle ${k}: invalid decision ${JSON.stringify(decision)}`);
    if (decision.knee) {
      kneeReports += 1;
      knee ??= decision.knee;
    }
    maxUsers = Math.max(maxUsers, decision.users);
    maxSpawnRate = Math.max(maxSpawnRate, decision.spawnRate);
    let opmSum = 0;
    let spSum = 0;
    const end = Math.min(total, t + cfg.intervalS);
    for (let s = t; s < end; s++) {
      const diff = decision.users - level;
      level += Math.sign(diff) * Math.min(Math.abs(diff), decision.spawnRate);
      const u = Math.round(level);
      usersBySecond.push(u);
      opmSum += plant.trueOpm(u);
      spSum += setpointAt((s + 0.5) * 1000, cfg.targetOpm, cfg.rampUpS * 1000);
    }
    const n = end - t;
    cycles.push({ t, input, decision, opm: opmSum / n, setpoint: spSum / n, users: Math.round(level) });
  }
  return { cycles, usersBySecond, maxUsers, maxSpawnRate, knee, kneeReports };
}

export interface Metrics {
  rampRmsPct: number;
  plateauMeanAbsPct: number;
  /** the peak above the target from the last ramp interval on (the classic overshoot of a hold), % of target */
  overshootPct: number;
  /** the peak above the setpoint during the ramp, % of target (ramp tracking, reported apart) */
  rampPeakAbovePct: number;
  /** plateau cycles until the error stays within ±2 % for the rest of the run; null if never */
  settleCycles: number | null;
  knee: { users: number; opm: number; p99Ms: number | null } | null;
}

/** errors are the true OPM over each interval against the setpoint over that interval, in % of the target */
export function metrics(result: SimResult, cfg: SimConfig): Metrics {
  const err = (c: CycleRecord): number => ((c.opm - c.setpoint) / cfg.targetOpm) * 100;
  const ramp = result.cycles.filter((c) => c.t + cfg.intervalS <= cfg.rampUpS);
  const plateau = result.cycles.filter((c) => c.t >= cfg.rampUpS);
  const rampRmsPct = Math.sqrt(ramp.reduce((a, c) => a + err(c) ** 2, 0) / Math.max(1, ramp.length));
  const plateauMeanAbsPct = plateau.reduce((a, c) => a + Math.abs(err(c)), 0) / Math.max(1, plateau.length);
  const holding = result.cycles.filter((c) => c.t + cfg.intervalS >= cfg.rampUpS);
  const overshootPct = Math.max(0, ...holding.map((c) => ((c.opm - cfg.targetOpm) / cfg.targetOpm) * 100));
  const rampPeakAbovePct = Math.max(0, ...ramp.map(err));
  let settleCycles: number | null = null;
  for (let i = plateau.length - 1; i >= 0; i--) {
    const c = plateau[i];
    if (!c || Math.abs(err(c)) > 2) break;
    settleCycles = i;
  }
  return { rampRmsPct, plateauMeanAbsPct, overshootPct, rampPeakAbovePct, settleCycles, knee: result.knee };
}
