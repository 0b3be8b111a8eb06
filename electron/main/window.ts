import type { BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';
import { COCKPIT_CSP } from '../base/csp.ts';
import { APP_INDEX_URL, isAppProtocolUrl } from './app-protocol.ts';

/**
 * The cockpit window, locked down: an isolated, sandboxed renderer without Node, the strict CSP on
 * every response, no navigation away from the app, no new windows, no webviews, no permissions,
 * and no request to anything but the app's own origin, app://cockpit/ (./app-protocol.ts), or the
 * dev server in development. DevTools only when the app is not packaged.
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
} as const satisfies WebPreferences;

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** The BrowserWindow options of the cockpit; `packaged` (app.isPackaged) turns DevTools off. */
export function mainWindowOptions(preloadPath: string, bounds: WindowBounds = { width: 1360, height: 900 }, packaged = true): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 960,
    minHeight: 640,
    title: 'Conductor',
    show: false,
    backgroundColor: '#101418',
    autoHideMenuBar: true,
    webPreferences: { ...SECURE_WEB_PREFERENCES, devTools: !packaged, preload: preloadPath },
  };
}

/** Where the renderer comes from: the built renderer folder served as app://cockpit/ (production) or the Vite dev server. */
export type RendererLocation = { kind: 'app'; rootDir: string } | { kind: 'dev'; url: string };

/** True when `url` is the app itself: app://cockpit/…, or the dev server. */
export function isAppUrl(url: string, where: RendererLocation): boolean {
  if (where.kind === 'app') return isAppProtocolUrl(url);
  try {
    return new URL(url).origin === new URL(where.url).origin;
  } catch {
    return false;
  }
}

/** Session-wide guards: CSP on every response, every permission denied, no remote requests (DevTools' own only when they are on). */
export function hardenSession(session: Session, where: RendererLocation, devTools = false): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [COCKPIT_CSP] } });
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppUrl(details.url, where) || (devTools && details.url.startsWith('devtools://')) || (where.kind === 'dev' && details.url.startsWith('ws://'));
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
  /** app.isPackaged: no DevTools */
  packaged: boolean;
}

export function createMainWindow({ BrowserWindow: Window, preloadPath, where, bounds, packaged }: CreateWindowDeps): BrowserWindow {
  const win = new Window(mainWindowOptions(preloadPath, bounds, packaged));
  hardenWebContents(win.webContents, where);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(where.kind === 'dev' ? where.url : APP_INDEX_URL);
  return win;
}
