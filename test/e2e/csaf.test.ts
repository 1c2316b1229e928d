/**
 * Ada turns a software-vulnerability finding into a CSAF 2.0 advisory from the
 * finding page (JOURNEYS.md: Chris sends such advisories on to vendors and
 * operators). The button says what is missing until the finding has it, then
 * the browser downloads an advisory valid against the official schema. Drives
 * the real `evalnotes serve` in headless Chromium; needs a build first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app';
import { csafErrors } from '../helpers/csafValidator';
import { FindingDetailPage, FindingsPage, launchBrowser, openOrion, openSession, screenshot, type Session } from './pages';

let browser: Browser;
let session: Session;
let page: Page;
const downloads = tempDir('evalnotes-e2e-csaf-');

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
  downloads.cleanup();
});
beforeEach(async () => {
  session = await openSession(browser, { prefix: 'evalnotes-e2e-csaf-', height: 1000 });
  page = session.page;
});
afterEach(async () => {
  await session.close();
});

describe('Export CSAF', () => {
  it('says what the finding lacks, then downloads a valid advisory with the engagement’s marking', async () => {
    await openOrion(page, 'Findings');
    await new FindingsPage(page).create({ title: 'Command injection in the ICS web UI', kind: 'Software vulnerability', severity: 'Critical' });
    const finding = new FindingDetailPage(page);
    const exportButton = page.getByRole('button', { name: 'Export CSAF' });

    await expect.poll(() => exportButton.isDisabled()).toBe(true);
    expect(await exportButton.getAttribute('aria-describedby')).toBe('csaf-why');
    expect(await page.locator('#csaf-why').textContent()).toBe('A CSAF advisory needs the affected product: fill in the finding’s affected product.');

    await finding.details.getByLabel('Vendor').fill('Acme Controls');
    await finding.details.getByLabel(/^Product/).fill('PLC Web Console');
    await finding.details.getByLabel(/^Version/).fill('4.2');
    await finding.details.getByLabel(/^CVSS v3\.1 vector/).fill('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    await finding.saveDetails();
    expect(await finding.details.getByTestId('cvss31-score').textContent()).toBe('9.8 Critical');
    await page.locator('#csaf-why').filter({ hasText: /needs a description/ }).waitFor();

    const description = finding.section('description');
    await description.type('The ping form passes its host field to a shell.');
    await description.waitSaved();
    await expect.poll(() => exportButton.isEnabled()).toBe(true);
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, 'finding-export-csaf');

    const download = page.waitForEvent('download');
    await exportButton.click();
    const d = await download;
    const to = join(downloads.path, d.suggestedFilename());
    await d.saveAs(to);
    expect(d.suggestedFilename()).toMatch(/^evalnotes-[0-9a-f-]{36}\.json$/);

    const doc = JSON.parse(readFileSync(to, 'utf8')) as {
      document: { distribution: unknown; tracking: { status: string } };
      product_tree: unknown;
      vulnerabilities: { scores: { cvss_v3: { baseScore: number } }[] }[];
    };
    expect(csafErrors(doc)).toEqual([]);
    expect(doc.document.distribution).toEqual({ tlp: { label: 'AMBER' }, text: 'TLP:AMBER+STRICT — OFFICIAL-SENSITIVE — EVALUATION TEAM ONLY' });
    expect(doc.document.tracking.status).toBe('draft');
    expect(doc.vulnerabilities[0]?.scores[0]?.cvss_v3.baseScore).toBe(9.8);
    expect(JSON.stringify(doc.product_tree)).toContain('Acme Controls PLC Web Console 4.2');
    expect(session.consoleErrors).toEqual([]);
  });
});
