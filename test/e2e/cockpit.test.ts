import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
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
  const text = await p.getByText(/^\d+ samples$/).innerText();
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
  serve = await startServe(['--time-scale', '100', '--data-dir', dataDir]);
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

    // start, confirmed in a dialog naming the test environment
    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByRole('button', { name: 'Start load test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start the load test?' });
    await expect.poll(() => dialog.innerText()).toMatch(/sandbox/);
    await dialog.getByRole('button', { name: 'Start' }).click();

    // the chart grows
    await expect.poll(() => sampleCount(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(3);
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
    expect(errors).toEqual([]);
  }, 180_000);

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
