/**
 * `npm run bench`: runs every benchmark in test/bench/*.bench.ts one after another, each in its
 * own process (so one benchmark's servers and timers cannot skew the next), and prints their
 * figures. Extra arguments are passed through to each benchmark (e.g. `-- --quick`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, [join(root, 'bin', 'run-ts.js'), join(here, file), ...passThrough], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    failed += 1;
    console.log(`(${file} exited ${r.status ?? r.signal})`);
  }
}
console.log(`\n${benches.length - failed} benchmarks ran, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
