/* global require, module, process, setImmediate, Request */
/* eslint-disable @typescript-eslint/no-require-imports */
// A stand-in for the 'electron' module, for running the real main-process bundle under plain Node.
// It records what main does, then drives it: calls IPC handlers as the window and as a stranger,
// emits a run-less quit, and prints one JSON report line on stdout.
const { EventEmitter } = require('node:events');
const { mkdtempSync, readdirSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const report = { windows: [], loaded: [], ipc: [], session: [], notifications: 0, answers: {}, quit: false, schemes: null, protocols: [], served: {} };
const protocolHandlers = new Map();
const appEvents = new EventEmitter();
const userData = mkdtempSync(join(tmpdir(), 'conductor-electron-stub-'));
let readyResolve;
const ready = new Promise((r) => (readyResolve = r));
const handlers = new Map();

const app = {
  isPackaged: false,
  requestSingleInstanceLock: () => true,
  on: (name, fn) => appEvents.on(name, fn),
  whenReady: () => ready,
  getPath: () => userData,
  getAppPath: () => process.env.CONDUCTOR_ROOT,
  getVersion: () => '0.0.0-test',
  quit: () => {
    report.quit = true;
    finish();
  },
  exit: (code) => {
    report.exitCode = code;
    finish();
  },
};

let webContentsId = 41;
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    report.windows.push(options);
    const wc = new EventEmitter();
    wc.id = ++webContentsId;
    wc.setWindowOpenHandler = (fn) => (report.windowOpen = fn({ url: 'https://example.com' }));
    wc.isDestroyed = () => false;
    wc.send = () => undefined;
    this.webContents = wc;
    setImmediate(drive, this);
  }
  loadFile(p) {
    report.loaded.push(p);
    return Promise.resolve();
  }
  loadURL(u) {
    report.loaded.push(u);
    return Promise.resolve();
  }
  show() {}
  maximize() {}
  isMaximized() { return false; }
  isMinimized() { return false; }
  getNormalBounds() { return { x: 0, y: 0, width: 1360, height: 900 }; }
}

const ipcMain = {
  handle: (channel, fn) => {
    report.ipc.push(channel);
    handlers.set(channel, fn);
  },
  removeHandler: (channel) => handlers.delete(channel),
  on: () => undefined,
};

const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: () => report.session.push('csp'), onBeforeRequest: () => report.session.push('block-remote') },
    setPermissionRequestHandler: () => report.session.push('deny-permissions'),
    setPermissionCheckHandler: () => report.session.push('deny-checks'),
    setDevicePermissionHandler: () => report.session.push('deny-devices'),
  },
};

class Notification {
  static isSupported() { return true; }
  constructor() { report.notifications++; }
  show() {}
}

const dialog = { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true }) };

async function drive(win) {
  const indexUrl = report.loaded[0] ?? '';
  // the app:// handler answers the renderer's files, and nothing outside the renderer folder
  const serve = protocolHandlers.get('app');
  if (serve) {
    for (const url of ['app://cockpit/index.html', 'app://cockpit/%2e%2e/main/index.cjs', 'app://cockpit/..%2f..%2fetc%2fpasswd']) report.served[url] = (await serve(new Request(url))).status;
  }
  const ours = { sender: { id: win.webContents.id }, senderFrame: { url: indexUrl, parent: null } };
  const stranger = { sender: { id: win.webContents.id }, senderFrame: { url: 'https://attacker.example/', parent: null } };
  report.answers.envList = await handlers.get('env:list')(ours, {});
  const examples = (await handlers.get('spec:examples')(ours, {})).value ?? [];
  report.answers.examples = examples.map((e) => e.name);
  const sandbox = examples.find((e) => e.name === 'sandbox');
  const parity = sandbox ? await handlers.get('parity:read')(ours, { text: sandbox.text }) : null;
  report.answers.parity = parity && parity.ok ? parity.value.summary : parity;
  report.answers.stranger = await handlers.get('env:list')(stranger, {});
  report.answers.badInput = await handlers.get('run:abort')(ours, { runId: '../../x' });
  report.answers.open = await handlers.get('spec:open')(ours, {});
  // settings through electron-store (in the stub's userData), and a secret refused
  const choice = { production: { context: 'prod-eu', awsProfile: 'prod-readonly', awsRegion: 'eu-central-1' }, test: { context: 'loadtest-eu' }, locustUrl: 'http://locust:8089' };
  report.answers.settingsSet = await handlers.get('settings:set')(ours, { environments: choice });
  report.answers.settingsSecret = await handlers.get('settings:set')(ours, { environments: { ...choice, locustUrl: 'http://u:hunter2@locust:8089' } });
  report.answers.settingsGet = await handlers.get('settings:get')(ours, {});
  report.settingsFile = readdirSync(userData).filter((n) => n.endsWith('.json'));
  report.settingsMode = report.settingsFile.map((n) => (statSync(join(userData, n)).mode & 0o777).toString(8));
  const evt = { prevented: false, preventDefault() { this.prevented = true; } };
  appEvents.emit('before-quit', evt);
  report.quitPrevented = evt.prevented;
}

function finish() {
  process.stdout.write('STUB-REPORT ' + JSON.stringify(report) + '\n');
  process.exit(0);
}

let readyCalled = false;
setImmediate(() => {
  readyCalled = true;
  readyResolve();
});
const protocol = {
  registerSchemesAsPrivileged: (schemes) => {
    report.schemes = { schemes, beforeReady: !readyCalled };
  },
  handle: (scheme, fn) => {
    report.protocols.push(scheme);
    protocolHandlers.set(scheme, fn);
  },
};

module.exports = { app, BrowserWindow, ipcMain, session, Notification, dialog, protocol, shell: {} };
module.exports.default = module.exports;
