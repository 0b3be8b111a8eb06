import { execFile } from 'node:child_process';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Clock } from '../../electron/base/clock.ts';
import { tool } from '../support/tools.ts';
import { startShopClusters, type SandboxCluster } from '../unit/substrates/kubernetes/sandbox-fixture.ts';


export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The shop's production and test API servers for one describe block, with a kubeconfig
 * (contexts sandbox-prod and sandbox-test); after the block, production must have received no
 * mutating request.
 */
export function useShopClusters(clock: Clock): () => SandboxCluster {
  let sb: SandboxCluster | undefined;
  beforeAll(async () => {
    sb = await startShopClusters(clock);
  });
  afterAll(async () => {
    if (!sb) return;
    expect(sb.servers['sandbox-prod']!.mutatingRequests()).toBe(0);
    await sb.close();
  });
  return () => {
    if (!sb) throw new Error('the sandbox clusters are not started yet (use inside a test)');
    return sb;
  };
}

/** kubectl against those servers, in a private HOME (its discovery cache goes away with the sandbox). */
export function kubectlFor(sandbox: () => SandboxCluster, prefix: string[] = []) {
  const kubectl = (args: string[]) =>
    new Promise<KubectlResult>((resolve) => {
      const sb = sandbox();
      execFile(
        // the real kubectl (v1.32 on the machine image; Debian's kubernetes-client otherwise)
        tool('kubectl'),
        [...prefix, ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sb.dir, KUBECONFIG: sb.kubeconfigPath }, timeout: 90_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
    });
  /** run kubectl and expect success with nothing on stderr; returns stdout */
  const ok = async (args: string[]) => {
    const r = await kubectl(args);
    expect(r.stderr, `kubectl ${args.join(' ')}`).toBe('');
    expect(r.code, `kubectl ${args.join(' ')}`).toBe(0);
    return r.stdout;
  };
  return { kubectl, ok };
}
