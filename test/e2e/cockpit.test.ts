import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, ROOT, startServe, type ServeProcess } from './harness.ts';

/**
 * The whole cockpit path in real Chromium against `conductor serve` on the sandbox, using only
 * what a user sees: parity drift → Start load test (confirm) → the chart grows → Abort → aborted,
 * and the test environment back to its pre-run state.
 */
const SHOTS = join(ROOT, 'test-results', 'e2e');
/** CONDUCTOR_UPDATE_SCREENSHOT=1 refreshes docs/screenshot.png (the README's) from this run */
const UPDATE_README_SHOT = process.env.CONDUCTOR_UPDATE_SCREENSHOT === '1';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let dataDir: string;

async function sampleCount(p: Page): Promise<number> {
  const text = await p.getByText(/^\d+ samples?$/).innerText();
  return Number(text.split(' ')[0]);
}

/** test-side values per app and field, as the parity table shows them */
async function testColumn(p: Page, tableName: RegExp): Promise<string[]> {
  const rows = p.getByRole('table', { name: tableName }).getByRole('row');
  const texts = await rows.evaluateAll((trs) =>
    trs.slice(1).map((tr) => {
      const cells = [...tr.querySelectorAll('th,td')].map((c) => (c.textContent ?? '').trim());
      return `${cells[1]}=${cells[3]}`;
    }),
  );
  return texts;
}

