/**
 * Start-up of the `conductor` command (issue 13): `--version` and `validate examples/production.yaml`,
 * each run from the TypeScript sources through tsx (how the bin started before) and from the built
 * bundle (bin/conductor.js → out/cli), interleaved, with bare `node -e 0` as the floor. Prints the
 * median wall time of each, the ratio bundle/tsx, and — where GNU time is installed — the median
 * CPU time and peak memory. Goals: `--version` ≤ 150 ms and `validate` ≤ 400 ms median (bundle).
 * The machine's load average is printed too: on a busy machine every row (the floor included) is slower.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli, cliBundleState } from '../../build/cli-bundle.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ROUNDS = process.argv.includes('--quick') ? 5 : 15;
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

if (cliBundleState(root) !== 'fresh') console.log(`built the CLI bundle first (${await buildCli(root)} ms)`);

interface Sample {
  ms: number;
  cpuMs: number | null;
  rssMb: number | null;
}

function measure(argv: string[]): Sample {
  const cmd = hasGnuTime ? [GNU_TIME, '-f', '@@time %U %S %M', process.execPath, ...argv] : [process.execPath, ...argv];
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  return { ms, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null, rssMb: m ? Number(m[3]) / 1024 : null };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const fromSource = [join('bin', 'run-ts.js'), join('test', 'bench', 'cli-from-source.ts')];
const bundled = [join('bin', 'conductor.js')];
const commands: { name: string; args: string[]; goalMs: number }[] = [
  { name: '--version', args: ['--version'], goalMs: 150 },
  { name: 'validate examples/production.yaml', args: ['validate', join('examples', 'production.yaml')], goalMs: 400 },
];

const floor: Sample[] = [];
const rows: { command: string; goalMs: number; tsx: Sample[]; bundle: Sample[] }[] = commands.map((c) => ({ command: c.name, goalMs: c.goalMs, tsx: [], bundle: [] }));
// warm the file cache once, then interleave so load changes hit every variant alike
for (const c of commands) {
  measure([...fromSource, ...c.args]);
  measure([...bundled, ...c.args]);
}
for (let i = 0; i < ROUNDS; i++) {
  floor.push(measure(['-e', '0']));
  commands.forEach((c, j) => {
    rows[j]!.tsx.push(measure([...fromSource, ...c.args]));
    rows[j]!.bundle.push(measure([...bundled, ...c.args]));
  });
}

const fmt = (xs: Sample[], key: keyof Sample) => {
  const vals = xs.map((x) => x[key]).filter((v): v is number => v !== null);
  return vals.length ? median(vals).toFixed(0) : '–';
};
console.log(`conductor start-up, median of ${ROUNDS} runs (load average ${loadavg()[0]!.toFixed(1)} on this machine)`);
console.log(`floor: node -e 0  ${fmt(floor, 'ms')} ms wall${hasGnuTime ? `, ${fmt(floor, 'cpuMs')} ms CPU, ${fmt(floor, 'rssMb')} MB` : ''}`);
console.log('');
console.log('command                              | tsx (sources) ms | bundle ms | bundle/tsx | goal   | bundle CPU ms (tsx) | peak MB bundle (tsx)');
console.log('-------------------------------------|------------------|-----------|------------|--------|---------------------|---------------------');
for (const r of rows) {
  const t = median(r.tsx.map((s) => s.ms));
  const b = median(r.bundle.map((s) => s.ms));
  const goal = `${b <= r.goalMs ? '✓' : '✗'} ≤${r.goalMs}`;
  const cpu = hasGnuTime ? `${fmt(r.bundle, 'cpuMs')} (${fmt(r.tsx, 'cpuMs')})` : '–';
  const mem = hasGnuTime ? `${fmt(r.bundle, 'rssMb')} (${fmt(r.tsx, 'rssMb')})` : '–';
  console.log(`${r.command.padEnd(37)}| ${t.toFixed(0).padStart(16)} | ${b.toFixed(0).padStart(9)} | ${(b / t).toFixed(2).padStart(10)} | ${goal.padEnd(6)} | ${cpu.padStart(19)} | ${mem.padStart(19)}`);
}
