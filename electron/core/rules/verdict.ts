import type { Knee, Sample, Verdict } from '../../../shared/model/run.ts';
import type { LoadTest } from '../../../shared/spec/schema.ts';

/**
 * The verdict rules.
 * - error: the run could not be conducted (a deploy/rollout failed, a platform was unreachable …)
 * - aborted: a user abort (Ctrl-C, the cockpit's Abort)
 * - failed: a guard breached (incl. production drift in `abort` mode), the plateau's mean OPM is
 *   not within tolerancePct of the target, the controller found a knee below the target, no
 *   plateau sample at all, or the restore did not complete
 * - passed: none of the above
 */

export type RunOutcome =
  | { kind: 'completed' }
  | { kind: 'aborted'; reason: string }
  | { kind: 'guard'; reason: string }
  | { kind: 'error'; reason: string };

export interface VerdictInput {
  spec: LoadTest;
  samples: Sample[];
  knee: Knee | null;
  outcome: RunOutcome;
  restoreComplete: boolean;
  /** restore failures, named per app */
  restoreFailures?: string[];
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function plateauStats(samples: Sample[]): { plateauOpm: number | null; plateauP99Ms: number | null; errorRate: number | null } {
  const plateau = samples.filter((s) => s.phase === 'plateau');
  const pool = plateau.length ? plateau : samples;
  return {
    plateauOpm: mean(plateau.map((s) => s.actualOpm)),
    plateauP99Ms: mean(plateau.map((s) => s.p99Ms).filter((v): v is number => v !== null)),
    errorRate: mean(pool.map((s) => s.errorRate)),
  };
}

export function computeVerdict(input: VerdictInput): Verdict {
  const { spec, samples, knee, outcome, restoreComplete } = input;
  const load = spec.spec.load;
  const target = load.targetOrdersPerMinute;
  const stats = plateauStats(samples);
  const reasons: string[] = [];
  let status: Verdict['status'];

  if (outcome.kind === 'error') {
    status = 'error';
    reasons.push(outcome.reason);
  } else if (outcome.kind === 'aborted') {
    status = 'aborted';
    reasons.push(`aborted: ${outcome.reason}`);
  } else {
    if (outcome.kind === 'guard') reasons.push(`guard breached: ${outcome.reason}`);
    if (outcome.kind === 'completed') {
      if (stats.plateauOpm === null) reasons.push('no plateau sample was taken');
      else {
        const offPct = (Math.abs(stats.plateauOpm - target) / target) * 100;
        if (offPct > load.tolerancePct) {
          reasons.push(`plateau mean ${Math.round(stats.plateauOpm)} OPM is ${offPct.toFixed(1)}% from the target ${target} OPM (tolerance ${load.tolerancePct}%)`);
        }
      }
    }
    if (knee && knee.opm < target * (1 - load.tolerancePct / 100)) {
      reasons.push(
        knee.byGuard
          ? `the guards limit the load to ${Math.round(knee.opm)} OPM (${knee.users} users), below the target ${target} OPM${knee.reason ? `: ${knee.reason}` : ''}`
          : `capacity knee at ${Math.round(knee.opm)} OPM (${knee.users} users) is below the target ${target} OPM`,
      );
    }
    status = reasons.length ? 'failed' : 'passed';
  }
  if (!restoreComplete) {
    reasons.push(`restore incomplete${input.restoreFailures?.length ? ': ' + input.restoreFailures.join('; ') : ''} — run \`conductor recover\``);
    if (status === 'passed') status = 'failed';
  }
  return { status, reasons, plateauOpm: stats.plateauOpm, targetOpm: target, plateauP99Ms: stats.plateauP99Ms, errorRate: stats.errorRate, knee, restoreComplete };
}
