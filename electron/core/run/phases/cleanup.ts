import type { CleanupHook } from '../../../../shared/spec/schema.ts';
import type { RunContext } from '../run-context.ts';
import { errorMessage } from './common.ts';

/**
 * cleanup: the spec's hooks that delete the test data the run created, in order, after restore,
 * on every outcome. An HTTP hook must answer 2xx within its timeout; a Kubernetes Job hook
 * creates a batch/v1 Job in the test cluster and waits for it (skipped with a log line when the
 * adapter cannot run Jobs). A failed hook is flagged; the remaining hooks still run.
 */
export async function cleanupPhase(ctx: RunContext, signal: AbortSignal): Promise<void | 'skipped'> {
  const hooks = ctx.spec.spec.cleanup;
  if (!hooks.length) return 'skipped';
  for (const [i, hook] of hooks.entries()) {
    if (signal.aborted) break;
    try {
      const what = await runHook(ctx, hook, signal);
      ctx.log('info', `cleanup hook ${i + 1}: ${what}`);
    } catch (err) {
      ctx.flag(`cleanup hook ${i + 1} failed: ${errorMessage(err)}`);
    }
  }
}

async function runHook(ctx: RunContext, hook: CleanupHook, signal: AbortSignal): Promise<string> {
  if (hook.http) {
    const h = hook.http;
    const fetchFn = ctx.deps.fetch ?? fetch;
    const res = await fetchFn(h.url, {
      method: h.method,
      headers: h.headers,
      ...(h.body !== undefined ? { body: h.body } : {}),
      signal: AbortSignal.any([signal, AbortSignal.timeout(h.timeout)]),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new Error(`${h.method} ${h.url} answered HTTP ${res.status}, expected 2xx`);
    return `${h.method} ${h.url} → ${res.status}`;
  }
  if (hook.kubernetesJob) {
    const j = hook.kubernetesJob;
    const writer = ctx.deps.substrates.test.kubernetes;
    if (!writer?.runJob) {
      ctx.log('warn', `cleanup Job ${j.namespace}/${j.name} skipped: the Kubernetes adapter cannot run Jobs`);
      return 'skipped (no Job support)';
    }
    const r = await writer.runJob({ namespace: j.namespace, name: j.name, image: j.image, command: j.command }, { timeoutMs: j.timeout, signal, runId: ctx.runId });
    const created = r.job ?? j.name;
    if (!r.succeeded) throw new Error(`Job ${j.namespace}/${created} failed${r.message ? ': ' + r.message : ''}`);
    return `Job ${j.namespace}/${created} succeeded${r.message ? ` (${r.message})` : ''}`;
  }
  return 'empty hook';
}
