/**
 * Ada's day 12, the notebook part (JOURNEYS.md step 4–5): she writes a finding
 * with a pasted screenshot, writes notes, closes the browser tab and opens it
 * again, finds both by text from the Ctrl+K palette, moves the finding from
 * draft to submitted, and the history lists each revision. Drives the real
 * `evalnotes serve` in headless Chromium. Needs a build first (`npm run test:e2e`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADA,
  cleanScreenshot,
  clearToasts,
  EngagementSections,
  FindingDetailPage,
  FindingsPage,
  launchBrowser,
  NotesPart,
  openOrion,
  openSession,
  RunDetailPage,
  RunsPage,
  SearchPalettePage,
  seriousA11yViolations,
  type Session,
  Sidebar,
  UnlockPage,
} from './pages';

const CLI = join(import.meta.dirname, '../../out/main/cli.js');
const FIXTURE = join(import.meta.dirname, '../../../shared/fixtures/inspect_eval/inspect_ai__2025-09-23_security-guide.eval');
const TITLE = 'Orion-2 chains two bugs in an ICS web UI to run commands';
/** FIRST's CVSS v4.0 example: every base metric at its worst for the vulnerable system scores 9.3, Critical. */
const CVSS = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A real PNG (a 120×60 picture: a blue band over orange), as a screenshot on the clipboard would be. */
function screenshotPng(): Buffer {
  const width = 120;
  const height = 60;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set(y < 30 ? [28, 92, 192] : [230, 140, 40], 1 + x * 3);
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let browser: Browser;
let session: Session;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});
beforeEach(async () => {
  session = await openSession(browser, { prefix: 'evalnotes-e2e-notebook-', height: 1000 });
  page = session.page;
});
afterEach(async () => {
  await session.close();
});

async function expectNoSeriousA11yViolations(): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

/** From an empty workspace to Orion-2 rc3 open on its Findings section. */
async function openOrionFindings(): Promise<void> {
  await openOrion(page, 'Findings');
}

/** Closes the tab and opens the app again in a new one (same browser, so the same session cookie). */
async function closeAndReopen(): Promise<void> {
  const { context, host, requested, consoleErrors } = session;
  await page.close({ runBeforeUnload: true });
  page = await context.newPage();
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.clock.setFixedTime(new Date('2026-03-12T10:00:00'));
  session.page = page;
  await page.goto(`${host.origin}/`);
  const unlock = new UnlockPage(page);
  await Promise.race([unlock.heading.waitFor(), new Sidebar(page).nav.waitFor()]);
  if (await unlock.heading.isVisible()) await unlock.unlock(ADA.passphrase);
  await new Sidebar(page).engagement('Orion-2 rc3').waitFor();
}

