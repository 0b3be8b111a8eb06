import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { homedir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Names only — never a kubeconfig, token or key: the kubeconfig context names visible through
 * KUBECONFIG (several files) or ~/.kube/config, and the AWS profile names in the shared config
 * and credentials files (section headers only).
 */

const MAX_FILE = 4 * 1024 * 1024;

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function readSmall(path: string): string | null {
  try {
    if (!existsSync(path) || !statSync(path).isFile() || statSync(path).size > MAX_FILE) return null;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function kubeContextNames(env: NodeJS.ProcessEnv): string[] {
  const files = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(homeOf(env), '.kube', 'config')];
  const names = new Set<string>();
  for (const file of files.slice(0, 50)) {
    if (readSmall(file) === null) continue;
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(file);
      for (const c of kc.getContexts()) names.add(c.name);
    } catch {
      // an unreadable kubeconfig contributes no names
    }
  }
  return [...names].sort();
}

export function awsProfileNames(env: NodeJS.ProcessEnv): string[] {
  const home = homeOf(env);
  const names = new Set<string>();
  const config = readSmall(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'));
  for (const m of (config ?? '').matchAll(/^\s*\[\s*([^\]]+?)\s*\]\s*$/gm)) {
    const header = m[1]!;
    if (header === 'default') names.add('default');
    else if (header.startsWith('profile ')) names.add(header.slice('profile '.length).trim());
    // [sso-session …] and [services …] are not profiles
  }
  const creds = readSmall(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'));
  for (const m of (creds ?? '').matchAll(/^\s*\[\s*([^\]]+?)\s*\]\s*$/gm)) names.add(m[1]!);
  return [...names].filter((n) => /^[A-Za-z0-9._@+=,-]{1,128}$/.test(n)).sort();
}
