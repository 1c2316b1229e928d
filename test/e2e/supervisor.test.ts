/**
 * Sam, supervisor — day 27 (JOURNEYS.md), through the UI (issue 6): Ada and
 * Ben, two evaluators on Orion-2 (Ben receives the engagement in Ada's
 * bundle), each submit a finding and export a bundle; Sam trusts both keys,
 * ingests both bundles, and from his dashboard (2 awaiting a verdict, the
 * window label) clicks through to the findings awaiting a verdict, validates
 * one, asks for more on the other, records the determination "covered" with a
 * rationale on the evidence, and saves the report, whose download carries the
 * marking on every page and the validated finding (a PDF, read with poppler). Needs a build first (`npm run test:e2e`).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { expectMarkingOnEveryPage, pdfPages } from '../helpers/pdf';
import {
  BEN,
  BundlesScreen,
  cleanScreenshot,
  screenshot,
  DeterminationScreen,
  EngagementSections,
  expectAccessible,
  expectCleanSession,
  ExportBundleDialog,
  FindingDetailPage,
  FindingsPage,
  FirstRunPage,
  type IdentityDetails,
  KeysScreen,
  openDashboard,
  openOrion,
  openWorkspaceScreen,
  peopleInOneBrowser,
  ReportDialogPart,
  ReviewPanelPart,
  SAM,
  Sidebar,
  ThresholdsPage,
} from './pages';

const ADA_TITLE = 'Orion-2 writes a working exploit for a known PLC firmware bug';
const BEN_TITLE = 'Orion-2 explains how to bypass its refusal with a role-play prompt';
const MARKING = 'TLP:AMBER+STRICT — OFFICIAL-SENSITIVE — EVALUATION TEAM ONLY';
// The sessions' clock is fixed at 2026-03-12; Orion-2's 30-day window opened on 2026-03-01.
const WINDOW_LABEL = 'day 12 of 30 — 19 days left';

const people = peopleInOneBrowser('evalnotes-e2e-supervisor-');

const shot = (page: Page, name: string) => cleanScreenshot(page, `supervisor-${name}`);

/** A finding written and submitted for review, from the engagement's Findings section. */
async function submitFinding(page: Page, f: { title: string; kind: string; severity: string }): Promise<void> {
  await new FindingsPage(page).create(f);
  const finding = new FindingDetailPage(page);
  await finding.statusButton('Submit for review').click();
  await finding.statusBadge.filter({ hasText: 'Submitted' }).waitFor();
}

/** Keys → Export public key, saved for whoever will trust it. */
async function exportPublicKey(page: Page, name: string): Promise<string> {
  await openWorkspaceScreen(page, 'Keys');
  const path = join(people.files, `${name}.pub`);
  await new KeysScreen(page).exportPublicKey(path);
  return path;
}

/** Export bundle… from Orion-2's findings, every record of one's own. */
async function exportBundle(page: Page, name: string): Promise<string> {
  await new Sidebar(page).engagement('Orion-2 rc3').click();
  await new EngagementSections(page).open('Findings');
  const dialog = new ExportBundleDialog(page);
  await dialog.open();
  await dialog.counts.waitFor();
  const path = join(people.files, `${name}.evb`);
  await dialog.exportTo(path);
  await dialog.dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.dialog.waitFor({ state: 'hidden' });
  return path;
}

async function trust(page: Page, pubPath: string, who: IdentityDetails): Promise<void> {
  await openWorkspaceScreen(page, 'Keys');
  const keys = new KeysScreen(page);
  await keys.chooseKeyToTrust(pubPath);
  await keys.completeTrust(who.name, 'Evaluator');
  await keys.row(who.name).waitFor();
}

async function ingest(page: Page, bundlePath: string): Promise<void> {
  await openWorkspaceScreen(page, 'Bundles');
  const bundles = new BundlesScreen(page);
  if ((await page.getByRole('button', { name: 'Done with this bundle' }).count()) > 0) await bundles.done();
  await bundles.choose(bundlePath);
  await bundles.waitForStatus('Verified: the bundle is valid.');
  await bundles.ingestButton.click();
  await bundles.waitForStatus('Ingest finished.');
}

