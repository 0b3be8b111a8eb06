import type { BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';
import { COCKPIT_CSP } from '../base/csp.ts';

/**
 * The cockpit window, locked down: an isolated, sandboxed renderer without Node, the strict CSP on
 * every response, no navigation away from the app, no new windows, no webviews, no permissions,
 * and no request to anything but the app's own files (or the dev server in development).
 * This module takes Electron's classes as parameters, so its options and guards are testable
 * without the Electron runtime.
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  devTools: true,
} as const satisfies WebPreferences;

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** The BrowserWindow options of the cockpit. */
export function mainWindowOptions(preloadPath: string, bounds: WindowBounds = { width: 1360, height: 900 }): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 960,
    minHeight: 640,
    title: 'Conductor',
    show: false,
    backgroundColor: '#101418',
    autoHideMenuBar: true,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadPath },
  };
}

/** Where the renderer comes from: the built file (production) or the Vite dev server. */
export type RendererLocation = { kind: 'file'; indexFile: string; indexUrl: string } | { kind: 'dev'; url: string };

/** True when `url` is the app itself: the built index.html (and files beside it), or the dev server. */
export function isAppUrl(url: string, where: RendererLocation): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (where.kind === 'dev') return u.origin === new URL(where.url).origin;
  if (u.protocol !== 'file:') return false;
  const base = new URL('.', where.indexUrl);
  return u.href.split(/[?#]/)[0]!.startsWith(base.href) && !decodeURIComponent(u.pathname).includes('/../');
}

/** Session-wide guards: CSP on every response, every permission denied, no remote requests. */
export function hardenSession(session: Session, where: RendererLocation): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [COCKPIT_CSP] } });
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppUrl(details.url, where) || details.url.startsWith('devtools://') || (where.kind === 'dev' && details.url.startsWith('ws://'));
    callback({ cancel: !allowed });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Per-window guards: no navigation away, no new windows, no webviews. */
export function hardenWebContents(contents: WebContents, where: RendererLocation): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, where)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, where)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export interface CreateWindowDeps {
  BrowserWindow: typeof BrowserWindow;
  preloadPath: string;
  where: RendererLocation;
  bounds?: WindowBounds;
}

export function createMainWindow({ BrowserWindow: Window, preloadPath, where, bounds }: CreateWindowDeps): BrowserWindow {
  const win = new Window(mainWindowOptions(preloadPath, bounds));
  hardenWebContents(win.webContents, where);
  win.once('ready-to-show', () => win.show());
  if (where.kind === 'dev') void win.loadURL(where.url);
  else void win.loadFile(where.indexFile);
  return win;
}
