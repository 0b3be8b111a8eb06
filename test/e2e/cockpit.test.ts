import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, ROOT, startServe, type ServeProcess } from './harness.ts';
import { axeViolations } from './axe.ts';

/**
 * The cockpit in real Chromium against `conductor serve` on the sandbox, driven by what a user sees
 * (roles and visible labels): which app drifts most, from the first screen; an override from the
 * confirmation through the run, the history and the report; a guard breach on the chart that the
 * Guards table and the verdict agree with; the HTML report downloaded and opened offline; three
 * runs compared; a conductor killed mid-run shown as disconnected; axe-core clean on every view,
 * light and dark, idle and during a run; usable at 1024×700 and 1920×1080.
 *
 * Screenshots of every view go to test-results/e2e/; CONDUCTOR_UPDATE_SCREENSHOT=1 also copies
 * them to docs/screenshots/ (the README's).
 */
const SHOTS = join(ROOT, 'test-results', 'e2e');
const DOCS_SHOTS = join(ROOT, 'docs', 'screenshots');
const UPDATE_DOCS = process.env.CONDUCTOR_UPDATE_SCREENSHOT === '1';
const OVERRIDE = 'registry.example/checkout-api:feature-x';
const SCHEMES = ['light', 'dark'] as const;

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let dataDir: string;
let htmlReport: string;
const pageErrors: string[] = [];

async function sampleCount(p: Page): Promise<number> {
  const text = await p.getByText(/^\d+ samples?$/).innerText();
  return Number(text.split(' ')[0]);
}

/** a screenshot of the page as it is, in both themes when asked; docs/screenshots/ too with CONDUCTOR_UPDATE_SCREENSHOT=1 */
async function shot(p: Page, name: string, opts: { fullPage?: boolean; docs?: boolean } = {}): Promise<void> {
  const fullPage = opts.fullPage ?? true;
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  // the README's copies: the first screen of the view, as JPEG (small enough to keep in the repository)
  if (UPDATE_DOCS && opts.docs) await p.screenshot({ path: join(DOCS_SHOTS, `${name}.jpg`), type: 'jpeg', quality: 75 });
}

/** axe-core on the page as it is, in the light and the dark theme: no violation (each is named if there is one) */
async function expectAccessible(p: Page, view: string, docs = false): Promise<void> {
  for (const scheme of SCHEMES) {
    await p.emulateMedia({ colorScheme: scheme });
    expect(await axeViolations(p), `axe-core on ${view} (${scheme})`).toBe('');
    await shot(p, `${view}-${scheme}`, { docs });
  }
  await p.emulateMedia({ colorScheme: 'light' });
}

async function newPage(ctxOpts: Parameters<Browser['newContext']>[0] = {}): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, bypassCSP: true, acceptDownloads: true, ...ctxOpts });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => pageErrors.push(e.message));
  return { ctx, page: p };
}

async function setField(p: Page, name: string | RegExp, value: string, role: 'textbox' | 'spinbutton' = 'textbox'): Promise<void> {
  const box = p.getByRole(role, { name });
  await box.fill(value);
  await box.blur();
}

async function startFromTheRunTab(p: Page): Promise<void> {
  await p.getByRole('tab', { name: 'Run' }).click();
  await p.getByRole('button', { name: 'Start load test' }).click();
  await p.getByRole('dialog', { name: 'Start the load test?' }).getByRole('button', { name: 'Start' }).click();
}

