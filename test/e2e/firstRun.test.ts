/**
 * Ada's first day (JOURNEYS.md): from an empty workspace to her engagement on
 * screen, through the real `evalnotes serve` in headless Chromium.
 * Needs a build first (`npm run test:e2e` runs it).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADA,
  type EngagementDetails,
  EngagementFormPage,
  EngagementPage,
  FirstRunPage,
  launchBrowser,
  listEngagementsWithCli,
  openSession,
  ORION as ORION_BASE,
  screenshot,
  seriousA11yViolations,
  type ServeHost,
  type Session,
  Sidebar,
  UnlockPage,
} from './pages';

/** Orion-2 rc3 with a trusted partner, as a supervisor sets it up. */
const ORION: EngagementDetails = { ...ORION_BASE, partners: ['Allied Evaluation Lab'] };
const MARKING = 'TLP:AMBER+STRICT — OFFICIAL-SENSITIVE — EVALUATION TEAM ONLY';
const DAY_12 = 'day 12 of 30 — 19 days left';

let browser: Browser;
let dataDir: string;
let host: ServeHost;
let page: Page;
/** Every URL the page asked for, to prove it talked to nothing but the serve host. */
let requested: string[];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

let session: Session;
beforeEach(async () => {
  session = await openSession(browser, { prefix: 'evalnotes-e2e-', height: 800 });
  ({ dataDir, host, page, requested } = session);
});
afterEach(async () => {
  await session.close();
});

async function expectNoSeriousA11yViolations(): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

