import { spawn } from 'node:child_process';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `conductor validate` driven the way a user runs it: `node bin/conductor.js validate FILE` in a child process. */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/conductor.js');
const FIXTURES = join(ROOT, 'test/fixtures/specs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function conductor(args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Exit 2 with one paragraph of problems on stderr, nothing on stdout, and no stack trace. */
function expectRefused(run: Run, file: string): string {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).not.toContain('    at ');
  expect(run.stderr).not.toMatch(/\n\s*\n./); // one paragraph: no blank line inside
  expect(run.stderr.startsWith('error: ')).toBe(true);
  expect(run.stderr).toContain(file);
  return run.stderr;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'conductor-cli-validate-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('conductor validate: the examples', async () => {
  const examples = (await readdir(join(ROOT, 'examples'))).filter((f) => /\.(ya?ml|json)$/.test(f));

  it('has the three examples', () => expect(examples).toEqual(expect.arrayContaining(['sandbox.yaml', 'production.yaml', 'standalone-sandbox.yaml'])));

  it.each(examples)('accepts examples/%s (exit 0)', async (name) => {
    const run = await conductor(['validate', `examples/${name}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^examples/${name.replace('.', '\\.')}: valid LoadTest "[a-z0-9-]+": \\d+ applications, test environment `));
  });

  it('describes where the production example writes', async () => {
    const run = await conductor(['validate', 'examples/production.yaml']);
    expect(run.stdout).toContain('kubernetes context loadtest-eu, ECS cluster payments-loadtest (eu-central-1, profile loadtest)');
  });

  it.each(examples)('--print of examples/%s shows the defaults and re-validates', async (name) => {
    const printed = await conductor(['validate', `examples/${name}`, '--print']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/\n {4}controlInterval: \d+[hms]/);
    expect(printed.stdout).toContain('    rolloutTimeout: '); // a default the examples do not write
    expect(printed.stdout).toContain('    stallSamples: 3');
    const copy = join(tmp, `printed-${name}`);
    await writeFile(copy, printed.stdout);
    const again = await conductor(['validate', copy, '--print']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(printed.stdout);
  });

  it('--print shows the default control interval as 60s', async () => {
    const spec = join(tmp, 'defaults.yaml');
    await writeFile(
      spec,
      'apiVersion: conductor/v1\nkind: LoadTest\nmetadata: { name: defaults }\nspec:\n  sandbox: {}\n  applications: [{ name: a, ecs: { service: a } }]\n  load: { locust: {}, kpi: { locustRequest: POST /orders }, targetOrdersPerMinute: 60, rampUp: 5m, plateau: 5m }\n',
    );
    const run = await conductor(['validate', spec, '--print']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('controlInterval: 60s');
    expect(run.stdout).toContain('gracePeriod: 0s');
    expect(run.stdout).toContain('maxErrorRate: 0.05');
  });
});

describe('conductor validate: invalid and hostile files (exit 2, one paragraph, no stack)', () => {
  it('lists every problem of an invalid spec as file:line:column: path: message; expected …; found …', async () => {
    const file = 'test/fixtures/specs/many-problems.yaml';
    const err = expectRefused(await conductor(['validate', file]), file);
    expect(err).toContain('4 problems in test/fixtures/specs/many-problems.yaml:');
    expect(err).toContain(`${file}:10:28: spec.test.kubernetes.context: the test environment is production`);
    expect(err).toContain(`${file}:15:7: spec.deploy.overrides.basket: an override for an application that is not in scope; expected one of the applications checkout; found "basket"`);
    expect(err).toContain(`${file}:19:28: spec.load.targetOrdersPerMinute: is too small; expected a number of at least 1; found 0`);
    expect(err).toContain(`${file}:20:13: spec.load.rampUp: is not a duration; expected a duration such as 90s, 30m or 1h30m; found "1d"`);
  });

  it.each([
    ['empty.yaml', /the file is empty/],
    ['alias-bomb.yaml', /too many YAML alias expansions \(the limit is 100\)/],
    ['proto-keys.yaml', /metadata\.__proto__: the key "__proto__" is not allowed/],
    ['duplicate-keys.yaml', /:5:3: metadata\.name: invalid YAML: a key appears twice/],
    ['multi-document.yaml', /holds 2 YAML documents/],
  ])('refuses fixtures/specs/%s', async (name, says) => {
    const file = `test/fixtures/specs/${name}`;
    expect(expectRefused(await conductor(['validate', file]), file)).toMatch(says);
  });

  it('refuses the constructor/prototype keys of proto-keys.yaml as well', async () => {
    const err = expectRefused(await conductor(['validate', `${FIXTURES}/proto-keys.yaml`]), 'proto-keys.yaml');
    expect(err).toContain('spec.constructor: the key "constructor" is not allowed');
  });

  it('refuses a 50 MB file, naming the limit', async () => {
    const big = join(tmp, 'big.yaml');
    const handle = await open(big, 'w');
    // real bytes, not a sparse file: a YAML comment line repeated to 50 MB
    const chunk = Buffer.from(('# ' + 'x'.repeat(1021) + '\n').repeat(1024));
    for (let i = 0; i < 50; i++) await handle.write(chunk);
    await handle.close();
    const err = expectRefused(await conductor(['validate', big]), big);
    expect(err).toContain('the file is larger than the 1 MiB limit');
    expect(err).toContain('found 50 MiB');
  });

  it('refuses a binary file', async () => {
    const bin = join(tmp, 'image.png');
    await writeFile(bin, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    expect(expectRefused(await conductor(['validate', bin]), bin)).toContain('not a text file');
  });

  it('refuses 1000-deep nesting, naming the limit', async () => {
    const deep = join(tmp, 'deep.yaml');
    await writeFile(deep, 'apiVersion: conductor/v1\nspec: ' + '['.repeat(1000) + ']'.repeat(1000) + '\n');
    expect(expectRefused(await conductor(['validate', deep]), deep)).toContain(`${deep}:2:`);
    const deepJson = join(tmp, 'deep.json');
    await writeFile(deepJson, '{"a":'.repeat(1000) + '1' + '}'.repeat(1000));
    expect(expectRefused(await conductor(['validate', deepJson]), deepJson)).toContain('nested more than 64 levels deep');
  });

  it('refuses a directory', async () => {
    expect(expectRefused(await conductor(['validate', tmp]), tmp)).toContain('is a directory');
  });

  it('refuses a missing path', async () => {
    const missing = join(tmp, 'does-not-exist.yaml');
    expect(expectRefused(await conductor(['validate', missing]), missing)).toContain(`${missing}: no such file`);
  });

  it('is a usage error without a file', async () => {
    const run = await conductor(['validate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing required argument 'file'/);
    expect(run.stderr).not.toContain('    at ');
  });
});
