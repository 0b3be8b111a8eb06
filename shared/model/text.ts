/**
 * Text from outside, made safe to show. Control characters in text that came from outside (a spec, a server's answer, a file name):
 * the C0 controls (ESC starts terminal escape codes), DEL, the C1 controls (CSI, OSC) and the
 * bidirectional overrides that reorder what a reader sees. Specs refuse them; displays show them
 * escaped, so a string can never clear a terminal, move its cursor or fake a verdict line.
 */

/** True for a code unit a terminal or a text layout would act on rather than show. */
export function isControlChar(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** The index of the first control character (other than those in `allow`), or -1. */
export function findControlChar(text: string, allow = ''): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControlChar(c) && !allow.includes(text[i]!)) return i;
  }
  return -1;
}

/** `\u001b` for ESC and so on: how a control character is named in a message. */
export function escapeChar(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control character (other than those in `allow`) shown as its \uXXXX escape. */
export function printable(text: string, allow = ''): string {
  if (findControlChar(text, allow) < 0) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += isControlChar(c) && !allow.includes(text[i]!) ? escapeChar(c) : text[i];
  }
  return out;
}

/** `1 MiB`, `256 KiB`, `12 bytes`: sizes in limits and errors. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
