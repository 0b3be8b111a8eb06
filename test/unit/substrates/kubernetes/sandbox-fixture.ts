import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../../electron/base/clock.ts';
import { kubeconfigFor, kubeconfigYaml, shopKubeSeed, startKubernetesApiServer, type KubeApiServer, type KubeApiServerOptions } from '../../../../electron/sandbox/kubernetes/index.ts';

/**
 * Test fixture: sandbox Kubernetes API servers on loopback plus a kubeconfig file pointing at
 * them (one context per server, named by the caller). Shared by the adapter and kubectl tests.
 */
export interface SandboxCluster {
  servers: Record<string, KubeApiServer>;
  kubeconfigPath: string;
  dir: string;
  close(): Promise<void>;
}

export async function startSandboxClusters(clock: Clock, specs: Record<string, Omit<KubeApiServerOptions, 'clock' | 'name'> & { name?: string }>): Promise<SandboxCluster> {
  const servers: Record<string, KubeApiServer> = {};
  for (const [context, spec] of Object.entries(specs)) {
    servers[context] = await startKubernetesApiServer({ clock, name: spec.name ?? context, ...spec });
  }
  const dir = mkdtempSync(join(tmpdir(), 'conductor-k8s-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  const doc = kubeconfigFor(
    Object.entries(servers).map(([context, s]) => ({ name: `${context}-cluster`, url: s.url })),
    Object.keys(servers).map((context) => ({ name: context, cluster: `${context}-cluster` })),
  );
  writeFileSync(kubeconfigPath, kubeconfigYaml(doc));
  return {
    servers,
    kubeconfigPath,
    dir,
    close: async () => {
      await Promise.all(Object.values(servers).map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function api(server: KubeApiServer, path: string, init: RequestInit & { json?: unknown; contentType?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { accept: 'application/json', ...((init.headers as Record<string, string>) ?? {}) };
  if (init.json !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const res = await fetch(server.url + path, { ...init, headers, ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The shop's production and test API servers (contexts sandbox-prod and sandbox-test); `test` tunes the test server. */
export function startShopClusters(clock: Clock, test: Omit<KubeApiServerOptions, 'clock' | 'name' | 'seed'> = {}): Promise<SandboxCluster> {
  return startSandboxClusters(clock, {
    'sandbox-prod': { name: 'production', seed: shopKubeSeed('production') },
    'sandbox-test': { name: 'test', seed: shopKubeSeed('test'), ...test },
  });
}