describe('first run in the browser', () => {
  it('creates an identity and an engagement, and shows its window and marking on every reload', async () => {
    const firstRun = new FirstRunPage(page);
    const sidebar = new Sidebar(page);
    const form = new EngagementFormPage(page);
    const engagement = new EngagementPage(page);

    // First run: the identity, then its fingerprint.
    await firstRun.heading.waitFor();
    await screenshot(page, 'first-run');
    await expectNoSeriousA11yViolations();
    await firstRun.createIdentity(ADA);
    await firstRun.fingerprint.waitFor({ timeout: 30_000 });
    await screenshot(page, 'identity-ready');
    expect(await firstRun.fingerprint.textContent()).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    await firstRun.continue();

    // No engagements yet: the empty state explains and offers the button.
    await page.getByRole('heading', { name: 'No engagements yet' }).waitFor();
    expect(await page.getByRole('main').getByRole('button', { name: 'New engagement' }).isVisible()).toBe(true);
    await screenshot(page, 'empty-state');
    await expectNoSeriousA11yViolations();

    // Ctrl+N opens the form; Ctrl+S saves it.
    await page.keyboard.press('Control+n');
    await page.getByRole('heading', { name: 'New engagement' }).waitFor();
    await form.fill(ORION);
    await screenshot(page, 'engagement-form');
    await page.keyboard.press('Control+s');

    const title = engagement.heading('Orion-2 rc3');
    await title.waitFor();
    expect(await engagement.windowLabel.textContent()).toBe(DAY_12);
    const entry = sidebar.engagement('Orion-2 rc3');
    expect(await entry.textContent()).toContain('Frontier Lab');
    expect(await entry.textContent()).toContain(DAY_12);
    expect(await entry.getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('main').textContent()).toContain('Allied Evaluation Lab');

    // The marking frames the screen: one above everything, one below.
    const expectFramedByMarking = async () => {
      await engagement.markings.first().waitFor();
      expect(await engagement.markings.allTextContents()).toEqual([MARKING, MARKING]);
      const top = await engagement.markings.nth(0).boundingBox();
      const bottom = await engagement.markings.nth(1).boundingBox();
      const viewport = page.viewportSize();
      expect(top?.y).toBe(0);
      expect((bottom?.y ?? 0) + (bottom?.height ?? 0)).toBeCloseTo(viewport?.height ?? 0, 0);
    };
    await expectFramedByMarking();

    // A reload lands on the same engagement (the serve process keeps the workspace unlocked).
    await page.reload();
    const unlock = new UnlockPage(page);
    await Promise.race([title.waitFor(), unlock.heading.waitFor()]);
    if (await unlock.heading.isVisible()) await unlock.unlock(ADA.passphrase);
    await title.waitFor();
    expect(await engagement.windowLabel.textContent()).toBe(DAY_12);
    expect(await sidebar.engagement('Orion-2 rc3').textContent()).toContain(DAY_12);
    await expectFramedByMarking();

    // Readable and operable in both themes.
    await sidebar.cycleThemeTo('Light');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    await screenshot(page, 'engagement-light');
    await expectNoSeriousA11yViolations();
    await sidebar.cycleThemeTo('Dark');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await screenshot(page, 'engagement-dark');
    await expectNoSeriousA11yViolations();
    await page.reload();
    await title.waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');

    // Locking forgets the key; a wrong passphrase is refused with main's sentence.
    await sidebar.lock();
    await unlock.heading.waitFor();
    await unlock.unlock('not my passphrase at all');
    await unlock.error.waitFor({ timeout: 30_000 });
    expect(await unlock.error.textContent()).toMatch(/passphrase/i);
    await screenshot(page, 'unlock-error');
    await expectNoSeriousA11yViolations();
    await unlock.unlock(ADA.passphrase);
    await title.waitFor({ timeout: 30_000 });

    // The page talked to nothing but the serve host.
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => new URL(url).origin !== host.origin)).toEqual([]);
  });

  it('shows the service’s one-sentence reason for a refused engagement and saves nothing', async () => {
    await new FirstRunPage(page).completeWith(ADA);
    await page.getByRole('heading', { name: 'No engagements yet' }).waitFor();

    const form = new EngagementFormPage(page);
    await new Sidebar(page).newEngagement();
    await form.fill({ ...ORION, weightsDigest: 'sha256-of-the-weights' });
    await form.submit();

    await form.error.waitFor();
    expect(await form.error.textContent()).toContain('weights_digest: must be a lowercase hex SHA-256 digest');
    const digest = page.getByLabel(/^Weights digest/);
    expect(await digest.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(':focus').getAttribute('id')).toBe(await digest.getAttribute('id'));
    // Still on the form, with what was typed.
    expect(await page.getByLabel('Developer').inputValue()).toBe('Frontier Lab');
    await screenshot(page, 'form-error');
    await expectNoSeriousA11yViolations();

    expect(listEngagementsWithCli(dataDir)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'No engagements yet' }).waitFor();
    expect(await new Sidebar(page).engagements.count()).toBe(0);
  });

  it('lists engagements by urgency with words and signs, moves by keyboard, edits and closes', async () => {
    await new FirstRunPage(page).completeWith(ADA);
    const sidebar = new Sidebar(page);
    const form = new EngagementFormPage(page);
    const engagement = new EngagementPage(page);
    const create = async (details: EngagementDetails, title: string) => {
      await sidebar.newEngagement();
      await form.fill(details);
      await form.submit();
      await engagement.heading(title).waitFor();
    };
    // Today is 2026-03-12: Orion-2 has 3 days left, Vega-1 23, Lyra-3 is overdue.
    await create({ ...ORION, accessStart: '2026-02-13' }, 'Orion-2 rc3');
    const vega = { ...ORION, developer: 'North Star AI', model: 'Vega-1', version: 'beta', accessStart: '2026-03-05', tlp: 'GREEN' as const, banner: '' };
    await create(vega, 'Vega-1 beta');
    await create({ ...ORION, model: 'Lyra-3', version: 'final', accessStart: '2026-01-02', tlp: 'RED', banner: 'EYES ONLY' }, 'Lyra-3 final');

    expect(await engagement.windowLabel.textContent()).toContain('Overdue: window closed, overdue by 39 days');
    expect(await engagement.markings.first().textContent()).toBe('TLP:RED — EYES ONLY');
    await engagement.close();
    expect(await sidebar.group('Closed').textContent()).toContain('Lyra-3 final');
    // A closed engagement is finished: no longer flagged.
    expect(await sidebar.group('Closed').textContent()).not.toContain('Overdue:');

    const orion = sidebar.engagement('Orion-2 rc3');
    expect(await orion.textContent()).toContain('⚠');
    expect(await orion.textContent()).toContain('Urgent: day 28 of 30 — 3 days left');
    expect(await sidebar.engagement('Vega-1 beta').textContent()).not.toContain('Urgent');
    await screenshot(page, 'sidebar-urgent-closed');
    await expectNoSeriousA11yViolations();

    // One tab stop; arrows move through both groups, Enter opens.
    await sidebar.engagement('Vega-1 beta').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await engagement.heading('Orion-2 rc3').waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await engagement.heading('Lyra-3 final').waitFor();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await engagement.heading('Vega-1 beta').waitFor();

    // The create form edits too: a longer window changes the label everywhere.
    await engagement.edit();
    await page.getByRole('heading', { name: 'Edit Vega-1 beta' }).waitFor();
    expect(await page.getByLabel('Developer').inputValue()).toBe('North Star AI');
    await page.getByLabel('Window length in days').fill('0');
    await page.keyboard.press('Control+s');
    await form.error.waitFor();
    expect(await form.error.textContent()).toContain('window_days: must be at least 1 day');
    expect(await page.getByLabel('Window length in days').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Window length in days').fill('45');
    await page.getByLabel('Window length in days').press('Enter');
    await engagement.heading('Vega-1 beta').waitFor();
    expect(await engagement.windowLabel.textContent()).toBe('day 8 of 45 — 38 days left');
    expect(await sidebar.engagement('Vega-1 beta').textContent()).toContain('day 8 of 45 — 38 days left');
    expect(await page.getByRole('main').textContent()).toMatch(/Revision\s*2/);
  });
});
