import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, ROOT, startServe, type ServeProcess } from './harness.ts';

/**
 * The Queue tab in real Chromium against `conductor serve --specs DIR` on the sandbox: a change
 * event (plain JSON with the bearer token) queues two specs on one test environment; the tab shows
 * what runs and what waits, why, what triggered it and since when, the trigger log — and Cancel
 * takes the queued one out. Found by visible labels only.
 */
const SHOTS = join(ROOT, 'test-results', 'e2e');
const TOKEN = 'e2e-queue-token-0123456789';
let serve: ServeProcess;
let browser: Browser;
let page: Page;
let dir: string;

beforeAll(async () => {
  ensureRendererBuilt();
  await mkdir(SHOTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'conductor-e2e-queue-'));
  const specs = join(dir, 'specs');
  await mkdir(specs);
  // long enough to still run while the page is looked at; Ctrl-C at the end aborts and restores it
  const text = (await readFile(join(ROOT, 'examples', 'sandbox.yaml'), 'utf8')).replace('rampUp: 10m', 'rampUp: 2h').replace('plateau: 10m', 'plateau: 2h');
  await writeFile(join(specs, 'checkout-peak.yaml'), text.replace('name: sandbox-rehearsal', 'name: checkout-peak'));
  await writeFile(join(specs, 'checkout-soak.yaml'), text.replace('name: sandbox-rehearsal', 'name: checkout-soak'));
  serve = await startServe(['--time-scale', '50', '--data-dir', join(dir, 'data'), '--specs', specs, '--token', TOKEN]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = await serve?.stop();
  if (code !== 0 && serve) console.error(serve.output());
  await rm(dir, { recursive: true, force: true });
});

describe('cockpit: the run queue', () => {
  it('shows queued and running runs with their trigger, the trigger log, and cancels a queued run', async () => {
    const res = await fetch(`${serve.url}/api/triggers/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ service: 'checkout', image: 'registry.example/checkout-api:pr-42', ref: 'pr-42' }),
    });
    expect(res.status).toBe(202);

    await page.goto(`${serve.url}/#token=${TOKEN}`);
    await page.getByRole('tab', { name: 'Queue' }).click();
    const queued = page.getByRole('table', { name: /Queued and running/ });
    await expect.poll(() => queued.getByRole('row').count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => queued.getByRole('row', { name: /checkout-peak/ }).innerText(), { timeout: 15_000 }).toMatch(/running|starting/);
    const waiting = queued.getByRole('row', { name: /checkout-soak/ });
    const row = await waiting.innerText();
    expect(row).toMatch(/queued/);
    expect(row).toMatch(/checkout changed; checkout at registry\.example\/checkout-api:pr-42/);
    expect(row).toMatch(/checkout at registry\.example\/checkout-api:pr-42/);
    expect(row).toMatch(/sandbox \(embedded\)/);
    const triggers = page.getByRole('table', { name: /Change events received/ });
    await expect.poll(() => triggers.innerText()).toMatch(/event\s+checkout at registry\.example\/checkout-api:pr-42 changed\s+queued 2 run\(s\): checkout-peak, checkout-soak/);
    await page.screenshot({ path: join(SHOTS, 'queue.png') });

    await page.getByRole('button', { name: /^Cancel queued run \d+ of checkout-soak$/ }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: /^queue item/ }).innerText()).toMatch(/cancelled/);
    const finished = page.getByRole('table', { name: /Recently finished/ });
    await expect.poll(() => finished.getByRole('row', { name: /checkout-soak/ }).innerText(), { timeout: 10_000 }).toMatch(/cancelled/);
    await expect.poll(() => queued.getByRole('row').count()).toBe(2);
  }, 120_000);
});
