import { useEffect, useState } from 'react';
import { Tabs, type TabDef } from './components/Tabs.tsx';
import { ParityView } from './features/parity/ParityView.tsx';
import { RunView } from './features/run/RunView.tsx';
import { SpecView } from './features/spec/SpecView.tsx';
import { EnvironmentsView } from './features/environments/EnvironmentsView.tsx';
import { HistoryView } from './features/history/HistoryView.tsx';
import { QueueView } from './features/queue/QueueView.tsx';
import { RecoveryBanner } from './features/recovery/RecoveryBanner.tsx';
import { AbortButton } from './features/run/AbortControl.tsx';
import { isActive, useRunStore } from './stores/run.ts';
import { useThemeStore } from './stores/theme.ts';
import { useEnvStore } from './stores/env.ts';

type TabKey = 'parity' | 'run' | 'spec' | 'environments' | 'history' | 'queue';
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
  if (!status) return null;
  const active = isActive(status);
  return (
    <div className={`runbar ${active ? 'active' : ''}`} aria-label={active ? 'Current run' : 'Last run'}>
      <span>
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
  const [tab, setTab] = useState<TabKey>(props.initialTab ?? 'parity');
  const mode = useThemeStore((s) => s.mode);
  const cycle = useThemeStore((s) => s.cycle);
  const host = useEnvStore((s) => s.envs?.host);
  const runState = useRunStore((s) => s.status?.state);
  // a run that starts brings the run view forward
  useEffect(() => {
    if (runState === 'running') setTab((t) => (t === 'parity' || t === 'spec' ? 'run' : t));
  }, [runState]);
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
      <RecoveryBanner />
      <main>
        <Tabs<TabKey> label="Sections" tabs={TABS} current={tab} onSelect={setTab}>
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
