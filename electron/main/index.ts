import { app, BrowserWindow, dialog, ipcMain, Notification, session } from 'electron';
import Store from 'electron-store';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createConductorService } from '../core/service/service.ts';
import { SandboxHost } from '../sandbox/index.ts';
import type { ConductorService } from '../core/service/service-types.ts';
import { appSenderCheck, forwardRunEvents, registerIpcHandlers } from './ipc.ts';
import { createMainWindow, hardenSession, type RendererLocation } from './window.ts';
import { createSettings } from './settings.ts';
import { createSpecDialogs } from './dialogs.ts';
import { noticeFor } from './notifications.ts';

/**
 * The Electron main process: one instance, one locked-down window, the conductor service in this
 * process, the ConductorApi over IPC. Quitting aborts a running run and restores the test
 * environment before the process exits.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const preloadPath = join(here, '..', 'preload', 'index.cjs');
const devUrl = process.env.CONDUCTOR_DEV_SERVER_URL;
const indexFile = join(here, '..', 'renderer', 'index.html');
const where: RendererLocation = devUrl && !app.isPackaged ? { kind: 'dev', url: devUrl } : { kind: 'file', indexFile, indexUrl: pathToFileURL(indexFile).href };

let mainWindow: BrowserWindow | null = null;
let service: ConductorService | null = null;
let quitting = false;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.whenReady().then(start, (err: unknown) => {
    console.error('conductor: could not start:', err instanceof Error ? err.message : err);
    app.exit(3);
  });
}

async function start(): Promise<void> {
  const settings = createSettings(new Store({ name: 'settings' }));
  hardenSession(session.defaultSession, where);
  const requested = Number(process.env.CONDUCTOR_TIME_SCALE ?? '1');
  const timeScale = Number.isFinite(requested) && requested > 0 ? requested : 1;
  service = await createConductorService({
    dataDir: join(app.getPath('userData'), 'data'),
    host: 'electron',
    timeScale,
    sandbox: new SandboxHost({ timeScale }),
    env: process.env,
    examplesDir: app.isPackaged ? join(process.resourcesPath, 'examples') : join(app.getAppPath(), 'examples'),
  });
  const dialogs = createSpecDialogs({ dialog, window: () => mainWindow, onPath: (p) => settings.addRecentSpec(p) });
  registerIpcHandlers({
    ipcMain,
    handlers: { ...service.handlers, 'spec:open': dialogs.open, 'spec:save': dialogs.save, 'settings:get': () => settings.get(), 'settings:set': (patch) => settings.set(patch) },
    isTrustedSender: appSenderCheck({ webContentsId: () => mainWindow?.webContents.id ?? null, where }),
    onRefused: (channel, reason) => console.warn(`conductor: refused ${channel}: ${reason}`),
  });
  forwardRunEvents(service.onEvent, () => mainWindow?.webContents ?? null);
  service.onEvent((event) => {
    const notice = noticeFor(event);
    if (notice && Notification.isSupported()) new Notification({ title: notice.title, body: notice.body, urgency: notice.urgent ? 'critical' : 'normal' }).show();
  });
  openWindow(settings);
  app.on('activate', () => {
    if (!mainWindow) openWindow(settings);
  });
}

function openWindow(settings: ReturnType<typeof createSettings>): void {
  const state = settings.read().window;
  mainWindow = createMainWindow({ BrowserWindow, preloadPath, where, bounds: { x: state.x, y: state.y, width: state.width, height: state.height } });
  if (state.maximized) mainWindow.maximize();
  mainWindow.on('close', () => {
    if (!mainWindow) return;
    const b = mainWindow.getNormalBounds();
    settings.setWindow({ x: b.x, y: b.y, width: b.width, height: b.height, maximized: mainWindow.isMaximized() });
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('before-quit', (event) => {
  if (quitting || !service) return;
  // abort a running run and restore the test environment before exiting
  event.preventDefault();
  quitting = true;
  const closing = service;
  service = null;
  closing.close().finally(() => app.quit());
});
