#!/usr/bin/env node
// npm start: build, then launch the Electron app on the sandbox. Where the Electron runtime cannot be
// had (no binary in node_modules/electron/dist and no network to fetch it), say so and point to `npm run web`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const DOWNLOAD_TIMEOUT_MS = 120_000;

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return existsSync(p) ? p : null;
  }
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const p = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(p) ? p : null;
}

function unavailable(detail) {
  console.error(
    `\nThe Electron runtime is not available here (${detail}): npm installs Electron's package but the ` +
      `binary is downloaded separately from GitHub, and this machine could not fetch it — typically ` +
      `because it has no access to that host. The cockpit is the same in a browser: run \`npm run web\` ` +
      `and open the printed http://127.0.0.1 URL (the sandbox is the default environment). To use the ` +
      `desktop app, run \`npm start\` on a machine with network access, or set ELECTRON_OVERRIDE_DIST_PATH ` +
      `to an unpacked Electron ${readVersion()} directory.\n`,
  );
  process.exit(1);
}

function readVersion() {
  try {
    return JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  } catch {
    return '45';
  }
}

// `npm start -- --no-build` relaunches the last build
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const electronArgs = args.filter((a) => a !== '--no-build');
if (!noBuild) {
  const built = spawnSync(process.execPath, [join(root, 'build', 'build.js')], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

let binary = electronBinary();
if (!binary) {
  // a download lands in node_modules, which an override would not use anyway
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) unavailable(`ELECTRON_OVERRIDE_DIST_PATH=${process.env.ELECTRON_OVERRIDE_DIST_PATH} has no Electron binary`);
  if (!existsSync(join(electronDir, 'install.js'))) unavailable('the electron package is not installed');
  console.log('Electron binary missing: trying to download it once…');
  const dl = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, stdio: ['ignore', 'pipe', 'pipe'], timeout: DOWNLOAD_TIMEOUT_MS, encoding: 'utf8' });
  binary = electronBinary();
  if (!binary) {
    const why = dl.error?.code === 'ETIMEDOUT' ? `the download did not finish within ${DOWNLOAD_TIMEOUT_MS / 1000} s` : (dl.stderr || dl.stdout || '').split('\n').map((l) => l.trim()).find((l) => /error|fail/i.test(l) && !l.startsWith('at ')) || `the download failed (exit ${dl.status})`;
    unavailable(why.length > 160 ? why.slice(0, 160) + '…' : why);
  }
}

const child = spawn(binary, [root, ...electronArgs], { cwd: root, stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: '' } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
