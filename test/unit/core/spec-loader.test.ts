import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../../../shared/model/errors.ts';
import { loadSpecFile, loadSpecText } from '../../../electron/core/service/spec-loader.ts';

const VALID = `apiVersion: conductor/v1
kind: LoadTest
metadata: { name: loader }
spec:
  sandbox: {}
  applications: [{ name: checkout, kubernetes: { namespace: shop, deployment: checkout-api } }]
  load: { locust: {}, kpi: { locustRequest: POST /orders }, targetOrdersPerMinute: 600, rampUp: 2m, plateau: 2m }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conductor-spec-loader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(path: string): Promise<SpecError> {
  const err: unknown = await loadSpecFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecError);
  const specError = err as SpecError;
  expect(specError.file).toBe(path);
  expect(specError.message).toContain(path);
  return specError;
}

describe('loadSpecFile', () => {
  it('loads a valid file with defaults applied', async () => {
    const path = join(dir, 'valid.yaml');
    await writeFile(path, VALID);
    const spec = await loadSpecFile(path);
    expect(spec.metadata.name).toBe('loader');
    expect(spec.spec.load.controlInterval).toBe(60_000);
  });

  it('refuses a missing path', async () => {
    expect((await refusal(join(dir, 'nope.yaml'))).message).toMatch(/no such file/);
  });

  it('refuses a directory', async () => {
    expect((await refusal(dir)).message).toMatch(/is a directory/);
  });

  it('refuses a 50 MB file from its size, naming the limit', async () => {
    const path = join(dir, 'big.yaml');
    const handle = await open(path, 'w');
    await handle.truncate(50 * 1024 * 1024);
    await handle.close();
    const err = await refusal(path);
    expect(err.message).toContain('1 MiB limit');
    expect(err.issues[0]!.found).toBe('50 MiB');
  });

  it('refuses binary data and invalid UTF-8', async () => {
    const bin = join(dir, 'bin.yaml');
    await writeFile(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]));
    expect((await refusal(bin)).message).toMatch(/not a text file.*NUL/);
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.from('name: caf\xe9\n', 'latin1'));
    expect((await refusal(latin1)).message).toMatch(/not a text file.*not valid UTF-8/);
  });

  it('reports every problem of an invalid file with its file:line:column', async () => {
    const path = join(dir, 'invalid.yaml');
    await writeFile(path, VALID.replace('rampUp: 2m', 'rampUp: soon').replace('targetOrdersPerMinute: 600', 'targetOrdersPerMinute: 0'));
    const err = await refusal(path);
    expect(err.issues).toHaveLength(2);
    expect(err.message).toContain(`${path}:7:`);
    expect(err.message).toMatch(/spec\.load\.rampUp: is not a duration/);
    expect(err.message).toMatch(/spec\.load\.targetOrdersPerMinute: is too small/);
  });
});

describe('loadSpecText', () => {
  it('returns the spec or throws a SpecError naming the source', () => {
    expect(loadSpecText(VALID, 'upload').spec.applications).toHaveLength(1);
    expect(() => loadSpecText('kind: LoadTest', 'upload')).toThrow(/upload:1:1: (apiVersion|metadata|spec): is required/);
  });
});
