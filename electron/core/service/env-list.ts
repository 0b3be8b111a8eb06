import { delimiter, join } from 'node:path';
import { homedir } from 'node:os';
import { readBoundedText } from '../../base/bounded-file.ts';
import { AWS_PROFILE_RE } from '../../../shared/spec/names.ts';
import { kubeconfigContextNames } from '../../substrates/kubernetes/index.ts';

/**
 * Names only — never a kubeconfig, token or key: the kubeconfig context names visible through
 * KUBECONFIG (several files) or ~/.kube/config, and the AWS profile names in the shared config
 * and credentials files (section headers only). Every file is read bounded and asynchronously
 * (electron/base/bounded-file.ts): a FIFO or a huge file contributes no names and never blocks.
 */

const MAX_AWS_FILE = 1024 * 1024;
/** `[name]` on a line of its own; linear (no nested or lazy quantifiers over whitespace) on any input */
const SECTION_RE = /^[ \t]*\[([^\]\n]*)\][ \t]*\r?$/gm;

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

async function readSmall(path: string): Promise<string> {
  return readBoundedText(path, { maxBytes: MAX_AWS_FILE, what: 'an AWS config file' }).catch(() => '');
}

export function kubeContextNames(env: NodeJS.ProcessEnv): Promise<string[]> {
  const files = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(homeOf(env), '.kube', 'config')];
  return kubeconfigContextNames(files);
}

export async function awsProfileNames(env: NodeJS.ProcessEnv): Promise<string[]> {
  const home = homeOf(env);
  const names = new Set<string>();
  const config = await readSmall(env.AWS_CONFIG_FILE || join(home, '.aws', 'config'));
  for (const m of config.matchAll(SECTION_RE)) {
    const header = m[1]!.trim();
    if (header === 'default') names.add('default');
    else if (header.startsWith('profile ')) names.add(header.slice('profile '.length).trim());
    // [sso-session …] and [services …] are not profiles
  }
  const creds = await readSmall(env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'));
  for (const m of creds.matchAll(SECTION_RE)) names.add(m[1]!.trim());
  return [...names].filter((n) => n.length <= 128 && AWS_PROFILE_RE.test(n)).sort();
}