beforeAll(async () => {
  ensureRendererBuilt();
  await mkdir(SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-e2e-'));
  // a HOME with context and profile names to choose from (no credentials: nothing here is ever contacted)
  const home = join(dataDir, 'home');
  await mkdir(join(home, '.aws'), { recursive: true });
  await writeFile(join(home, '.aws', 'config'), '[profile prod-readonly]\nregion = eu-central-1\n\n[profile loadtest]\nregion = eu-central-1\n');
  await writeFile(
    join(home, 'kubeconfig'),
    'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:9" } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: prod-eu, context: { cluster: c, user: u } }, { name: loadtest-eu, context: { cluster: c, user: u } }]\ncurrent-context: prod-eu\n',
  );
  serve = await startServe(['--time-scale', '100', '--data-dir', join(dataDir, 'data')], { ...process.env, HOME: home, KUBECONFIG: join(home, 'kubeconfig') });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = await serve?.stop();
  if (code !== 0 && serve) console.error(serve.output());
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('cockpit in Chromium on the sandbox', () => {
  it('shows the drift, runs, charts, aborts and restores', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(serve.url + '/');
    const before = page.getByRole('table', { name: /Parity before the run/ });
    await before.waitFor({ timeout: 30_000 });
    await expect.poll(() => before.getByText('drift', { exact: true }).count()).toBeGreaterThan(0);
    const beforeTest = await testColumn(page, /Parity before the run/);
    expect(beforeTest.length).toBeGreaterThan(0);

    // drift only hides the rows in parity
    const inParity = await before.getByText('in parity', { exact: true }).count();
    expect(inParity).toBeGreaterThan(0);
    await page.getByRole('checkbox', { name: 'Drift only' }).check();
    expect(await before.getByText('in parity', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, '1-parity-drift.png') });
    await page.getByRole('checkbox', { name: 'Drift only' }).uncheck();

    // start, confirmed in a dialog naming the test environment (Escape cancels; Enter on the button opens it again)
    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByText(/No run yet\./).waitFor();
    await page.getByRole('button', { name: 'Start load test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start the load test?' });
    await expect.poll(() => dialog.innerText()).toMatch(/sandbox/);
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    await page.getByRole('button', { name: 'Start load test' }).press('Enter');
    await dialog.getByRole('button', { name: 'Start' }).click();

    // the chart grows
    await expect.poll(() => sampleCount(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    // the guards, each against its limit, live during the run
    const guards = page.getByRole('table', { name: 'Guards' });
    const errorRow = guards.getByRole('row', { name: /^Error rate/ });
    expect(await errorRow.innerText()).toMatch(/≤ 5\.00 %\s+ok/);
    expect(await errorRow.getByRole('cell').first().innerText()).toMatch(/^\d+\.\d\d %$/);
    expect(await guards.getByRole('row', { name: /^p99 latency/ }).innerText()).toMatch(/\d+ ms\s+≤ 2,000 ms\s+ok/);
    const first = await sampleCount(page);
    await expect.poll(() => sampleCount(page), { timeout: 30_000, interval: 200 }).toBeGreaterThan(first);
    if (UPDATE_README_SHOT) await expect.poll(() => sampleCount(page), { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(30);
    await page.screenshot({ path: join(SHOTS, '2-run-chart.png') });
    if (UPDATE_README_SHOT || !existsSync(join(ROOT, 'docs', 'screenshot.png'))) {
      await mkdir(join(ROOT, 'docs'), { recursive: true });
      await copyFile(join(SHOTS, '2-run-chart.png'), join(ROOT, 'docs', 'screenshot.png'));
    }

    // one click on Abort
    const abort = page.getByRole('button', { name: 'Abort', exact: true });
    await expect(abort.isVisible()).resolves.toBe(true);
    await abort.click();
    await expect.poll(() => page.getByRole('status', { name: 'Abort progress' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByRole('heading', { name: 'Verdict: aborted' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByRole('status', { name: 'Abort progress' }).innerText()).toMatch(/Aborted/);
    expect(await page.getByRole('list', { name: 'Phases' }).innerText()).toMatch(/ramp aborted/);
    expect(await page.getByRole('button', { name: /^Abort/ }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, '3-aborted.png') });

    // the test environment is as it was before the run
    await page.getByRole('tab', { name: 'Parity' }).click();
    await page.getByRole('button', { name: 'After restore' }).click();
    await page.getByRole('table', { name: /Parity after restore/ }).waitFor();
    await page.getByText('Test environment restored: every field matches its state before the run.').waitFor();
    expect(await testColumn(page, /Parity after restore/)).toEqual(beforeTest);
    await page.screenshot({ path: join(SHOTS, '4-restored.png'), fullPage: true });

    // and the run is in the history as aborted
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'Past runs' });
    await expect.poll(() => history.getByText('aborted', { exact: true }).count(), { timeout: 10_000 }).toBe(1);
    await history.getByRole('button', { name: /^Open report of run/ }).click();
    await page.getByText(/^Restore check: the test environment is back to its state before the run/).waitFor();
    expect(errors).toEqual([]);
  }, 180_000);

  it('keeps the environments choice in the conductor and applies it to the spec text', async () => {
    await page.getByRole('tab', { name: 'Environments' }).click();
    await page.getByRole('combobox', { name: 'Production Kubernetes context' }).selectOption('prod-eu');
    await page.getByRole('combobox', { name: 'Test Kubernetes context' }).selectOption('loadtest-eu');
    await page.getByRole('combobox', { name: 'Test AWS profile' }).selectOption('loadtest');
    const region = page.getByRole('textbox', { name: 'Test AWS region' });
    await region.fill('eu-west-1');
    await region.press('Enter');
    await page.getByText('Saved by the conductor.').waitFor();
    // a URL with credentials is refused at its field and never stored
    const locust = page.getByRole('textbox', { name: 'Locust master URL (test)' });
    await locust.fill('http://admin:hunter2@locust:8089');
    await locust.press('Enter');
    await expect.poll(() => page.getByRole('textbox', { name: 'Locust master URL (test)' }).getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Not saved: the Locust master URL must be a URL without credentials or query parameters.').waitFor();
    await page.getByRole('textbox', { name: 'Locust master URL (test)' }).fill('');
    await page.getByRole('textbox', { name: 'Locust master URL (test)' }).press('Enter');
    await page.getByText('Saved by the conductor.').waitFor();
    const stored = await readFile(join(dataDir, 'data', 'settings.json'), 'utf8');
    expect(JSON.parse(stored).environments).toEqual({ production: { context: 'prod-eu' }, test: { context: 'loadtest-eu', awsProfile: 'loadtest', awsRegion: 'eu-west-1' } });
    expect(stored).not.toContain('hunter2');

    // read back after a reload, then applied to the spec text
    await page.reload();
    await page.getByRole('tab', { name: 'Environments' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Test AWS profile' }).inputValue()).toBe('loadtest');
    await page.getByRole('button', { name: 'Apply to spec' }).click();
    await page.getByText(/^Applied to the spec: production context prod-eu, test context loadtest-eu, AWS profile loadtest, region eu-west-1/).waitFor();
    await page.screenshot({ path: join(SHOTS, '6-environments.png'), fullPage: true });
    await page.getByRole('tab', { name: 'Spec' }).click();
    const text = await page.getByRole('textbox', { name: 'Spec (YAML)' }).inputValue();
    expect(text).toMatch(/production:\s+kubernetes:\s+context: prod-eu/);
    expect(text).toMatch(/test:\s+kubernetes:\s+context: loadtest-eu\s+ecs:\s+profile: loadtest\s+region: eu-west-1/);
    expect(text).not.toMatch(/^ {2}sandbox:/m);

    // back to the sandbox for what follows
    await page.getByRole('combobox', { name: 'Load an example' }).selectOption('sandbox');
    await page.getByRole('tab', { name: 'Environments' }).click();
    await page.getByRole('combobox', { name: 'Production Kubernetes context' }).selectOption('sandbox');
    await page.getByRole('combobox', { name: 'Test Kubernetes context' }).selectOption('sandbox');
    await page.getByText('Saved by the conductor.').waitFor();
  }, 60_000);

  it('shows spec problems at their fields and keyboard-navigates the tabs', async () => {
    await page.getByRole('tab', { name: 'History' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Spec', selected: true }).count()).toBe(1);
    const ramp = page.getByRole('textbox', { name: 'Ramp-up' });
    await ramp.fill('ten minutes');
    await ramp.blur();
    await expect.poll(() => page.getByRole('textbox', { name: 'Ramp-up' }).getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    await page.getByText(/is not a duration/).first().waitFor();
    await page.screenshot({ path: join(SHOTS, '5-spec-error.png') });
    await page.getByRole('textbox', { name: 'Ramp-up' }).fill('10m');
    await page.getByRole('textbox', { name: 'Ramp-up' }).blur();
    await expect.poll(() => page.getByRole('textbox', { name: 'Ramp-up' }).getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('false');
  }, 60_000);
});
