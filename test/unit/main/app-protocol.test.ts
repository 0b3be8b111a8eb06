import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, appRequestPath, createAppProtocolHandler, registerAppProtocol } from '../../../electron/main/app-protocol.ts';
import { COCKPIT_CSP } from '../../../electron/base/csp.ts';

/** app://cockpit/ serves the built renderer and nothing outside it. */

let dir: string;
let root: string;
let handler: (request: Request) => Promise<Response>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-app-protocol-'));
  root = join(dir, 'out', 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Conductor</title>');
  await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(dir, 'out', 'secret.txt'), 'outside the renderer');
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
  await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));
  handler = createAppProtocolHandler(root);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, method = 'GET') => handler(new Request(url, { method }));

describe('the app:// protocol', () => {
  it('is a standard, secure scheme that does not bypass the CSP or allow service workers', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false, corsEnabled: false } });
  });

  it('serves the renderer files with their content type and the cockpit CSP', async () => {
    const index = await get(APP_INDEX_URL);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(COCKPIT_CSP);
    expect(await index.text()).toContain('<title>Conductor</title>');
    const root = await get('app://cockpit/');
    expect(await root.text()).toContain('Conductor');
    const js = await get('app://cockpit/assets/index-abc.js?v=1#x');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get(APP_INDEX_URL, 'HEAD')).status).toBe(200);
    expect((await get(APP_INDEX_URL, 'POST')).status).toBe(405);
  });

  it.each([
    ['dot segments', 'app://cockpit/../secret.txt'],
    ['dot segments deeper', 'app://cockpit/assets/../../secret.txt'],
    ['encoded dots', 'app://cockpit/%2e%2e/secret.txt'],
    ['encoded dots and slash', 'app://cockpit/assets/%2e%2e%2f%2e%2e%2fsecret.txt'],
    ['an encoded backslash', 'app://cockpit/..%5csecret.txt'],
    ['an encoded NUL', 'app://cockpit/index.html%00.js'],
    ['bad percent-encoding', 'app://cockpit/%E0%A4%A'],
    ['a symbolic link out of the folder', 'app://cockpit/assets/link.txt'],
    ['a folder', 'app://cockpit/assets'],
    ['a missing file', 'app://cockpit/nope.js'],
    ['another host', 'app://elsewhere/index.html'],
    ['another scheme', 'file:///etc/passwd'],
  ])('refuses %s (%s) with a 404 and nothing of the file', async (_, url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('outside the renderer');
  });

  it('maps URLs to files inside the folder only', () => {
    expect(appRequestPath('app://cockpit/assets/a.js', '/r')).toBe('/r/assets/a.js');
    expect(appRequestPath('app://cockpit/', '/r')).toBe('/r/index.html');
    // the URL parser itself resolves dot segments (encoded or not) within the origin
    expect(appRequestPath('app://cockpit/%2e%2e/x', '/r')).toBe('/r/x');
    expect(appRequestPath('app://cockpit/a%2f..%2f..%2fx', '/r')).toBeNull();
  });

  it('registers its handler for the app scheme', () => {
    const handled: string[] = [];
    registerAppProtocol({ handle: (scheme) => void handled.push(scheme) }, root);
    expect(handled).toEqual(['app']);
  });
});
