import type { Command } from 'commander';
import { Option } from 'commander';
import type { RunComparisonDto } from '../../../shared/contract/index.ts';
import { ConductorError } from '../../../shared/model/errors.ts';
import type { RunSummary } from '../../../shared/model/run.ts';
import { RunHistory, compareRuns, previousComparable } from '../../core/records/history.ts';
import type { CliContext } from '../cli-context.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { resolveDataDir } from './data-dir.ts';

/**
 * `conductor history`: the stored runs of a data directory.
 *
 *   conductor history [--spec NAME] [--limit N] [-o table|json]     list runs, newest first
 *   conductor history show RUN_ID [-o markdown|json]                one run's summary or full report
 *   conductor history compare A B [-o table|json]                   B against A (A is the baseline)
 *   conductor history compare RUN_ID                                against the previous run of its spec
 *
 * Exit: 0; `compare` exits 1 when B regressed against A (plateau OPM, plateau p99, error rate);
 * 2 for an unknown run or bad usage.
 */

type ListFormat = 'table' | 'json';

const num = (n: number | null, digits = 0) => (n === null ? '–' : n.toFixed(digits));
const pctOf = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(2)}%`);
const signed = (n: number | null, unit: string, digits = 1) => (n === null ? '' : `${n >= 0 ? '+' : ''}${n.toFixed(digits)}${unit}`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatHistoryTable(runs: RunSummary[]): string {
  const rows = runs.map((s) => [
    s.runId,
    s.specName,
    s.verdict ?? 'unfinished',
    `${num(s.plateauOpm)} / ${s.targetOpm}`,
    num(s.plateauP99Ms),
    pctOf(s.errorRate),
    s.regression.length ? `REGRESSION: ${s.regression.join('; ')}` : '',
  ]);
  return table(['RUN', 'SPEC', 'VERDICT', 'PLATEAU OPM / TARGET', 'P99 MS', 'ERRORS', ''], rows);
}

export function formatComparisonTable(c: RunComparisonDto): string {
  const { a, b, deltas } = c;
  const rows = [
    ['run', a.runId, b.runId, ''],
    ['spec', a.specName, b.specName, a.specName === b.specName ? '' : 'different specs'],
    ['started', a.startedAt, b.startedAt, ''],
    ['verdict', a.verdict ?? 'unfinished', b.verdict ?? 'unfinished', ''],
    ['target OPM', String(a.targetOpm), String(b.targetOpm), a.targetOpm === b.targetOpm ? '' : 'different targets'],
    ['plateau OPM', num(a.plateauOpm), num(b.plateauOpm), signed(deltas.plateauOpmPct, ' %')],
    ['plateau p99 ms', num(a.plateauP99Ms), num(b.plateauP99Ms), signed(deltas.plateauP99MsPct, ' %')],
    ['error rate', pctOf(a.errorRate), pctOf(b.errorRate), deltas.errorRateDelta === null ? '' : signed(deltas.errorRateDelta * 100, ' pts', 2)],
  ];
  let out = table(['', 'A (baseline)', 'B', 'B vs A'], rows);
  out += c.regressions.length ? `\nREGRESSION of B against A:\n${c.regressions.map((r) => `  - ${r}`).join('\n')}\n` : '\nno regression of B against A\n';
  return out;
}

async function summaryOf(history: RunHistory, runId: string): Promise<RunSummary> {
  try {
    return await history.summary(runId);
  } catch (err) {
    if (err instanceof ConductorError && err.code === 'NOT_FOUND') {
      throw new UsageError(`no run ${runId} in the history at ${history.dataDir}; \`conductor history\` lists the stored runs`);
    }
    throw err;
  }
}

export function registerHistory(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const dataDirOption = () => new Option('--data-dir <dir>', 'where journals and history live (default $CONDUCTOR_DATA_DIR or ~/.conductor)');
  const historyOf = (dataDir: string | undefined) => new RunHistory(resolveDataDir(dataDir, io.env ?? process.env));

  const history = program
    .command('history')
    .description('list stored runs (newest first), show one, or compare two; a regression against the previous run of the same spec is flagged');

  history
    .command('list', { isDefault: true })
    .description('list stored runs, newest first (the default: `conductor history` is `conductor history list`)')
    .option('--spec <name>', 'only runs of this spec (metadata.name)')
    .option('--limit <n>', 'at most this many runs', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit: expected a whole number ≥ 1, found ${JSON.stringify(v)}`);
      return n;
    })
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(dataDirOption())
    .action(async (opts: { spec?: string; limit?: number; output: ListFormat; dataDir?: string }) => {
      const h = historyOf(opts.dataDir);
      const runs = (await h.list(opts.spec)).slice(0, opts.limit ?? Infinity);
      if (opts.output === 'json') {
        io.stdout.write(JSON.stringify(runs, null, 2) + '\n');
        return;
      }
      if (!runs.length) {
        io.stdout.write(`no runs${opts.spec ? ` of spec ${opts.spec}` : ''} in the history at ${h.dataDir}\n`);
        return;
      }
      io.stdout.write(formatHistoryTable(runs));
    });

  history
    .command('show')
    .description("one run: its Markdown summary, or (-o json) the full report (resolved spec, parity before/after, timeline, KPI series, verdict)")
    .argument('<runId>', 'a run id from `conductor history`')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(dataDirOption())
    .action(async (runId: string, opts: { output: 'markdown' | 'json'; dataDir?: string }) => {
      const h = historyOf(opts.dataDir);
      await summaryOf(h, runId);
      const report = await h.get(runId);
      const { reportMarkdown } = await import('../../core/records/report.ts');
      io.stdout.write(opts.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : reportMarkdown(report));
    });

  history
    .command('compare')
    .description('compare run B with run A (the baseline): plateau OPM, plateau p99, error rate; with one run, compare it with the previous run of the same spec. Exit 1 when B regressed')
    .argument('<a>', 'the baseline run (or, alone, the run to check against its predecessor)')
    .argument('[b]', 'the run to compare with the baseline')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(dataDirOption())
    .action(async (aId: string, bId: string | undefined, opts: { output: ListFormat; dataDir?: string }) => {
      const h = historyOf(opts.dataDir);
      let a: RunSummary;
      let b: RunSummary;
      if (bId === undefined) {
        b = await summaryOf(h, aId);
        const run = b;
        const previous = previousComparable(await h.list(run.specName), run);
        if (!previous) throw new UsageError(`run ${aId} has no earlier run of spec ${run.specName} that reached a verdict on the load (passed or failed); nothing to compare it with`);
        a = previous;
      } else {
        [a, b] = await Promise.all([summaryOf(h, aId), summaryOf(h, bId)]);
      }
      const comparison = compareRuns(a, b);
      io.stdout.write(opts.output === 'json' ? JSON.stringify(comparison, null, 2) + '\n' : formatComparisonTable(comparison));
      ctx.setExitCode(comparison.regressions.length ? EXIT.CHECK_FAILED : EXIT.OK);
    });
}