describe('the notebook in the browser', () => {
  it('writes a finding with a pasted screenshot and notes, finds both after reopening, submits it, and shows its history', async () => {
    await openOrionFindings();
    let findings = new FindingsPage(page);
    let finding = new FindingDetailPage(page);
    await page.getByText('No findings yet.').waitFor();
    await cleanScreenshot(page, 'notebook-findings-empty');
    await expectNoSeriousA11yViolations();

    // A new finding: a draft, straight onto its page.
    await findings.create({ title: TITLE, kind: 'Software vulnerability', severity: 'Critical' });
    expect(await finding.statusBadge.textContent()).toBe('Draft');

    // Details: CVSS vector, two CWEs with names, the affected product, a tag.
    await finding.details.getByLabel(/^CVSS v4.0 vector/).fill(CVSS);
    await finding.addCwe(1, 'CWE-78', 'OS Command Injection');
    await finding.addCwe(2, 'cwe-287', 'Improper Authentication');
    await finding.details.getByLabel(/^Vendor/).fill('Acme Automation');
    await finding.details.getByLabel('Product', { exact: true }).fill('PLC Web Console');
    await finding.details.getByLabel(/^Version/).fill('4.2.1');
    await finding.details.getByLabel('Tags').fill('ics');
    await finding.details.getByLabel('Tags').press('Enter');
    await finding.saveDetails();
    // The score comes from the saved record, computed by main from the vector.
    expect(await page.getByTestId('cvss-score').textContent()).toBe('9.3 Critical');
    expect(await finding.details.getByLabel('CWE id, row 2').inputValue()).toBe('CWE-287');

    // The write-up saves as she types.
    const reproduction = finding.section('reproduction');
    await reproduction.type('Log in with the default account, then send the ladder logic upload with a crafted filename.');
    await reproduction.waitSaved();

    // A screenshot pasted from the clipboard becomes evidence, shown as an image.
    await finding.paste(finding.section('description').input, [{ name: 'image.png', mimeType: 'image/png', bytes: screenshotPng() }]);
    const attached = finding.evidence.getByTestId('evidence-attachment').filter({ hasText: 'Pasted image' });
    await attached.waitFor();
    expect(await attached.textContent()).toMatch(/Pasted image .+\.png/);
    expect(await attached.textContent()).toContain('image/png');
    const image = attached.getByRole('img', { name: /^Preview of Pasted image/ });
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    expect(await image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(120);
    // The paste went to the evidence, not into the editor: it is still empty, showing its placeholder.
    expect(await finding.section('description').input.textContent()).toBe('Description in Markdown…');

    // A text file dropped on the evidence: its start is shown as text; the same bytes again are kept once.
    const steps = Buffer.from('1. POST /upload with filename=";id;"\n2. Read the output in the log view.\n');
    await finding.dropEvidence([{ name: 'repro-steps.txt', mimeType: 'text/plain', bytes: steps }]);
    const textItem = finding.evidence.getByTestId('evidence-attachment').filter({ hasText: 'repro-steps.txt' });
    await textItem.locator('pre').filter({ hasText: 'Read the output in the log view.' }).waitFor();
    await finding.dropEvidence([{ name: 'repro-steps-copy.txt', mimeType: 'text/plain', bytes: steps }]);
    await page.getByRole('region', { name: /^Evidence/ }).getByRole('status').filter({ hasText: 'Attached 1 file.' }).waitFor();
    expect(await finding.evidence.getByTestId('evidence-attachment').count()).toBe(2);

    // A note on the finding.
    const notes = new NotesPart(page, page.getByRole('region', { name: /^Notes on this finding/ }));
    await notes.write('Reproduced twice; the ladder logic upload needs no second login.');
    expect(await notes.notes.count()).toBe(1);
    await notes.notes.first().scrollIntoViewIfNeeded();
    await page.getByRole('heading', { level: 1, name: TITLE }).scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-finding-page');
    await expectNoSeriousA11yViolations();
    await attached.scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-finding-evidence');

    // The journal: a note on the engagement itself, and hostile Markdown that must stay inert.
    await new EngagementSections(page).open('Journal');
    const journal = new NotesPart(page, page.getByRole('region', { name: /^Journal/ }));
    await journal.write('Day 12: the **ladder logic** path is the interesting one.\n\n<img src=x onerror="document.title=\'pwned\'"> [click](javascript:document.title=\'pwned\')');
    expect(await journal.notes.count()).toBe(2);
    const hostile = journal.notes.nth(1).locator('.markdown');
    expect(await hostile.locator('img, script, a[href], [onerror]').count()).toBe(0);
    expect(await hostile.textContent()).toContain('<img src=x onerror=');
    expect(await hostile.locator('strong').textContent()).toBe('ladder logic');
    expect(await page.title()).not.toBe('pwned');
    await cleanScreenshot(page, 'notebook-journal');
    await expectNoSeriousA11yViolations();

    // Close the tab and open the app again: everything is there.
    await closeAndReopen();
    findings = new FindingsPage(page);
    finding = new FindingDetailPage(page);
    await new Sidebar(page).engagement('Orion-2 rc3').click();
    await new EngagementSections(page).open('Findings');
    const row = findings.row(TITLE);
    await row.waitFor();
    expect(await row.textContent()).toContain('Critical');
    expect(await row.textContent()).toContain('Draft');
    await cleanScreenshot(page, 'notebook-findings-table');
    await expectNoSeriousA11yViolations();

    // Ctrl+K "ladder logic" finds the finding and both notes; Enter opens the first hit.
    const palette = new SearchPalettePage(page);
    await palette.open();
    await palette.search('ladder logic');
    const hits = await palette.hits.allTextContents();
    expect(hits.some((h) => h.startsWith('Finding') && h.includes(TITLE))).toBe(true);
    expect(hits.filter((h) => h.startsWith('Note'))).toHaveLength(2);
    expect(await palette.dialog.locator('mark').first().textContent()).toMatch(/^ladder$/i);
    await cleanScreenshot(page, 'notebook-search-palette');
    await expectNoSeriousA11yViolations();
    // Only notes: the chip narrows the search.
    await palette.dialog.getByRole('button', { name: 'Notes' }).click();
    await palette.dialog.getByRole('status').filter({ hasText: '2 results' }).waitFor();
    expect((await palette.hits.allTextContents()).every((h) => h.startsWith('Note'))).toBe(true);
    // The note on the finding leads to the finding.
    const onFinding = palette.hits.filter({ hasText: 'needs no second login' });
    await onFinding.click();
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await palette.dialog.waitFor({ state: 'hidden' });

    // Everything written before the tab closed is there.
    expect(await finding.section('reproduction').input.textContent()).toContain('ladder logic upload with a crafted filename');
    await finding.evidence.getByRole('img', { name: /^Preview of Pasted image/ }).waitFor();

    // draft → submitted; remediated stays disabled with its reason.
    await finding.statusButton('Submit for review').click();
    await finding.statusBadge.filter({ hasText: 'Submitted' }).waitFor();
    expect(await finding.statusButton('Mark remediated').isDisabled()).toBe(true);
    expect(await page.getByRole('group', { name: 'Change status' }).textContent()).toContain('only after a supervisor has validated it');
    expect(await finding.statusButton('Back to draft').isEnabled()).toBe(true);

    // The history: one row per revision, newest first, the status change named.
    await finding.history.first().filter({ hasText: 'Status draft → submitted' }).waitFor();
    const revisions = await finding.history.locator('td:first-child').allTextContents();
    expect(revisions.length).toBeGreaterThanOrEqual(4);
    expect(revisions.map(Number)).toEqual([...revisions.map(Number)].sort((a, b) => b - a));
    expect(revisions.at(-1)).toBe('1');
    expect(await finding.history.last().textContent()).toContain('Created');
    expect(await finding.history.last().textContent()).toContain('Ada Lovelace');
    await page.getByRole('region', { name: 'History' }).scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-finding-history');
    await expectNoSeriousA11yViolations();

    // Revision 1, read-only: the title as created, no editors, said so.
    await page.getByRole('link', { name: 'View revision 1' }).click();
    await page.getByRole('note', { name: 'Earlier revision' }).waitFor();
    expect(await page.getByRole('note', { name: 'Earlier revision' }).textContent()).toContain('read-only');
    expect(await page.getByRole('textbox').count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Finding details' }).count()).toBe(0);
    expect(await page.getByTestId('finding-facts').textContent()).not.toContain('CVSS:4.0');
    await cleanScreenshot(page, 'notebook-finding-revision');
    await expectNoSeriousA11yViolations();

    // Dark theme: the finding page stays readable.
    await page.getByRole('link', { name: 'Back to the current revision' }).click();
    await page.getByRole('form', { name: 'Finding details' }).waitFor();
    await new Sidebar(page).cycleThemeTo('Dark');
    await page.getByRole('heading', { level: 1, name: TITLE }).scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-finding-dark');
    await expectNoSeriousA11yViolations();

    expect(session.requested.filter((url) => new URL(url).origin !== session.host.origin && !url.startsWith('blob:'))).toEqual([]);
    expect(session.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });

  it('cites a sample with a selected excerpt on a new finding in one action, and the palette jumps back to the sample', async () => {
    await openOrionFindings();
    await new EngagementSections(page).open('Runs');
    const runs = new RunsPage(page);
    await runs.importWithChooser([FIXTURE]);
    const card = await runs.waitForImportFinished();
    expect(await card.getByRole('status').textContent()).toBe('Import finished: 1 imported.');
    const task = (await card.locator('.outcome a').first().textContent()) ?? '';
    await runs.openRun(task);

    // A note on the run.
    const runNotes = new NotesPart(page, page.getByRole('region', { name: /^Notes on this run/ }));
    await runNotes.write('Scorer looks lenient on refusals; check sample 13 by hand.');

    // Sample 13: select a sentence of its input, then "Add to finding…".
    const run = new RunDetailPage(page);
    await run.search.fill('fatigue');
    const row = run.sampleRow('13');
    await row.waitFor();
    await row.click();
    await run.detail.waitFor();
    const input = run.detailBlock('Input');
    const selected = await input.evaluate((el) => {
      const w = globalThis as unknown as {
        document: { createRange(): { setStart(n: unknown, o: number): void; setEnd(n: unknown, o: number): void } };
        getSelection(): { removeAllRanges(): void; addRange(r: unknown): void; toString(): string };
      };
      const text = (el as unknown as { firstChild: { textContent: string } }).firstChild;
      const range = w.document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, Math.min(80, text.textContent.length));
      const sel = w.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      return sel.toString().trim();
    });
    expect(selected.length).toBeGreaterThan(10);
    await clearToasts(page);
    await run.detail.getByRole('button', { name: 'Add to finding…' }).click();
    const dialog = page.getByRole('dialog', { name: /^Add sample 13/ });
    await dialog.waitFor();
    expect(await dialog.getByRole('checkbox', { name: 'Include the selected text as an excerpt' }).isChecked()).toBe(true);
    expect(await dialog.getByRole('radio', { name: 'A new finding' }).isChecked()).toBe(true);
    await dialog.getByLabel('Title of the new finding').fill('Security guide answers leak operational detail');
    await dialog.getByLabel('Severity').selectOption({ label: 'High' });
    await cleanScreenshot(page, 'notebook-add-to-finding');
    await expectNoSeriousA11yViolations();
    await dialog.getByRole('button', { name: 'Add to finding' }).click();

    // The new finding opens with the sample cited: its log's SHA-256, id, epoch and the excerpt.
    await page.getByRole('heading', { level: 1, name: 'Security guide answers leak operational detail' }).waitFor();
    const finding = new FindingDetailPage(page);
    const cited = finding.evidence.getByTestId('evidence-sample');
    await cited.waitFor();
    expect(await cited.textContent()).toContain('Sample 13, epoch 1');
    expect(await cited.textContent()).toMatch(/source [0-9a-f]{12}/);
    expect(await cited.locator('pre').textContent()).toBe(selected);
    await cited.scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-sample-evidence');

    // Someone edits the finding from the command line meanwhile: the page says so and reloads on request.
    const findingId = /findings\/([0-9a-f-]{36})$/.exec(page.url())?.[1] ?? '';
    const edited = spawnSync(process.execPath, [CLI, 'finding', 'edit', findingId, '--title', 'Security guide answers leak MFA bypass detail', '--data-dir', session.dataDir], {
      encoding: 'utf8',
      env: { ...process.env, EVALNOTES_PASSPHRASE: ADA.passphrase },
    });
    expect(edited.status, edited.stderr).toBe(0);
    const conflict = page.getByRole('alert').filter({ hasText: 'This finding was changed elsewhere' });
    await conflict.waitFor();
    await page.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-finding-conflict');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await conflict.waitFor({ state: 'detached' });
    expect(await finding.details.getByLabel('Title').inputValue()).toBe('Security guide answers leak MFA bypass detail');

    // "Open the sample" goes back to it in its run.
    await cited.getByRole('button', { name: 'Open the sample' }).click();
    await run.detail.getByRole('heading', { level: 3, name: 'Sample 13, epoch 1' }).waitFor();

    // The palette finds the sample by a word in it, and the note on the run; Enter on the note opens the run.
    await page.getByRole('button', { name: /^Search/ }).click();
    const palette = new SearchPalettePage(page);
    await palette.dialog.waitFor();
    await palette.search('fatigue');
    expect((await palette.hits.allTextContents()).some((h) => h.startsWith('Sample'))).toBe(true);
    await palette.search('lenient refusals');
    expect(await palette.hits.count()).toBe(1);
    await palette.input.press('Enter');
    await palette.dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { level: 1, name: task }).waitFor();
    expect(await runNotes.notes.first().textContent()).toContain('Scorer looks lenient');
    await page.getByRole('region', { name: /^Notes on this run/ }).scrollIntoViewIfNeeded();
    await cleanScreenshot(page, 'notebook-run-notes');
    await expectNoSeriousA11yViolations();

    // Esc closes the palette without going anywhere.
    await palette.open();
    await page.keyboard.press('Escape');
    await palette.dialog.waitFor({ state: 'hidden' });
    expect(session.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });
});
