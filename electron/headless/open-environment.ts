import { openEnvironment, type Environment, type EnvironmentOptions } from '../core/service/environment.ts';
import type { LoadTest } from '../../shared/spec/schema.ts';

/**
 * How the CLI commands open a spec's environment: the core's openEnvironment, with an embedded
 * sandbox of this process's own for sandbox specs (started for the command, closed with it). The
 * sandbox module loads only when a sandbox spec needs it.
 */
export function openCliEnvironment(spec: LoadTest, opts: Omit<EnvironmentOptions, 'startSandbox' | 'sandbox'>): Promise<Environment> {
  return openEnvironment(spec, {
    ...opts,
    startSandbox: async ({ timeScale }) => (await import('../sandbox/index.ts')).startSandbox({ timeScale }),
  });
}
