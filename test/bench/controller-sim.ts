/**
 * A deterministic closed-loop simulation on a simulated clock (1 s steps): Locust moves the user
 * count toward the commanded count at the commanded spawn rate (up and down, like Locust 2.x),
 * the plant answers and counts, the controller decides at the decision times, and the run's real
 * guards (electron/core/guards.ts, default limits) judge every sample as the load loop does — a
 * breach ends the load. No timers, no wall clock.
 */
import type { Controller, ControllerDecision, ControllerInput } from '../../electron/load/types.ts';
import { remainingRampCycles, setpointAt } from '../../electron/load/controller/setpoint.ts';
import { Guards } from '../../electron/core/rules/guards.ts';
import { guardsSchema } from '../../shared/spec/schema.ts';
import { seededRandom, type DecisionTiming, type Plant } from './plants.ts';

export interface SimConfig {
  targetOpm: number;
  rampUpS: number;
  plateauS: number;
  intervalS: number;
  maxUsers: number;
  maxSpawnRate: number;
  /** explicit decision times (s, ascending, from 0): a scripted stall; overrides the plant's timing */
  decisionTimesS?: number[];
  /** judge samples with the run's guards (default limits); default true */
  guards?: boolean;
}

/** the guards a run has by default (spec.guards with nothing set) */
export const DEFAULT_GUARDS = guardsSchema.parse({});

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
  /** true OPM and setpoint at each simulated second (the metrics are taken over nominal intervals of these) */
  opmBySecond: number[];
  setpointBySecond: number[];
  maxUsers: number;
  maxSpawnRate: number;
  /** the knee the run ends with: reported by the controller and not withdrawn */
  knee: { users: number; opm: number; p99Ms: number | null } | null;
  kneeReports: number;
  /** the controller said the load generator was the limit */
  generatorSaturated: boolean;
  /** the guard that ended the load, if one did */
  aborted: string | null;
}

/**
 * The decision times (s) over [0, total): every interval, or, with `timing`, irregular (seeded):
 * nominal × (1 ± jitter), stalls of a few intervals, and after a stall the missed cycles back to
 * back `catchUpS` apart (the lifecycle's loop keeps its schedule). Depends only on the seed and the
 * config, so every algorithm decides at the same times.
 */
export function decisionTimes(cfg: SimConfig, timing?: DecisionTiming): number[] {
  const total = cfg.rampUpS + cfg.plateauS;
  if (!timing) return Array.from({ length: Math.ceil(total / cfg.intervalS) }, (_, k) => k * cfg.intervalS);
  const rand = seededRandom(timing.seed);
  const times: number[] = [];
  let t = 0;
  for (let n = 0; t < total && n < total; n++) {
    times.push(t);
    let gap: number;
    if (rand() < timing.stallChance) {
      const [lo, hi] = timing.stallIntervals;
      const stall = lo + (hi - lo) * rand();
      gap = stall * cfg.intervalS;
      const missed = Math.floor(stall) - 1;
      if (timing.catchUpS !== undefined && missed > 0) {
        t += Math.max(1, Math.round(gap));
        for (let m = 0; m < missed && t < total; m++) {
          times.push(t);
          t += Math.max(1, Math.round(timing.catchUpS));
        }
        continue;
      }
    } else gap = cfg.intervalS * (1 + timing.jitter * (2 * rand() - 1));
    t += Math.max(1, Math.round(gap));
  }
  return times;
}

