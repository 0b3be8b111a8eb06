import { useEffect } from 'react';
import type { QueueItemDto } from '../../../../shared/contract/index.ts';
import { fmtTime } from '../../components/format.ts';
import { useQueueStore } from './queue-store.ts';

/**
 * The run queue of `conductor serve`: what is queued or running on each test environment, why,
 * who or what triggered it and since when, with Cancel for a queued run; the change events
 * received (trigger log) and the schedules. Refreshed every few seconds while shown.
 */

const PENDING = new Set(['queued', 'starting', 'running']);

function Overrides({ item }: { item: QueueItemDto }) {
  const entries = Object.entries(item.overrides);
  if (!entries.length) return <span className="muted">production versions</span>;
  return <span>{entries.map(([app, image]) => `${app} at ${image}`).join(', ')}</span>;
}

function QueueTable({ caption, items, cancel }: { caption: string; items: QueueItemDto[]; cancel?: (id: number) => void }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>#</th>
          <th>Spec</th>
          <th>State</th>
          <th>Why</th>
          <th>Triggered by</th>
          <th>Versions</th>
          <th>Since</th>
          <th>Test environment</th>
          <th>{cancel ? 'Action' : 'Outcome'}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id}>
            <td>{i.id}</td>
            <td>{i.runId ? <a href={`#/runs/${encodeURIComponent(i.runId)}`}>{i.specName}</a> : i.specName}</td>
            <td>{i.state}</td>
            <td>{i.reason}</td>
            <td>{i.trigger.summary}</td>
            <td>
              <Overrides item={i} />
            </td>
            <td>{fmtTime(i.state === 'queued' ? i.enqueuedAt : (i.endedAt ?? i.startedAt ?? i.enqueuedAt))}</td>
            <td>{i.testEnvironment}</td>
            <td>
              {cancel && i.state !== 'running' ? (
                <button onClick={() => cancel(i.id)} aria-label={`Cancel queued run ${i.id} of ${i.specName}`}>
                  Cancel
                </button>
              ) : (
                (i.outcome ?? '')
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QueueView() {
  const { data, error, message, load, cancel } = useQueueStore();
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [load]);
  const pending = data?.items.filter((i) => PENDING.has(i.state)) ?? [];
  const finished = data?.items.filter((i) => !PENDING.has(i.state)).slice(0, 20) ?? [];
  return (
    <section aria-labelledby="queue-title">
      <header className="row">
        <h2 id="queue-title">Queue</h2>
      </header>
      {error && <p role="alert">{error}</p>}
      {message && <p role="status">{message}</p>}
      {data && data.specs.length === 0 && <p className="muted">No stored specs: start `conductor serve --specs DIR` to run tests on change events and schedules.</p>}
      {data && data.specs.length > 0 && <p className="muted">Stored specs: {data.specs.join(', ')}</p>}
      {pending.length ? <QueueTable caption="Queued and running (one run at a time per test environment)" items={pending} cancel={(id) => void cancel(id)} /> : <p>Nothing queued.</p>}
      {finished.length > 0 && <QueueTable caption="Recently finished" items={finished} />}
      <h2>Triggers</h2>
      {data?.triggers.length ? (
        <table>
          <caption>Change events received, newest first</caption>
          <thead>
            <tr>
              <th>Received</th>
              <th>Source</th>
              <th>Event</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {data.triggers.map((t) => (
              <tr key={t.id}>
                <td>{fmtTime(t.receivedAt)}</td>
                <td>{t.source}</td>
                <td>{t.summary}</td>
                <td>{t.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No change events received yet.</p>
      )}
      {data && data.schedules.length > 0 && (
        <>
          <h2>Schedules</h2>
          <table>
            <caption>Runs on a schedule inside the server</caption>
            <thead>
              <tr>
                <th>Spec</th>
                <th>Cron</th>
                <th>Time zone</th>
                <th>Next run</th>
              </tr>
            </thead>
            <tbody>
              {data.schedules.map((s) => (
                <tr key={s.specName}>
                  <td>{s.specName}</td>
                  <td>{s.cron}</td>
                  <td>{s.timeZone}</td>
                  <td>{s.nextRun ? fmtTime(s.nextRun) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
