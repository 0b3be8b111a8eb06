/**
 * The cockpit's Content-Security-Policy: only our own scripts, styles and connections; no eval,
 * no inline script, no plugins, no framing, no forms, no remote content. Used by the Electron
 * session headers (window.ts), the HTTP transport (http-server.ts) and — without the directives
 * a meta tag cannot carry — the <meta> tag in renderer/index.html.
 * This module is pure (no 'electron' import) so the headless server can share it.
 */
const META_DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
] as const;

/** The policy as a <meta http-equiv> tag carries it (frame-ancestors is ignored there). */
export const COCKPIT_CSP_META = META_DIRECTIVES.join('; ');

/** The full policy, sent as a response header. */
export const COCKPIT_CSP = [...META_DIRECTIVES, "frame-ancestors 'none'"].join('; ');