export function simulate(controller: Controller, plant: Plant, cfg: SimConfig): SimResult {
  const total = cfg.rampUpS + cfg.plateauS;
  const times = cfg.decisionTimesS ?? decisionTimes(cfg, plant.timing);
  const guards = cfg.guards === false ? null : new Guards(DEFAULT_GUARDS);
  const usersBySecond: number[] = [];
  const opmBySecond: number[] = [];
  const setpointBySecond: number[] = [];
  const cycles: CycleRecord[] = [];
  let level = 0;
  let maxUsers = 0;
  let maxSpawnRate = 0;
  let knee: SimResult['knee'] = null;
  let kneeReports = 0;
  let generatorSaturated = false;
  let aborted: string | null = null;
  for (let k = 0; k < times.length; k++) {
    const t = times[k] ?? 0;
    const reading = plant.read();
    const input: ControllerInput = {
      elapsedMs: t * 1000,
      setpointOpm: setpointAt(t * 1000, cfg.targetOpm, cfg.rampUpS * 1000),
      targetOpm: cfg.targetOpm,
      measuredOpm: reading ? reading.opm : null,
      users: reading ? reading.users : 0,
      p99Ms: reading ? reading.p99Ms : null,
      errorRate: reading ? reading.errorRate : 0,
      ...(reading?.recentErrorRate !== undefined ? { recentErrorRate: reading.recentErrorRate } : {}),
      remainingRampCycles: remainingRampCycles(t * 1000, cfg.rampUpS * 1000, cfg.intervalS * 1000),
      ...(reading?.window ? { measurementWindow: { fromMs: reading.window.from, toMs: reading.window.to } } : {}),
      ...(reading && reading.generatorCpuPct !== null ? { generatorCpuPct: reading.generatorCpuPct } : {}),
    };
    let decision: ControllerDecision;
    if (aborted) decision = { users: 0, spawnRate: cfg.maxSpawnRate };
    else {
      // the guards judge what they judge in a run: the latest interval's error rate where the KPI counts one
      const g = guards?.evaluate({ t: t * 1000, opm: input.measuredOpm, errorRate: input.errorRate, ...(input.recentErrorRate !== undefined ? { recentErrorRate: input.recentErrorRate } : {}), p99Ms: input.p99Ms, users: input.users }, t * 1000, k);
      if (g?.breach) {
        aborted = `${g.breach.guard} at ${Math.round(t / 60)} min: ${g.breach.message}`;
        decision = { users: 0, spawnRate: cfg.maxSpawnRate };
      } else decision = controller.decide(input);
    }
    if (!Number.isFinite(decision.users) || !Number.isFinite(decision.spawnRate) || decision.spawnRate <= 0 || decision.users < 0)
      throw new Error(`cycle ${k}: invalid decision ${JSON.stringify(decision)}`);
    if (decision.knee) {
      kneeReports += 1;
      knee = decision.knee;
    }
    if (decision.kneeCleared) knee = null;
    if (decision.generatorSaturated) generatorSaturated = true;
    const commanded = Math.min(cfg.maxUsers, decision.users);
    maxUsers = Math.max(maxUsers, commanded);
    maxSpawnRate = Math.max(maxSpawnRate, decision.spawnRate);
    let opmSum = 0;
    let spSum = 0;
    const end = Math.min(total, times[k + 1] ?? total);
    for (let s = t; s < end; s++) {
      const diff = commanded - level;
      level += Math.sign(diff) * Math.min(Math.abs(diff), Math.min(decision.spawnRate, cfg.maxSpawnRate));
      const u = Math.round(level);
      usersBySecond.push(u);
      const opm = plant.tick(u);
      const sp = setpointAt((s + 0.5) * 1000, cfg.targetOpm, cfg.rampUpS * 1000);
      opmBySecond.push(opm);
      setpointBySecond.push(sp);
      opmSum += opm;
      spSum += sp;
    }
    const n = Math.max(1, end - t);
    cycles.push({ t, input, decision, opm: opmSum / n, setpoint: end > t ? spSum / n : setpointAt(t * 1000, cfg.targetOpm, cfg.rampUpS * 1000), users: Math.round(level) });
  }
  return { cycles, usersBySecond, opmBySecond, setpointBySecond, maxUsers, maxSpawnRate, knee, kneeReports, generatorSaturated, aborted };
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
  generatorSaturated: boolean;
  aborted: string | null;
}

/** the nominal control intervals of a run: mean true OPM and mean setpoint over each */
interface Bucket {
  t: number;
  opm: number;
  setpoint: number;
}

function buckets(result: SimResult, cfg: SimConfig): Bucket[] {
  const out: Bucket[] = [];
  const total = result.opmBySecond.length;
  for (let t = 0; t < total; t += cfg.intervalS) {
    const end = Math.min(total, t + cfg.intervalS);
    let opm = 0;
    let sp = 0;
    for (let s = t; s < end; s++) {
      opm += result.opmBySecond[s] ?? 0;
      sp += result.setpointBySecond[s] ?? 0;
    }
    out.push({ t, opm: opm / (end - t), setpoint: sp / (end - t) });
  }
  return out;
}

/**
 * errors are the shop's expected OPM over each nominal control interval (whatever the decision
 * times were) against the setpoint over that interval, in % of the target
 */
export function metrics(result: SimResult, cfg: SimConfig): Metrics {
  const err = (c: Bucket): number => ((c.opm - c.setpoint) / cfg.targetOpm) * 100;
  const all = buckets(result, cfg);
  const ramp = all.filter((c) => c.t + cfg.intervalS <= cfg.rampUpS);
  const plateau = all.filter((c) => c.t >= cfg.rampUpS);
  const rampRmsPct = Math.sqrt(ramp.reduce((a, c) => a + err(c) ** 2, 0) / Math.max(1, ramp.length));
  const plateauMeanAbsPct = plateau.reduce((a, c) => a + Math.abs(err(c)), 0) / Math.max(1, plateau.length);
  const holding = all.filter((c) => c.t + cfg.intervalS >= cfg.rampUpS);
  const overshootPct = Math.max(0, ...holding.map((c) => ((c.opm - cfg.targetOpm) / cfg.targetOpm) * 100));
  const rampPeakAbovePct = Math.max(0, ...ramp.map(err));
  let settleCycles: number | null = null;
  for (let i = plateau.length - 1; i >= 0; i--) {
    const c = plateau[i];
    if (!c || Math.abs(err(c)) > 2) break;
    settleCycles = i;
  }
  return { rampRmsPct, plateauMeanAbsPct, overshootPct, rampPeakAbovePct, settleCycles, knee: result.knee, generatorSaturated: result.generatorSaturated, aborted: result.aborted };
}
