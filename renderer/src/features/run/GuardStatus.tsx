import { useMemo } from 'react';
import type { GuardEvent, GuardLimits, GuardName, Knee, RunStatus, Sample } from '../../../../shared/model/run.ts';
import { fmtNumber, fmtPct } from '../../components/format.ts';
import { isActive } from '../../stores/run.ts';
import { currentGuards } from '../../../../shared/model/run-reducer.ts';
import { seriesOf, useChartStore, type ChartSeries } from '../../stores/chart.ts';
import { Table } from '../../components/Table.tsx';

/**
 * Each configured guard with its live value (from the latest control sample) against its limit,
 * and its state: ok, breaching (with the grace period left) or breached; plus the production-drift
 * guard and its mode. Limits come from the run status (filled in by the core when the run starts).
 */
interface GuardRow {
  guard: GuardName;
  label: string;
  now: string;
  limit: string;
  event: GuardEvent | undefined;
}

const fmtSeconds = (ms: number) => (ms >= 120_000 ? `${fmtNumber(ms / 60_000, 1)} min` : `${fmtNumber(Math.max(0, ms) / 1000)} s`);

/** consecutive samples at the end with no orders while users run */
function zeroStreak(series: ChartSeries): number {
  let n = 0;
  for (let i = series.actual.length - 1; i >= 0 && n < 10_000; i--) {
    if (series.actual[i]!.y > 0 || (series.users[i]?.y ?? 0) <= 0) break;
    n++;
  }
  return n;
}

/** `current`: each guard's current event (shared/model/run-reducer.ts currentGuards) */
function rows(limits: GuardLimits, last: Sample | null, streak: number, current: Map<GuardName, GuardEvent>): GuardRow[] {
  const ev = (g: GuardName) => current.get(g);
  const out: GuardRow[] = [
    { guard: 'maxErrorRate', label: 'Error rate', now: last ? fmtPct(last.errorRate, 2) : '—', limit: `≤ ${fmtPct(limits.maxErrorRate, 2)}`, event: ev('maxErrorRate') },
  ];
  if (limits.maxP99Ms !== null) {
    out.push({ guard: 'maxP99Ms', label: 'p99 latency', now: last ? (last.p99Ms === null ? 'no data' : `${fmtNumber(last.p99Ms)} ms`) : '—', limit: `≤ ${fmtNumber(limits.maxP99Ms)} ms`, event: ev('maxP99Ms') });
  }
  out.push({
    guard: 'stall',
    label: 'Stall (no orders)',
    now: last ? `${streak} sample${streak === 1 ? '' : 's'} at 0 OPM` : '—',
    limit: `< ${limits.stallSamples} in a row`,
    event: ev('stall'),
  });
  const drift = ev('productionDrift');
  out.push({
    guard: 'productionDrift',
    label: 'Production drift',
    now: drift ? 'production changed mid-run' : 'no production deploy seen',
    limit: limits.productionDrift === 'abort' ? 'abort the run' : 'flag and continue',
    event: drift,
  });
  return out;
}

function StateCell({ event, grace, nowT, drift, live }: { event: GuardEvent | undefined; grace: number; nowT: number | null; drift: boolean; live: boolean }) {
  const state = event?.state ?? 'ok';
  if (state === 'ok') return <span className="badge good">ok</span>;
  if (drift) return <span className={`badge ${state === 'breached' ? 'bad' : 'warn'}`}>{state === 'breached' ? (live ? 'breached: aborting' : 'breached') : 'flagged'}</span>;
  if (state === 'breaching' && !live) return <span className="badge warn">breaching when the run ended</span>;
  if (state === 'breaching') {
    const left = nowT === null ? grace : grace - (nowT - event!.t);
    return <span className="badge warn">breaching · {fmtSeconds(left)} of grace left</span>;
  }
  return <span className="badge bad">breached</span>;
}

/** `live`: the run in progress (latest figures from the chart store); false: a finished run's own samples */
export function GuardStatus({ status, live: fromStore = true }: { status: RunStatus; live?: boolean }) {
  const liveLast = useChartStore((s) => s.last);
  const liveSeries = useChartStore((s) => s.series);
  useChartStore((s) => s.version);
  const ownSeries = useMemo(() => (fromStore ? null : seriesOf(status.samples)), [fromStore, status.samples]);
  const series = ownSeries ?? liveSeries;
  const last = (fromStore ? liveLast : null) ?? status.samples[status.samples.length - 1] ?? null;
  const limits = status.guardLimits;
  const current = currentGuards(status);
  const live = isActive(status) && !status.abort;
  return (
    <section aria-labelledby="guards-title" className="guards">
      <h3 id="guards-title">Guards</h3>
      {limits ? (
        <>
          <Table label="Guards" className="guard-table" columns={['Guard', 'Now', 'Limit', 'State']}>
            {rows(limits, last, zeroStreak(series), current).map((r) => (
              <tr key={r.guard} className={`guard guard-${r.event?.state ?? 'ok'}`}>
                <th scope="row">{r.label}</th>
                <td>{r.now}</td>
                <td>{r.limit}</td>
                <td>
                  <StateCell event={r.event} grace={limits.gracePeriodMs} nowT={last?.t ?? null} drift={r.guard === 'productionDrift'} live={live} />
                </td>
              </tr>
            ))}
          </Table>
          <p className="muted">
            {last ? `Checked every control interval; last sample at ${fmtSeconds(last.t)} of run time. ` : 'Checked every control interval once load starts. '}
            {limits.gracePeriodMs > 0 ? `A breach aborts the run after ${fmtSeconds(limits.gracePeriodMs)} of grace.` : 'A breach aborts the run at once (no grace period).'}
          </p>
          {rows(limits, last, 0, current)
            .filter((r) => r.event && r.event.state !== 'ok')
            .map((r) => (
              <p key={r.guard} className="guard-message">
                {r.event!.message}
              </p>
            ))}
        </>
      ) : status.guards.length === 0 ? (
        <p className="muted">No guard readings yet.</p>
      ) : (
        <ul>
          {status.guards.map((g) => (
            <li key={g.guard} className={`guard ${g.state}`}>
              <span className={`badge ${g.state === 'ok' ? 'good' : 'bad'}`}>{g.state}</span> {g.guard}: {g.message}
            </li>
          ))}
        </ul>
      )}
      <KneeLine knee={status.knee} />
      {!status.verdict && status.flags.length > 0 && (
        <ul className="flags" aria-label="Flags">
          {status.flags.map((f) => (
            <li key={f}>⚑ {f}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function KneeLine({ knee }: { knee: Knee | null }) {
  if (!knee) return null;
  return (
    <p className="knee">
      Knee found at {fmtNumber(knee.users)} users, {fmtNumber(knee.opm)} OPM{knee.p99Ms !== null ? `, p99 ${fmtNumber(knee.p99Ms)} ms` : ''}.
    </p>
  );
}
