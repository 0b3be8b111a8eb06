import { readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { contentTypeOf } from '../base/content-types.ts';
import { COCKPIT_CSP } from '../base/csp.ts';

/**
 * The desktop app serves the built renderer from its own origin, `app://cockpit/`, instead of
 * file:// (whose pages get extra privileges and share one origin with every local file): a
 * standard, secure scheme registered before the app is ready, and a handler that answers only
 * files inside the renderer folder — `..`, encoded `%2e%2e`, backslashes, NUL bytes and symbolic
 * links that lead out of it are refused — with the cockpit's CSP on every answer. Electron's
 * `protocol` comes in as a parameter, so this is testable without Electron.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'cockpit';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** For protocol.registerSchemesAsPrivileged, before app 'ready'. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: false },
} as const;

/** True when `url` is on the app's own origin. */
export function isAppProtocolUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The file inside `rootDir` that an app:// URL names (not yet checked for symbolic links), or null. */
export function appRequestPath(url: string, rootDir: string): string | null {
  if (!isAppProtocolUrl(url)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  return join(rootDir, ...(parts.length ? parts : ['index.html']));
}

const inside = (file: string, root: string) => file === root || file.startsWith(root + sep);

function answer(status: number, body: Uint8Array | string | null, type = 'text/plain; charset=utf-8'): Response {
  return new Response(body, {
    status,
    headers: { 'Content-Type': type, 'Content-Security-Policy': COCKPIT_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' },
  });
}

/** The protocol.handle handler for app://: the file with its content type, or 404. */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'method not allowed');
    const file = appRequestPath(request.url, rootDir);
    if (!file) return answer(404, 'not found');
    try {
      // a symbolic link inside the folder must not lead out of it
      const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(file)]);
      if (!inside(realFile, realRoot) || !(await stat(realFile)).isFile()) return answer(404, 'not found');
      const data = await readFile(realFile);
      return answer(200, request.method === 'HEAD' ? null : new Uint8Array(data), contentTypeOf(realFile));
    } catch {
      return answer(404, 'not found');
    }
  };
}

/** What this module needs of Electron's `protocol`. */
export interface ProtocolLike {
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
}

export function registerAppProtocol(protocol: ProtocolLike, rootDir: string): void {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(rootDir));
}