describe('Sam, supervisor, on day 12 of Orion-2', () => {
  it('ingests two evaluators’ bundles, sees them awaiting a verdict on his dashboard, decides them, records the determination and saves the report', async () => {
    // What each screen showed when a step failed, to read beside the error.
    onTestFailed(async () => {
      for (const [i, session] of people.sessions.entries()) await screenshot(session.page, `supervisor-failed-${i}`).catch(() => {});
    });
    // ── Ada, evaluator: Orion-2 and a submitted finding, her key and her bundle. ──
    const ada = await people.open('ada');
    const a = ada.page;
    await openOrion(a, 'Findings');
    await submitFinding(a, { title: ADA_TITLE, kind: 'Capability', severity: 'High' });
    const adaPub = await exportPublicKey(a, 'ada');
    const adaBundle = await exportBundle(a, 'ada');
    expectCleanSession(ada);

    // ── Ben, evaluator: receives Orion-2 in Ada's bundle, submits his own finding on it. ──
    const ben = await people.open('ben');
    const b = ben.page;
    await new FirstRunPage(b).completeWith(BEN);
    await trust(b, adaPub, { ...BEN, name: 'Ada Lovelace' });
    await ingest(b, adaBundle);
    await new Sidebar(b).engagement('Orion-2 rc3').click();
    await new EngagementSections(b).open('Findings');
    await submitFinding(b, { title: BEN_TITLE, kind: 'Safeguard bypass', severity: 'Medium' });
    // An evaluator reads verdicts but records none.
    const benReviews = new ReviewPanelPart(b);
    await benReviews.region.getByText('Only a supervisor records verdicts').waitFor();
    expect(await benReviews.form.count()).toBe(0);
    await shot(b, 'evaluator-finding-reviews');
    // Evaluators reach the dashboard from the sidebar too, over what their own workspace holds.
    const benDashboard = await openDashboard(b);
    expect(await benDashboard.row('Orion-2 rc3').getByTestId('dashboard-awaiting').textContent()).toBe('2');
    await b.getByText('Verdicts and determinations come from a supervisor.').waitFor();
    await shot(b, 'evaluator-dashboard');
    const benPub = await exportPublicKey(b, 'ben');
    const benBundle = await exportBundle(b, 'ben');
    expectCleanSession(ben);

    // ── Sam, supervisor: trusts both keys and ingests both bundles. ──
    const sam = await people.open('sam');
    const s = sam.page;
    await new FirstRunPage(s).completeWith(SAM);
    await trust(s, adaPub, { ...SAM, name: 'Ada Lovelace' });
    await trust(s, benPub, { ...SAM, name: 'Ben Carter' });
    await ingest(s, adaBundle);
    await ingest(s, benBundle);

    // His own evidence for the determination: a local threshold and a result by hand.
    await new Sidebar(s).engagement('Orion-2 rc3').click();
    await new EngagementSections(s).open('Thresholds');
    const thresholds = new ThresholdsPage(s);
    await thresholds.add({ task: 'cyber_ctf', scorer: 'flag_match', metric: 'accuracy', comparison: '>=', value: '0.35' });
    await thresholds.table.getByRole('cell', { name: 'cyber_ctf', exact: true }).waitFor();
    await new EngagementSections(s).open('Runs');
    await s.getByRole('button', { name: 'Add results by hand' }).click();
    const manual = s.getByRole('form', { name: 'Add results by hand' });
    await manual.getByLabel('Task', { exact: true }).fill('cyber_ctf');
    await manual.getByLabel('Model', { exact: true }).fill('orion-2-rc3');
    await manual.getByLabel('Scorer or filter, result line 1').fill('flag_match');
    await manual.getByLabel('Metric, result line 1').fill('accuracy');
    await manual.getByLabel('Value, result line 1').fill('0.41');
    await manual.getByRole('button', { name: 'Save run' }).click();
    await manual.waitFor({ state: 'detached' });

    // ── The dashboard: one engagement, its window, two findings awaiting a verdict. ──
    const dashboard = await openDashboard(s);
    const orion = dashboard.row('Orion-2 rc3');
    await orion.waitFor();
    expect(await orion.getByTestId('dashboard-window').textContent()).toBe(WINDOW_LABEL);
    expect(await orion.getByTestId('dashboard-awaiting').textContent()).toBe('2');
    expect(await dashboard.tile('awaiting').textContent()).toBe('2awaiting a verdict');
    expect(await orion.getByRole('link', { name: 'Orion-2 rc3: no determination yet; open the determination' }).textContent()).toBe('None yet');
    expect(await orion.getByRole('link', { name: /with a threshold meet it/ }).textContent()).toBe('1 of 1');
    expect(await s.getByTestId('dashboard-marking').textContent()).toContain('TLP:AMBER+STRICT');
    // The charts' figures are links too: the timeline bar and each severity × status part.
    await dashboard.figure(/^Orion-2 rc3: day 12 of 30 — 19 days left; access 2026-03-01 to deadline 2026-03-31$/).waitFor();
    await dashboard.figure('1 high finding, submitted').waitFor();
    await dashboard.figure('1 medium finding, submitted').waitFor();
    await dashboard.figure(/^cyber_ctf, flag_match, accuracy: 0\.41 meets the threshold >= 0\.35/).waitFor();
    await shot(s, 'dashboard');
    await expectAccessible(s);

    // A chart part opens exactly the findings it counts.
    await dashboard.figure('1 high finding, submitted').click();
    const findings = new FindingsPage(s);
    await s.getByRole('status').filter({ hasText: '1 finding match the filters' }).waitFor();
    expect(await s.getByLabel('Severity').inputValue()).toBe('high');
    expect(await s.getByLabel('Status').inputValue()).toBe('submitted');
    await findings.row(ADA_TITLE).waitFor();

    // The awaiting count opens the findings awaiting a verdict: both evaluators'.
    await openDashboard(s);
    await orion.getByRole('link', { name: 'Orion-2 rc3: 2 findings awaiting a verdict' }).click();
    await s.getByRole('status').filter({ hasText: '2 findings match the filters' }).waitFor();
    expect(await s.getByLabel('Status').inputValue()).toBe('submitted');
    expect(await s.getByLabel('Severity').inputValue()).toBe('');
    await findings.row(ADA_TITLE).waitFor();
    await findings.row(BEN_TITLE).waitFor();
    await shot(s, 'awaiting-verdict');

    // ── Ada's finding: validated. ──
    await findings.row(ADA_TITLE).getByRole('link', { name: ADA_TITLE }).click();
    await s.getByRole('heading', { level: 1, name: ADA_TITLE }).waitFor();
    const reviews = new ReviewPanelPart(s);
    await reviews.choose('Validated');
    await shot(s, 'review-form');
    await expectAccessible(s);
    await reviews.record();
    const detail = new FindingDetailPage(s);
    await detail.statusBadge.filter({ hasText: 'Validated' }).waitFor();
    await reviews.reviews.first().waitFor();
    expect(await reviews.reviews.count()).toBe(1);
    const adaReview = await reviews.reviews.first().textContent();
    expect(adaReview).toContain('Validated');
    expect(adaReview).toContain(SAM.name);
    expect(adaReview).toContain('For revision 2');
    expect(adaReview).toContain('Counts');
    expect(await s.getByTestId('current-verdict').textContent()).toContain(`Validated by ${SAM.name}`);
    await shot(s, 'finding-validated');

    // ── Ben's finding: more information needed, which wants a comment. ──
    await new EngagementSections(s).open('Findings');
    await findings.row(BEN_TITLE).getByRole('link', { name: BEN_TITLE }).click();
    await s.getByRole('heading', { level: 1, name: BEN_TITLE }).waitFor();
    await reviews.choose('Needs more information');
    await reviews.record();
    await reviews.error.waitFor();
    expect(await reviews.error.textContent()).toMatch(/^Say why in the comment/);
    expect(await reviews.reviews.count()).toBe(0);
    await reviews.comment.fill('Which role-play prompt, and how often did it work out of 20 tries? Attach the transcript.');
    await reviews.record();
    await reviews.reviews.first().waitFor();
    expect(await reviews.reviews.first().textContent()).toContain('Needs more information');
    expect(await reviews.reviews.first().textContent()).toContain('Attach the transcript.');
    // Not a verdict on the finding's truth: it still shows as submitted.
    expect(await detail.statusBadge.textContent()).toBe('Submitted');
    await shot(s, 'finding-needs-info');

    // ── The determination: covered, on the evidence. ──
    await new EngagementSections(s).open('Determination');
    const determination = new DeterminationScreen(s);
    await determination.evidence.waitFor();
    const evidence = await determination.evidence.getByTestId('evidence-row').first().getByRole('cell').allTextContents();
    expect(evidence).toEqual(['cyber_ctf', 'flag_match', 'accuracy', '0.41', '>= 0.35', '✓ Met', 'Open run']);
    expect(await determination.current.textContent()).toContain('No determination yet');
    await determination.record('Covered', 'cyber_ctf accuracy 0.41 meets the agreed threshold; Ada’s validated exploit finding agrees.');
    await determination.current.getByText('Covered', { exact: true }).waitFor();
    expect(await s.getByTestId('determination-rationale').textContent()).toBe(
      'cyber_ctf accuracy 0.41 meets the agreed threshold; Ada’s validated exploit finding agrees.',
    );
    expect(await determination.current.textContent()).toContain(`Recorded by ${SAM.name}`);
    await shot(s, 'determination');
    await expectAccessible(s);

    // ── Back on the dashboard: one still awaits a verdict (Ben's), and the decision shows. ──
    await openDashboard(s);
    await orion.getByTestId('dashboard-awaiting').filter({ hasText: /^1$/ }).waitFor();
    expect(await orion.getByRole('link', { name: 'Orion-2 rc3: covered; open the determination' }).textContent()).toBe('covered');
    await dashboard.figure('1 high finding, validated').waitFor();
    await shot(s, 'dashboard-after');
    await s.locator('#main').evaluate((main) => {
      const el = main as unknown as { scrollHeight: number; scrollTo(to: { top: number }): void };
      el.scrollTo({ top: el.scrollHeight });
    });
    await shot(s, 'dashboard-charts');
    await new Sidebar(s).cycleThemeTo('Dark');
    await shot(s, 'dashboard-dark');
    await expectAccessible(s);
    // From the keyboard: a timeline bar is a link like any other.
    await dashboard.figure(/^Orion-2 rc3: day 12 of 30/).focus();
    await s.keyboard.press('Enter');
    await s.getByRole('heading', { level: 1, name: 'Orion-2 rc3' }).waitFor();
    await new Sidebar(s).cycleThemeTo('Light');

    // ── The report, from the engagement page: a PDF (the serve host prints with the machine's Chromium), thresholds left out. ──
    await new Sidebar(s).engagement('Orion-2 rc3').click();
    await new EngagementSections(s).open('Overview');
    expect(await s.getByTestId('determination-summary').textContent()).toContain('Covered');
    await shot(s, 'engagement-overview');
    const report = new ReportDialogPart(s);
    await report.open();
    expect(await report.includeThresholds.isChecked()).toBe(false);
    expect(await report.format('PDF').isChecked()).toBe(true);
    await report.includeThresholds.check();
    await report.dialog.getByText('Thresholds are sensitive').waitFor();
    await shot(s, 'report-thresholds-warning');
    await report.includeThresholds.uncheck();
    await shot(s, 'report-dialog');
    await expectAccessible(s);
    const reportPath = join(people.files, 'report.pdf');
    const reportName = await report.saveTo(reportPath);
    expect(reportName).toMatch(/\.pdf$/);
    await report.dialog.getByRole('heading', { name: /Report saved/ }).waitFor();
    const text = expectMarkingOnEveryPage(reportPath, MARKING);
    expect(pdfPages(reportPath)).toBeGreaterThanOrEqual(2);
    expect(text).toContain(ADA_TITLE);
    expect(text).toMatch(/Status\s+validated/);
    // Thresholds are local and were not asked for: the 0.35 stays on this machine.
    expect(text).not.toContain('0.35');
    await shot(s, 'report-saved');
    expectCleanSession(sam);
  }, 300_000);
});