beforeAll(async () => {
  ensureRendererBuilt();
  await mkdir(SHOTS, { recursive: true });
  if (UPDATE_DOCS) await mkdir(DOCS_SHOTS, { recursive: true });
  dataDir = await mkdtemp(join(tmpdir(), 'conductor-e2e-'));
  htmlReport = join(dataDir, 'report.html');
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
  ({ page } = await newPage());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  const code = await serve?.stop();
  if (code !== 0 && serve) console.error(serve.output());
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('cockpit in Chromium on the sandbox', () => {
  it('answers "which app drifts most" from the first screen, worst first, each app expanding to its fields', async () => {
    await page.goto(serve.url + '/');
    const table = page.getByRole('table', { name: /Parity before the run/ });
    await table.waitFor({ timeout: 30_000 });
    await page.getByText('8 apps: 1 in parity, 6 drifting, 1 missing, 0 unreachable').waitFor();
    const rows = table.getByRole('row');
    // header + one row per app, the worst first: the app missing in test, then the one drifting in most ways
    expect(await rows.count()).toBe(9);
    expect(await rows.nth(1).innerText()).toMatch(/^ledger\s+missing in test\s+1 field\s+missing in test/);
    expect(await rows.nth(2).innerText()).toMatch(/^checkout\s+drift\s+9 fields\s+image \(checkout-api\) 2\.14\.1 → 2\.13\.0, image \(envoy\) 1\.29\.1 → 1\.28\.0 \(\+7 more\)\s+Kubernetes · HPA 6–20 \(test 2–5\)/);
    expect(await table.getByRole('row', { name: /^payment-processor/ }).innerText()).toMatch(/ECS · autoscaling 4–12 \(test 1–3\)/);
    expect(await rows.nth(8).innerText()).toMatch(/^catalog\s+in parity\s+—\s+as production/);
    // on the first screen, without scrolling
    const box = await rows.nth(2).boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(900);

    // an app expands to its fields: production and test side by side
    await page.getByRole('button', { name: /^Fields \(\d+\) of checkout$/ }).click();
    const fields = page.getByRole('table', { name: 'Fields of checkout' });
    expect(await fields.getByRole('row', { name: /^replicas/ }).innerText()).toMatch(/^replicas\s+6\s+2\s+drift/);
    // drift only hides the app in parity; sorting by name puts cart first
    await page.getByRole('checkbox', { name: 'Drift only' }).check();
    expect(await table.getByRole('rowheader', { name: 'catalog' }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Drift only' }).uncheck();
    await page.getByRole('combobox', { name: 'Sort apps by' }).selectOption('name');
    expect(await rows.nth(1).getByRole('rowheader').innerText()).toBe('cart');
    await page.getByRole('combobox', { name: 'Sort apps by' }).selectOption('severity');
    await expectAccessible(page, 'parity', true);
    // the header row stays on screen while the table scrolls
    await page.getByRole('button', { name: 'Expand all' }).click();
    await page.evaluate(() => window.scrollTo(0, 800));
    const header = await table.getByRole('columnheader', { name: 'App' }).boundingBox();
    expect(header!.y, 'the sticky header').toBeGreaterThanOrEqual(-1);
    expect(header!.y, 'the sticky header').toBeLessThan(4);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Collapse all' }).click();
  }, 120_000);

  it('shows the override from the confirmation through the run, the history and the report; marks a guard breach that the Guards table and the verdict agree with; the HTML report opens offline', async () => {
    // feature-branch mode for checkout, and a p99 guard below the shop's own latency (~120 ms at any load): no number of users keeps under it
    await page.getByRole('tab', { name: 'Spec' }).click();
    await setField(page, 'Version override for checkout', OVERRIDE);
    await setField(page, 'Max p99 (ms)', '100', 'spinbutton');
    await expect.poll(() => page.getByRole('textbox', { name: 'Spec (YAML)' }).inputValue()).toContain(`checkout:\n        image: ${OVERRIDE}`);
    expect(await page.getByRole('textbox', { name: 'Version override for checkout' }).inputValue()).toBe(OVERRIDE);
    // the whole image name is on screen, not cut off by the field
    expect(await page.getByRole('textbox', { name: 'Version override for checkout' }).evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.getByText('Valid: "sandbox-rehearsal" on the embedded sandbox.').waitFor();
    await expectAccessible(page, 'spec', true);

    await page.getByRole('tab', { name: 'Run' }).click();
    await page.getByText(/No run yet\./).waitFor();
    await expectAccessible(page, 'run-idle');
    // the confirmation names what will happen
    await page.getByRole('button', { name: 'Start load test' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start the load test?' });
    const said = await dialog.innerText();
    expect(said).toMatch(/Test environment\s+the embedded sandbox/);
    expect(said).toMatch(/Load\s+target 1,200 orders per minute · ramp-up 10 min · plateau 10 min/);
    expect(said).toContain(`override checkout: ${OVERRIDE}`);
    expect(said).toMatch(/Skipped apps\s+ledger: missing in test/);
    await expectAccessible(page, 'confirm', true);
    await dialog.getByRole('button', { name: 'Start' }).click();

    // during the run: the override on the running version, axe-clean
    await expect.poll(() => sampleCount(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    const apps = page.getByRole('table', { name: 'Applications' });
    const checkout = apps.getByRole('row', { name: /^checkout/ });
    expect(await checkout.innerText()).toContain(OVERRIDE);
    expect(await checkout.getByText('override', { exact: true }).count()).toBe(1);
    expect(await page.getByText(`Version overrides: checkout (checkout-api): ${OVERRIDE}`).count()).toBe(1);
    expect(await page.getByTestId('run-clock').innerText()).toMatch(/^Elapsed \d+:\d\d · remaining \d+:\d\d of the planned \d+ min/);
    await expectAccessible(page, 'run', true);

    // the breach ends the run: marked on the chart, breached in the Guards table, named by the verdict
    await page.getByRole('heading', { name: /^Verdict: failed/ }).waitFor({ timeout: 90_000 });
    const marks = page.getByRole('list', { name: 'Chart marks' });
    const breach = marks.getByRole('listitem').filter({ hasText: /guard breached: p99 \d+ ms above 100 ms/ });
    expect(await breach.count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Orders per minute over the planned run.*guard breached: p99/ }).count()).toBe(1);
    const guards = page.getByRole('table', { name: 'Guards' });
    expect(await guards.getByRole('row', { name: /^p99 latency/ }).innerText()).toMatch(/≤ 100 ms\s+breached$/);
    expect(await guards.getByRole('row', { name: /^Error rate/ }).innerText()).toMatch(/ok$/);
    expect(await page.getByRole('list', { name: 'Reasons and flags' }).innerText()).toMatch(/guard breached: p99 \d+ ms above 100 ms/);
    expect(await page.getByRole('alert', { name: 'Run alerts' }).innerText()).toMatch(/^Verdict: failed, with 1 app skipped\. guard breached: p99/);
    expect(await checkout.getByText('restored', { exact: true }).count()).toBe(1);
    await expectAccessible(page, 'run-failed', true);

    // the HTML report, downloaded from the run view
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download HTML report' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^conductor-.*-sandbox-rehearsal-.*\.html$/);
    await download.saveAs(htmlReport);

    // the history: run id, duration, trigger, a failed badge, the override badge
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'Past runs' });
    const row = history.getByRole('row', { name: /sandbox-rehearsal/ });
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText).toMatch(/^\s*\d{8}-\d{6}Z-sandbox-rehearsal-[0-9a-f]{6}\s+sandbox-rehearsal/);
    expect(rowText).toMatch(/\d+ s\s+started from the cockpit or the API of conductor serve\s+failed\s+1 skipped: ledger\s+override checkout: feature-x/);
    expect(rowText).toMatch(/not compared \(failed, no plateau\)$/);

    // the report has an address that survives a reload
    await history.getByRole('link', { name: /^Open report of run/ }).click();
    await page.getByRole('heading', { name: /^Report .* \(sandbox-rehearsal\)$/ }).waitFor();
    const runUrl = page.url();
    expect(runUrl).toMatch(/#\/runs\/\d{8}-\d{6}Z-sandbox-rehearsal-[0-9a-f]{6}$/);
    await page.reload();
    await page.getByRole('heading', { name: /^Report .* \(sandbox-rehearsal\)$/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByText('Versions: override checkout: feature-x').count()).toBe(1);
    expect(await page.getByRole('list', { name: 'Chart marks' }).getByText(/guard breached: p99/).count()).toBe(1);
    await expectAccessible(page, 'report', true);

    // the downloaded report opens offline, on its own: nothing fetched
    const offline = await browser.newContext({ offline: true, javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const report = await offline.newPage();
    const requests: string[] = [];
    report.on('request', (r) => {
      if (!r.url().startsWith('file://')) requests.push(r.url());
    });
    await report.goto('file://' + htmlReport);
    expect(await report.getByRole('heading', { level: 1 }).innerText()).toBe('sandbox-rehearsal: failed with 1 app skipped');
    expect(await report.getByText(OVERRIDE).count()).toBeGreaterThanOrEqual(2);
    expect(await report.getByRole('list', { name: 'Marks on the charts' }).getByText(/guard breached: p99/).count()).toBe(1);
    expect(await report.getByRole('img', { name: /^Orders per minute/ }).count()).toBe(1);
    expect(await report.getByRole('img', { name: /^Latency p50, p95 and p99/ }).count()).toBe(1);
    expect(requests).toEqual([]);
    for (const scheme of SCHEMES) {
      await report.emulateMedia({ colorScheme: scheme });
      await shot(report, `html-report-${scheme}`, { docs: true });
    }
    await offline.close();
    expect((await readFile(htmlReport, 'utf8')).length).toBeLessThan(200_000);
  }, 240_000);

  it('compares three runs: distinct badges for failed, passed and aborted, the regression column filled, OPM and p99 overlaid', async () => {
    await page.getByRole('tab', { name: 'Spec' }).click();
    await setField(page, 'Version override for checkout', '');
    await setField(page, 'Max p99 (ms)', '2000', 'spinbutton');
    // the example's 10-minute ramp: the counted KPI's first decisions wait for a 40 s count, too slow for a 2-minute ramp at 15 s
    await setField(page, 'Ramp-up', '10m');
    await setField(page, 'Plateau', '10m');
    await page.getByText('Valid: "sandbox-rehearsal" on the embedded sandbox.').waitFor();

    // a passing run: "passed" says what qualifies it, right next to it
    await startFromTheRunTab(page);
    await page.getByRole('heading', { name: 'Verdict: passed — with 1 app skipped' }).waitFor({ timeout: 90_000 });

    // an aborted one (a run long enough to abort): one click, then its progress
    await page.getByRole('tab', { name: 'Spec' }).click();
    await setField(page, 'Ramp-up', '10m');
    await setField(page, 'Plateau', '10m');
    await page.getByText('Valid: "sandbox-rehearsal" on the embedded sandbox.').waitFor();
    await startFromTheRunTab(page);
    await expect.poll(() => sampleCount(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Abort', exact: true }).click();
    await page.getByRole('heading', { name: /^Verdict: aborted/ }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByRole('status', { name: 'Abort progress' }).innerText()).toMatch(/Aborted/);
    expect(await page.getByRole('list', { name: 'Phases' }).innerText()).toMatch(/(ramp|plateau) aborted/);
    expect(await page.getByRole('list', { name: 'Chart marks' }).getByRole('listitem').filter({ hasText: /abort: aborted from the cockpit$/ }).count()).toBe(1);

    // the test environment is back as it was before the run
    await page.getByRole('tab', { name: 'Parity' }).click();
    await page.getByRole('button', { name: 'After restore' }).click();
    await page.getByRole('table', { name: /Parity after restore/ }).waitFor();
    await page.getByText('Test environment restored: every field matches its state before the run.').waitFor();

    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('table', { name: 'Past runs' });
    await expect.poll(() => history.getByRole('row').count(), { timeout: 10_000 }).toBe(4);
    const badge = async (verdict: string) => history.getByText(verdict, { exact: true }).getAttribute('class');
    const [failed, passed, aborted] = [await badge('failed'), await badge('passed'), await badge('aborted')];
    expect(new Set([failed, passed, aborted]).size).toBe(3);
    expect(await history.getByRole('row', { name: /passed/ }).innerText()).toMatch(/none: no earlier run to compare$/);
    expect(await history.getByRole('row', { name: /aborted/ }).innerText()).toMatch(/not compared \(aborted\)$/);
    await expectAccessible(page, 'history', true);

    for (const box of await history.getByRole('checkbox').all()) await box.check();
    await page.getByRole('button', { name: 'Compare selected (3)' }).click();
    const table = page.getByRole('table', { name: 'Run comparison' });
    await table.waitFor();
    expect(await table.getByRole('columnheader').count()).toBe(4);
    expect(await table.getByRole('row', { name: /^Versions/ }).innerText()).toMatch(/override checkout: feature-x\s+production\s+production/);
    expect(await table.getByRole('row', { name: /^OPM vs baseline/ }).innerText()).toMatch(/^OPM vs baseline\s+baseline/);
    expect(await page.getByRole('img', { name: /^Actual orders per minute, one line per run: .+, .+, .+$/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^p99 latency, one line per run: .+, .+, .+$/ }).count()).toBe(1);
    expect(page.url()).toMatch(/#\/compare\/[^,]+,[^,]+,[^,]+$/);
    await page.reload();
    await page.getByRole('table', { name: 'Run comparison' }).waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'compare', true);
  }, 240_000);

  it('is usable at 1024×700 and at 1920×1080: nothing cut off, the Guards table whole', async () => {
    for (const [width, height] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const tab of ['Parity', 'Run', 'Spec', 'Environments', 'History', 'Queue']) {
        await page.getByRole('tab', { name: tab }).click();
        await page.waitForTimeout(100);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${tab} at ${width}×${height} is wider than the window`).toBeLessThanOrEqual(0);
        if (tab === 'Run') {
          const state = await page.getByRole('table', { name: 'Guards' }).getByRole('columnheader', { name: 'State' }).boundingBox();
          expect(state!.x + state!.width, `the Guards table's State column at ${width}×${height}`).toBeLessThanOrEqual(width);
          await shot(page, `run-${width}x${height}`, { fullPage: false, docs: width === 1024 });
        }
      }
    }
    await page.setViewportSize({ width: 1360, height: 900 });
    // the run queue of conductor serve is a view too
    await page.getByRole('tab', { name: 'Queue' }).click();
    expect(page.url()).toMatch(/#\/queue$/);
    await expectAccessible(page, 'queue', true);
  }, 90_000);

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
    await expectAccessible(page, 'environments', true);
    await page.getByRole('button', { name: 'Apply to spec' }).click();
    await page.getByText(/^Applied to the spec: production context prod-eu, test context loadtest-eu, AWS profile loadtest, region eu-west-1/).waitFor();
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
    expect(page.url()).toMatch(/#\/spec$/);
    const ramp = page.getByRole('textbox', { name: 'Ramp-up' });
    await ramp.fill('ten minutes');
    await ramp.blur();
    await expect.poll(() => page.getByRole('textbox', { name: 'Ramp-up' }).getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    await page.getByText(/is not a duration/).first().waitFor();
    await expectAccessible(page, 'spec-error');
    await page.getByRole('textbox', { name: 'Ramp-up' }).fill('10m');
    await page.getByRole('textbox', { name: 'Ramp-up' }).blur();
    await expect.poll(() => page.getByRole('textbox', { name: 'Ramp-up' }).getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('false');
    expect(pageErrors).toEqual([]);
  }, 60_000);
});

describe('a conductor that goes away', () => {
  it('is shown as disconnected within 3 s (header, actions disabled), and on reconnect the state is read again', async () => {
    const dir = join(dataDir, 'gone');
    const first = await startServe(['--time-scale', '100', '--data-dir', dir]);
    const port = Number(new URL(first.url).port);
    const { ctx, page: p } = await newPage();
    let again: ServeProcess | null = null;
    try {
      await p.goto(first.url + '/');
      await p.getByRole('table', { name: /Parity before the run/ }).waitFor({ timeout: 30_000 });
      await startFromTheRunTab(p);
      await expect.poll(() => sampleCount(p), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(2);
      expect(await p.getByRole('button', { name: 'Abort', exact: true }).isEnabled()).toBe(true);

      first.child.kill('SIGKILL');
      // shown at once: a bounded wait of the 3 s the cockpit promises
      await p.getByRole('alert', { name: 'Connection' }).getByText('Disconnected from the conductor.').waitFor({ timeout: 3_000 });
      expect(await p.getByRole('button', { name: 'Abort', exact: true }).isDisabled()).toBe(true);
      expect(await p.getByRole('button', { name: 'Start load test' }).isDisabled()).toBe(true);
      expect(await p.getByLabel('Current run').innerText()).toMatch(/^last known/);
      expect(await p.getByRole('alert', { name: 'Run alerts' }).innerText()).toBe('Disconnected from the conductor.');
      await expectAccessible(p, 'disconnected', true);

      // back on the same address: the cockpit reconnects by itself and reads the state again
      again = await startServe(['--time-scale', '100', '--data-dir', dir], process.env, port);
      await p.getByRole('alert', { name: 'Connection' }).waitFor({ state: 'detached', timeout: 30_000 });
      await p.getByText(/is not running any more: the conductor restarted/).waitFor({ timeout: 10_000 });
      expect(await p.getByRole('button', { name: 'Abort', exact: true }).count()).toBe(0);
      await p.getByText(/did not finish; the embedded sandbox may still be scaled up/).waitFor({ timeout: 10_000 });
    } finally {
      await ctx.close();
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      await again?.stop();
    }
  }, 180_000);
});
