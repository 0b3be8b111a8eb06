/**
 * The WHATWG URL class, present in every runtime shared/ code runs in (Node, Chromium, Electron);
 * declared here because shared/ compiles with neither DOM nor Node types. Only what shared/ reads.
 */
interface SharedUrl {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly username: string;
  readonly password: string;
  readonly search: string;
}
declare const URL: { new (input: string, base?: string): SharedUrl };
