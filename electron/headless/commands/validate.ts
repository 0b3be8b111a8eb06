import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CliContext } from '../cli.ts';
import { loadSpecFile } from '../../core/spec-loader.ts';

export function registerValidate(program: Command, { io }: CliContext): void {
  program
    .command('validate')
    .description('check a LoadTest spec; with --print, show the resolved spec (defaults applied)')
    .argument('<file>', 'LoadTest spec (YAML or JSON)')
    .option('--print', 'print the resolved spec')
    .action(async (file: string, opts: { print?: boolean }) => {
      const spec = await loadSpecFile(file);
      if (opts.print) io.stdout.write(stringify(spec));
      else io.stdout.write(`${file}: valid LoadTest "${spec.metadata.name}" (${spec.spec.applications.length} applications)\n`);
    });
}
