import { useEffect, useLayoutEffect, useState } from 'react';
import { Tabs, type TabDef } from './components/Tabs.tsx';
import { ParityView } from './features/parity/ParityView.tsx';
import { RunView } from './features/run/RunView.tsx';
import { SpecView } from './features/spec/SpecView.tsx';
import { EnvironmentsView } from './features/environments/EnvironmentsView.tsx';
import { HistoryView } from './features/history/HistoryView.tsx';
import { QueueView } from './features/queue/QueueView.tsx';
import { RecoveryBanner } from './features/recovery/RecoveryBanner.tsx';
import { AbortButton } from './features/run/AbortControl.tsx';
import { Announcer } from './features/run/Announcer.tsx';
import { ConnectionBanner } from './features/connection/ConnectionBanner.tsx';
import { isActive, useRunStore } from './stores/run.ts';
import { useThemeStore } from './stores/theme.ts';
import { useEnvStore } from './stores/env.ts';
import { useConnectionStore } from './stores/connection.ts';
import { useRouteStore, type TabKey } from './stores/route.ts';

const TABS: TabDef<TabKey>[] = [
  { key: 'parity', label: 'Parity' },
  { key: 'run', label: 'Run' },
  { key: 'spec', label: 'Spec' },
  { key: 'environments', label: 'Environments' },
  { key: 'history', label: 'History' },
  { key: 'queue', label: 'Queue' },
];

function RunBar() {
  const status = useRunStore((s) => s.status);
  const online = useConnectionStore((s) => s.state === 'online');
  if (!status) return null;
  const active = isActive(status);
  return (
    <div className={`runbar ${active ? 'active' : ''} ${online ? '' : 'stale'}`} aria-label={active ? 'Current run' : 'Last run'}>
      <span>
        {!online && <span className="badge warn">last known</span>}
        {!online && ' '}
        {active ? (
          <>
            {status.specName}: <strong>{status.state}</strong>
            {status.phase ? ` · ${status.phase}` : ''}
          </>
        ) : (
          <>
            Last run ({status.specName}): <strong>{status.verdict?.status ?? status.state}</strong>
          </>
        )}
      </span>
      <AbortButton />
    </div>
  );
}

export function App(props: { initialTab?: TabKey }) {
  const route = useRouteStore((s) => s.route);
  const go = useRouteStore((s) => s.go);
  const mode = useThemeStore((s) => s.mode);
  const cycle = useThemeStore((s) => s.cycle);
  const host = useEnvStore((s) => s.envs?.host);
  const runState = useRunStore((s) => s.status?.state);
  const [initialTab] = useState(props.initialTab);
  useLayoutEffect(() => {
    if (initialTab) useRouteStore.setState({ route: { tab: initialTab, runId: null, compare: [] } });
  }, [initialTab]);
  const tab = route.tab;
  // a run that starts brings the run view forward
  useEffect(() => {
    if (runState === 'running') {
      const t = useRouteStore.getState().route.tab;
      if (t === 'parity' || t === 'spec') go({ tab: 'run' });
    }
  }, [runState, go]);
  return (
    <div className="app">
      <header className="top">
        <h1>Conductor</h1>
        <span className="muted">{host === 'electron' ? 'desktop' : host === 'http' ? 'browser' : ''}</span>
        <RunBar />
        <button className="theme" onClick={cycle} aria-label={`Theme: ${mode} (change)`}>
          Theme: {mode}
        </button>
      </header>
      <ConnectionBanner />
      <RecoveryBanner />
      <Announcer />
      <main>
        <Tabs<TabKey> label="Sections" tabs={TABS} current={tab} onSelect={(key) => go({ tab: key })}>
          {tab === 'parity' && <ParityView />}
          {tab === 'run' && <RunView />}
          {tab === 'spec' && <SpecView />}
          {tab === 'environments' && <EnvironmentsView />}
          {tab === 'history' && <HistoryView />}
          {tab === 'queue' && <QueueView />}
        </Tabs>
      </main>
    </div>
  );
}
