import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { SubstrateError, errorMessage } from '../../../shared/model/errors.ts';
import type { K8sTarget } from '../types.ts';

/**
 * Kubeconfig loading the standard way: an explicit path; else $KUBECONFIG (several files joined
 * with the path delimiter, merged in order, first file wins); else ~/.kube/config. Exec and OIDC
 * (Merging follows kubectl: the first file to define a cluster, user, context or current-context wins.)
 * auth entries are handled by @kubernetes/client-node when requests are made.
 */
export interface KubeconfigLoadOptions {
  /** the context to use; default the kubeconfig's current-context */
  context?: string;
  /** an explicit kubeconfig file (instead of KUBECONFIG / ~/.kube/config) */
  kubeconfigPath?: string;
  /** environment to read KUBECONFIG and HOME from; default process.env */
  env?: Record<string, string | undefined>;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  target: K8sTarget;
}

const configError = (message: string, target = 'kubeconfig') => new SubstrateError(message, { substrate: 'kubernetes', target, retryable: false });

export function loadKubeconfig(source: KubeConfig | KubeconfigLoadOptions, contextOverride?: string): LoadedKubeconfig {
  let kc: KubeConfig;
  let context: string | undefined = contextOverride;
  let where: string;
  if (source instanceof KubeConfig) {
    // a copy: selecting this adapter's context must not move the caller's (or another adapter's)
    // current context — the client's Watch reads the current context of the object it is given
    kc = new KubeConfig();
    kc.loadFromOptions({ clusters: source.clusters, users: source.users, contexts: source.contexts, currentContext: source.getCurrentContext() });
    where = 'the given kubeconfig';
  } else {
    context = context ?? source.context;
    const env = source.env ?? process.env;
    const files = source.kubeconfigPath
      ? [source.kubeconfigPath]
      : env.KUBECONFIG
        ? env.KUBECONFIG.split(delimiter).filter(Boolean)
        : [join(env.HOME ?? homedir(), '.kube', 'config')];
    where = files.join(delimiter);
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) {
      throw configError(
        source.kubeconfigPath || env.KUBECONFIG
          ? `kubeconfig not found: ${where}`
          : `no kubeconfig found: expected $KUBECONFIG, an explicit kubeconfig path, or ${where}`,
      );
    }
    kc = new KubeConfig();
    try {
      kc.loadFromFile(present[0] as string);
      for (const f of present.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(f);
        mergeFirstWins(kc, more);
      }
    } catch (err) {
      throw configError(`cannot read kubeconfig ${where}: ${errorMessage(err)}`);
    }
  }
  const names = kc.getContexts().map((c) => c.name);
  if (context) {
    if (!names.includes(context)) {
      throw configError(`kubeconfig context "${context}" not found in ${where}; expected one of: ${names.join(', ') || '(none)'}`, context);
    }
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  if (!current || !names.includes(current)) {
    throw configError(`no kubeconfig context selected in ${where}: pass a context (one of: ${names.join(', ') || '(none)'})`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw configError(`kubeconfig context "${current}" has no cluster server in ${where}`, current);
  return { kc, target: { context: current, server: cluster.server } };
}

/** kubectl's merge rule: the first file to define a name (or current-context) wins; later duplicates are ignored. */
function mergeFirstWins(into: KubeConfig, more: KubeConfig): void {
  const has = <T extends { name: string }>(list: T[], name: string) => list.some((x) => x.name === name);
  for (const c of more.getClusters()) if (!has(into.getClusters(), c.name)) into.addCluster(c);
  for (const u of more.getUsers()) if (!has(into.getUsers(), u.name)) into.addUser(u);
  for (const c of more.getContexts()) if (!has(into.getContexts(), c.name)) into.addContext(c);
  if (!into.getCurrentContext() && more.getCurrentContext()) into.setCurrentContext(more.getCurrentContext());
}
