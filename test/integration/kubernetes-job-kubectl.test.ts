import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../electron/base/clock.ts';
import { createKubernetesWriter } from '../../electron/substrates/kubernetes/index.ts';
import { kubectlFor, useShopClusters } from './kubectl-kit.ts';

/**
 * The real kubectl (v1.32, /usr/bin/kubectl) as a peer client of the sandbox's batch/v1 Jobs: it
 * sees the cleanup Job the adapter created, and can create, wait for and delete Jobs itself.
 */

describe('real kubectl and the sandbox batch/v1 Jobs', () => {
  // 1 real ms = 100 simulated ms: a 20 s Job takes 200 real ms
  const clock = new ScaledClock(100);
  const sandbox = useShopClusters(clock);
  const { kubectl, ok } = kubectlFor(sandbox, ['--context', 'sandbox-test']);
  const test = () => sandbox().servers['sandbox-test']!;

  it('kubectl get jobs lists the cleanup Job the adapter created, Complete 1/1', async () => {
    const writer = createKubernetesWriter({
      kubeconfig: { kubeconfigPath: sandbox().kubeconfigPath },
      context: 'sandbox-test',
      clock,
      productionTargets: [{ server: sandbox().servers['sandbox-prod']!.url, context: 'sandbox-prod', namespaces: ['shop', 'payments'] }],
    });
    const r = await writer.runJob!({ namespace: 'shop', name: 'delete-test-orders', image: 'registry.example/order-cleaner:1.0', command: ['/bin/cleanup', '--older-than=0s'] }, { timeoutMs: 300_000 });
    const name = r.job!;
    const out = await ok(['get', 'jobs', '-n', 'shop']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    // timestamps have one-second resolution and the scaled clock's timers fire a little late: 20 or 21 s
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${name}\\s+Complete\\s+1/1\\s+2[01]s\\s+\\S+$`))]);
    const wide = await ok(['get', 'jobs', '-A', '-o', 'wide', '-l', 'app.kubernetes.io/managed-by=conductor']);
    expect(wide).toMatch(new RegExp(`\\nshop\\s+${name}\\s+Complete\\s+1/1\\s+2[01]s\\s+\\S+\\s+cleanup\\s+registry\\.example/order-cleaner:1\\.0\\s+batch\\.kubernetes\\.io/controller-uid=`));
    const cmd = await ok(['get', 'job', name, '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].command}']);
    expect(JSON.parse(cmd)).toEqual(['/bin/cleanup', '--older-than=0s']);
  });

  it('kubectl creates a Job from a manifest, waits for it to complete, and deletes it (Background)', async () => {
    const file = join(sandbox().dir, 'job.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: batch/v1',
        'kind: Job',
        'metadata: { name: reindex, namespace: shop }',
        'spec:',
        '  backoffLimit: 0',
        '  template:',
        '    spec:',
        '      restartPolicy: Never',
        '      containers: [{ name: reindex, image: registry.example/reindex:2.0, command: [/bin/reindex] }]',
        '',
      ].join('\n'),
    );
    // the sandbox serves no OpenAPI document, so client-side validation is off
    expect(await ok(['create', '--validate=false', '-f', file])).toBe('job.batch/reindex created\n');
    expect(await ok(['wait', '--for=condition=complete', 'job/reindex', '-n', 'shop', '--timeout=60s'])).toBe('job.batch/reindex condition met\n');
    const describe = await ok(['describe', 'job', 'reindex', '-n', 'shop']);
    expect(describe).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed/);
    expect(await ok(['delete', 'job', 'reindex', '-n', 'shop'])).toBe('job.batch "reindex" deleted\n');
    expect(test().jobs.created().find((j) => j.name === 'reindex')?.deleted).toMatchObject({ propagationPolicy: 'Background', by: 'api' });
    const gone = await kubectl(['get', 'job', 'reindex', '-n', 'shop']);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): jobs.batch "reindex" not found');
  });

  it('kubectl wait sees a failing Job fail', async () => {
    test().jobs.failJobs('doomed', { message: 'exit code 3' });
    const file = join(sandbox().dir, 'doomed.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'doomed', namespace: 'shop' },
        spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } },
      }),
    );
    await ok(['create', '--validate=false', '-f', file]);
    expect(await ok(['wait', '--for=condition=failed', 'job/doomed', '-n', 'shop', '--timeout=60s'])).toBe('job.batch/doomed condition met\n');
    expect(await ok(['get', 'job', 'doomed', '-n', 'shop', '--no-headers'])).toMatch(/^doomed\s+Failed\s+0\/1\s+/);
  });
});
