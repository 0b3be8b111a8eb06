import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hardenSession, hardenWebContents, isAppUrl, mainWindowOptions, SECURE_WEB_PREFERENCES, type RendererLocation } from '../../../electron/main/window.ts';
import { COCKPIT_CSP, COCKPIT_CSP_META } from '../../../electron/base/csp.ts';
import type { Session, WebContents } from 'electron';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const where: RendererLocation = { kind: 'file', indexFile: '/app/out/renderer/index.html', indexUrl: 'file:///app/out/renderer/index.html' };

describe('the cockpit window', () => {
  it('is isolated, sandboxed, without Node and with web security', () => {
    const opts = mainWindowOptions('/app/out/preload/index.cjs');
    const wp = opts.webPreferences!;
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
    expect(wp.webSecurity).not.toBe(false);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.preload).toBe('/app/out/preload/index.cjs');
    expect(wp).toMatchObject(SECURE_WEB_PREFERENCES);
    // bounds from the saved window state don't touch the security settings
    expect(mainWindowOptions('/p', { width: 800, height: 600, x: 1, y: 2 }).webPreferences).toMatchObject(SECURE_WEB_PREFERENCES);
  });

  it('has a strict Content-Security-Policy, also in the page itself', () => {
    for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
      expect(COCKPIT_CSP).toContain(d);
    }
    expect(COCKPIT_CSP).toContain("frame-ancestors 'none'");
    expect(COCKPIT_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    const html = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(COCKPIT_CSP_META);
  });

  it('knows its own URLs', () => {
    expect(isAppUrl('file:///app/out/renderer/index.html', where)).toBe(true);
    expect(isAppUrl('file:///app/out/renderer/assets/index-abc.js', where)).toBe(true);
    expect(isAppUrl('file:///app/out/renderer/index.html#/run', where)).toBe(true);
    expect(isAppUrl('file:///app/out/renderer/../../etc/passwd', where)).toBe(false);
    expect(isAppUrl('file:///etc/passwd', where)).toBe(false);
    expect(isAppUrl('https://example.com/', where)).toBe(false);
    expect(isAppUrl('not a url', where)).toBe(false);
  });

  it('guards navigation, new windows, webviews, permissions and remote requests', () => {
    const on = new Map<string, (...a: unknown[]) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, fn: (...a: unknown[]) => void) => on.set(name, fn),
      setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (openHandler = fn),
    };
    hardenWebContents(contents as unknown as WebContents, where);
    const nav = (url: string) => {
      let prevented = false;
      on.get('will-navigate')!({ preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(nav('https://attacker.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav('file:///app/out/renderer/index.html')).toBe(false);
    let webview = false;
    on.get('will-attach-webview')!({ preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    let headers: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | null = null;
    let before: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null = null;
    let permission: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: (() => boolean) | null = null;
    const session = {
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn), onBeforeRequest: (fn: typeof before) => (before = fn) },
      setPermissionRequestHandler: (fn: typeof permission) => (permission = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
      setDevicePermissionHandler: () => undefined,
    };
    hardenSession(session as unknown as Session, where);
    let csp: string[] | undefined;
    headers!({ responseHeaders: {} }, (r) => (csp = r.responseHeaders['Content-Security-Policy']));
    expect(csp).toEqual([COCKPIT_CSP]);
    const cancelled = (url: string) => {
      let c: boolean | undefined;
      before!({ url }, (r) => (c = r.cancel));
      return c;
    };
    expect(cancelled('https://cdn.example/lib.js')).toBe(true);
    expect(cancelled('file:///app/out/renderer/assets/x.js')).toBe(false);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      let granted: boolean | undefined;
      permission!(null, p, (ok) => (granted = ok));
      expect(granted).toBe(false);
    }
    expect(check!()).toBe(false);
  });
});
