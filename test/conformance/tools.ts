import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../support/tools.ts';

/**
 * Where the conformance suite finds the real servers: pinned tools installed outside the
 * repository by build/tools/python-tools.sh (moto, current Locust) and build/tools/kube-plane-build.sh
 * (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok). The versions are
 * read from those scripts, so each is written once. A missing tool fails with the command that
 * installs it.
 */

export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
export const TOOLS_DIR = process.env.CONDUCTOR_TOOLS_DIR || join(homedir(), '.cache', 'conductor-tools');

/** `NAME=value` from one of build/tools/*.sh */
export function pinnedVersion(script: string, name: string): string {
  const text = readFileSync(join(REPO_DIR, 'build', 'tools', script), 'utf8');
  const m = new RegExp(`^${name}=([\\w.+-]+)$`, 'm').exec(text);
  if (!m) throw new Error(`build/tools/${script} does not pin ${name}`);
  return m[1]!;
}

const tool = (path: string, what: string, install: string): string => requireTool(what, { path, install });

export const MOTO_VERSION = pinnedVersion('python-tools.sh', 'MOTO_VERSION');
export const LOCUST_VERSION = pinnedVersion('python-tools.sh', 'LOCUST_VERSION');
export const KUBE_VERSION = pinnedVersion('kube-plane-build.sh', 'KUBE_VERSION');

export const motoServer = () => tool(join(TOOLS_DIR, `py-moto-${MOTO_VERSION}`, 'bin', 'moto_server'), `moto ${MOTO_VERSION}`, 'bash build/tools/python-tools.sh');
export const currentLocust = () => tool(join(TOOLS_DIR, `py-locust-${LOCUST_VERSION}`, 'bin', 'locust'), `Locust ${LOCUST_VERSION}`, 'bash build/tools/python-tools.sh');

/** the folder of the plane's binaries for the pinned Kubernetes version */
export const kubeBinDir = () => join(TOOLS_DIR, `kube-v${KUBE_VERSION}`, 'bin');
export const kubeBinary = (name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubectl' | 'etcd' | 'kwok') =>
  tool(join(kubeBinDir(), name), `${name} (Kubernetes ${KUBE_VERSION} plane)`, 'bash build/tools/kube-plane-build.sh');
/** kwok's node and pod stages (fast: pods Ready at once, Job pods complete), written by the build script */
export const kwokStages = () => tool(join(TOOLS_DIR, `kube-v${KUBE_VERSION}`, 'kwok-stages.yaml'), 'kwok stages', 'bash build/tools/kube-plane-build.sh');
