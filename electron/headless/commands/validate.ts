import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';

/**
 * `conductor validate FILE [--print]`: exit 0 when the spec is valid; an invalid spec or an
 * unreadable file is a SpecError, which the CLI prints as one paragraph and maps to exit 2.
 * What a command needs beyond commander is imported when it runs, so `conductor --version` and
 * the other commands never load it (the same in every command file).
 */
export function registerValidate(program: Command, { io }: CliContext): void {
  program
    .command('validate')
    .description('check a LoadTest spec (all problems at once, as file:line:column); with --print, show the resolved spec with defaults applied')
    .argument('<file>', 'LoadTest spec (YAML or JSON)')
    .option('--print', 'print the resolved spec (defaults applied); the output is itself a valid spec')
    .action(async (file: string, opts: { print?: boolean }) => {
      const [{ loadSpecFile }, { describeTestEnvironment, resolvedSpecYaml }] = await Promise.all([import('../../core/service/spec-loader.ts'), import('../../../shared/spec/validate.ts')]);
      const spec = await loadSpecFile(file);
      if (opts.print) {
        io.stdout.write(resolvedSpecYaml(spec));
        return;
      }
      const apps = spec.spec.applications.length;
      io.stdout.write(`${file}: valid LoadTest "${spec.metadata.name}": ${apps} application${apps === 1 ? '' : 's'}, test environment ${describeTestEnvironment(spec)}\n`);
    });
}
