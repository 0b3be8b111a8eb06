import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where journals, reports and history live: --data-dir, else $CONDUCTOR_DATA_DIR, else ~/.conductor. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return resolve(flag);
  if (env.CONDUCTOR_DATA_DIR) return resolve(env.CONDUCTOR_DATA_DIR);
  return join(env.HOME || homedir(), '.conductor');
}
