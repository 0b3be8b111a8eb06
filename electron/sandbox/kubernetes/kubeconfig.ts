import { stringify } from 'yaml';

/**
 * A kubeconfig for sandbox API servers: one cluster per server (http, insecure-skip-tls-verify),
 * one context per entry of `contexts` (default: one per server, named like the server), and a
 * user with a fake token. The same document a user's real kubeconfig would be, so the Conductor
 * and kubectl take the same code path against the sandbox as against real clusters.
 */

export interface KubeconfigServer {
  /** cluster name */
  name: string;
  url: string;
}

export interface KubeconfigContextSpec {
  /** context name, e.g. sandbox-prod */
  name: string;
  /** the server (cluster) name it points at */
  cluster: string;
  namespace?: string;
}

export interface KubeconfigDocument {
  apiVersion: 'v1';
  kind: 'Config';
  preferences: Record<string, never>;
  'current-context': string;
  clusters: { name: string; cluster: { server: string; 'insecure-skip-tls-verify': true } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
}

export function kubeconfigFor(
  servers: KubeconfigServer[],
  contexts?: KubeconfigContextSpec[],
  opts: { currentContext?: string; user?: string; token?: string } = {},
): KubeconfigDocument {
  const user = opts.user ?? 'sandbox-user';
  const ctxs: KubeconfigContextSpec[] = contexts ?? servers.map((s) => ({ name: s.name, cluster: s.name }));
  for (const c of ctxs) {
    if (!servers.some((s) => s.name === c.cluster)) {
      throw new Error(`kubeconfigFor: context "${c.name}" points at cluster "${c.cluster}", expected one of: ${servers.map((s) => s.name).join(', ')}`);
    }
  }
  const first = ctxs[0];
  if (!first) throw new Error('kubeconfigFor: expected at least one server');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': opts.currentContext ?? first.name,
    clusters: servers.map((s) => ({ name: s.name, cluster: { server: s.url, 'insecure-skip-tls-verify': true } })),
    users: [{ name: user, user: { token: opts.token ?? 'sandbox-token' } }],
    contexts: ctxs.map((c) => ({ name: c.name, context: { cluster: c.cluster, user, ...(c.namespace ? { namespace: c.namespace } : {}) } })),
  };
}

export function kubeconfigYaml(doc: KubeconfigDocument): string {
  return stringify(doc);
}
