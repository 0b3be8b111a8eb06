import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { loadSpecFile } from '../../core/service/spec-loader.ts';
import { describeTestEnvironment, resolvedSpecYaml } from '../../../shared/spec/validate.ts';

/**
 * `conductor validate FILE [--print]`: exit 0 when the spec is valid; an invalid spec or an
 * unreadable file is a SpecError, which the CLI prints as one paragraph and maps to exit 2.
 */
export function registerValidate(program: Command, { io }: CliContext): void {
  program
    .command('validate')
    .description('check a LoadTest spec (all problems at once, as file:line:column); with --print, show the resolved spec with defaults applied')
    .argument('<file>', 'LoadTest spec (YAML or JSON)')
    .option('--print', 'print the resolved spec (defaults applied); the output is itself a valid spec')
    .action(async (file: string, opts: { print?: boolean }) => {
      const spec = await loadSpecFile(file);
      if (opts.print) {
        io.stdout.write(resolvedSpecYaml(spec));
        return;
      }
      const apps = spec.spec.applications.length;
      io.stdout.write(`${file}: valid LoadTest "${spec.metadata.name}": ${apps} application${apps === 1 ? '' : 's'}, test environment ${describeTestEnvironment(spec)}\n`);
    });
}
