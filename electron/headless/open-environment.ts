import type { Environment, EnvironmentOptions } from '../core/service/environment.ts';
import type { LoadTest } from '../../shared/spec/schema.ts';

/**
 * How the CLI commands open a spec's environment: the core's openEnvironment, with an embedded
 * sandbox of this process's own for sandbox specs (started for the command, closed with it). The
 * environment module (and with it the Kubernetes and AWS clients) loads only when a command opens
 * one, the sandbox module only when a sandbox spec needs it: `validate`, `history` and
 * `--version` never load them.
 */
export async function openCliEnvironment(spec: LoadTest, opts: Omit<EnvironmentOptions, 'startSandbox' | 'sandbox'>): Promise<Environment> {
  const { openEnvironment } = await import('../core/service/environment.ts');
  return openEnvironment(spec, {
    ...opts,
    startSandbox: async ({ timeScale }) => (await import('../sandbox/index.ts')).startSandbox({ timeScale }),
  });
}
