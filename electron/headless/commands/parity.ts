import type { Command } from 'commander';
import { Option } from 'commander';
import { openCliEnvironment } from '../open-environment.ts';
import type { CliContext } from '../cli-context.ts';
import { parseTimeScale } from '../options.ts';

/** `conductor parity FILE`: the prod-vs-test audit. Reads only; exit 0 in parity, 1 drift, 2 invalid input, 3 a side unreachable or another failure. */
export function registerParity(program: Command, { io, setExitCode }: CliContext): void {
  program
    .command('parity')
    .description('compare the test environment with production, per app and field (reads only)')
    .argument('<file>', 'LoadTest spec (YAML or JSON)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--drift-only', 'show only the fields that differ')
    .option('--time-scale <n>', 'simulated seconds per real second for the embedded sandbox (0.1–10000)', (v: string) => parseTimeScale(v))
    .action(async (file: string, opts: { output: 'table' | 'json' | 'markdown'; driftOnly?: boolean; timeScale?: number }) => {
      const [{ loadSpecFile }, { parityExitCode, readParity }, { formatParityJson, formatParityMarkdown, formatParityTable }] = await Promise.all([
        import('../../core/service/spec-loader.ts'),
        import('../../core/rules/parity.ts'),
        import('../../../shared/model/parity-format.ts'),
      ]);
      const spec = await loadSpecFile(file);
      const env = await openCliEnvironment(spec, { env: io.env ?? process.env, ...(opts.timeScale ? { timeScale: opts.timeScale } : {}) });
      try {
        const report = await readParity(spec, env.substrates);
        const view = { driftOnly: opts.driftOnly ?? false };
        io.stdout.write(opts.output === 'json' ? formatParityJson(report) : opts.output === 'markdown' ? formatParityMarkdown(report, view) : formatParityTable(report, view));
        setExitCode(parityExitCode(report));
      } finally {
        await env.close();
      }
    });
}
