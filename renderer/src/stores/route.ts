import { create } from 'zustand';

/**
 * Where the cockpit is, in the URL's fragment, so every view has an address that survives a
 * reload and can be sent to someone: `#/parity`, `#/run`, `#/spec`, `#/environments`,
 * `#/history`, `#/queue`, `#/runs/<run id>` (that run's report) and `#/compare/<id>,<id>[,…]` (2–5 runs).
 */
export type TabKey = 'parity' | 'run' | 'spec' | 'environments' | 'history' | 'queue';
export const TAB_KEYS: TabKey[] = ['parity', 'run', 'spec', 'environments', 'history', 'queue'];

export interface Route {
  tab: TabKey;
  /** a run's report (#/runs/ID) */
  runId: string | null;
  /** runs compared (#/compare/A,B,…) */
  compare: string[];
}

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;
export const MAX_COMPARE = 5;

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head, rest] = [path.split('/')[0] ?? '', path.slice(path.indexOf('/') + 1)];
  if (head === 'runs' && path.includes('/')) {
    const id = decodeURIComponent(rest);
    if (RUN_ID.test(id)) return { tab: 'history', runId: id, compare: [] };
  }
  if (head === 'compare' && path.includes('/')) {
    const ids = rest
      .split(',')
      .map((s) => decodeURIComponent(s))
      .filter((s) => RUN_ID.test(s))
      .slice(0, MAX_COMPARE);
    if (ids.length >= 2) return { tab: 'history', runId: null, compare: ids };
  }
  const tab = TAB_KEYS.find((t) => t === head);
  return { tab: tab ?? 'parity', runId: null, compare: [] };
}

export function formatRoute(r: Route): string {
  if (r.runId) return `#/runs/${encodeURIComponent(r.runId)}`;
  if (r.compare.length >= 2) return `#/compare/${r.compare.map(encodeURIComponent).join(',')}`;
  return `#/${r.tab}`;
}

export interface RouteStore {
  route: Route;
  /** go to a view: the fragment changes (one history entry per step), the store follows */
  go(to: Partial<Route> & { tab: TabKey }): void;
}

const hasWindow = () => typeof window !== 'undefined' && typeof window.location !== 'undefined';

export const useRouteStore = create<RouteStore>((set) => ({
  route: hasWindow() ? parseHash(window.location.hash) : { tab: 'parity', runId: null, compare: [] },
  go(to) {
    const route: Route = { tab: to.tab, runId: to.runId ?? null, compare: to.compare ?? [] };
    set({ route });
    if (hasWindow()) {
      const hash = formatRoute(route);
      if (window.location.hash !== hash) window.history.pushState(null, '', hash);
    }
  },
}));

/** Follow the browser's back and forward buttons and hand-typed fragments. Returns the unsubscribe. */
export function connectRoute(win: Window = window): () => void {
  const onChange = () => {
    if (/^#token=/.test(win.location.hash)) return;
    useRouteStore.setState({ route: parseHash(win.location.hash) });
  };
  win.addEventListener('hashchange', onChange);
  win.addEventListener('popstate', onChange);
  return () => {
    win.removeEventListener('hashchange', onChange);
    win.removeEventListener('popstate', onChange);
  };
}
