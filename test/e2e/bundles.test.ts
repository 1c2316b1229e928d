/**
 * Signed bundles through the UI (issue 5): Ada, an evaluator, writes and
 * submits a finding and exports a bundle of it from her workspace; Sam, a
 * supervisor with a workspace of his own (a second serve host), trusts Ada's
 * public key on the Keys screen, verifies the bundle, starts an ingest and
 * cancels it (nothing arrives), ingests it, and finds Ada's finding marked as
 * hers and read-only; untrusting her key flags it. A bundle with one byte
 * changed is shown invalid and cannot be ingested. Needs a build first
 * (`npm run test:e2e`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ADA,
  BundlesScreen,
  cleanScreenshot,
  EngagementSections,
  expectAccessible,
  expectCleanSession,
  ExportBundleDialog,
  FindingDetailPage,
  FindingsPage,
  FirstRunPage,
  KeysScreen,
  listEngagementsWithCli,
  openOrion,
  openWorkspaceScreen,
  peopleInOneBrowser,
  SAM,
  Sidebar,
  ThresholdsPage,
  UnlockPage,
} from './pages';

const TITLE = 'Orion-2 chains two bugs in an ICS web UI to run commands';
const MARKING = 'TLP:AMBER+STRICT — OFFICIAL-SENSITIVE — EVALUATION TEAM ONLY';

const people = peopleInOneBrowser('evalnotes-e2e-bundles-');

const shot = cleanScreenshot;

/** The same bundle with one byte changed inside the finding's record (a flipped letter of its title). */
function tamperedCopy(path: string): string {
  const bytes = Buffer.from(readFileSync(path));
  const at = bytes.indexOf(Buffer.from('ICS web UI'));
  if (at < 0) throw new Error('the finding title is not in the bundle');
  bytes[at] = 'J'.charCodeAt(0);
  const out = join(people.files, 'tampered.evb');
  writeFileSync(out, bytes);
  return out;
}

describe('signed bundles between two workspaces', () => {
  it('Ada exports a bundle of her submitted finding; Sam trusts her key, verifies, cancels one ingest, ingests, and sees her finding as hers and read-only', async () => {
    // ── Ada, evaluator: an engagement and a submitted finding. ──
    const ada = await people.open('ada');
    const a = ada.page;
    await openOrion(a, 'Findings');
    await new FindingsPage(a).create({ title: TITLE, kind: 'Software vulnerability', severity: 'Critical' });
    const finding = new FindingDetailPage(a);
    await finding.statusButton('Submit for review').click();
    await finding.statusBadge.filter({ hasText: 'Submitted' }).waitFor();
    // A local threshold: sensitive, so it stays out of the bundle unless she says otherwise.
    await new EngagementSections(a).open('Thresholds');
    const thresholds = new ThresholdsPage(a);
    await thresholds.add({ task: 'cyber_ctf', scorer: 'match', metric: 'accuracy', comparison: '>=', value: '0.35' });
    await thresholds.table.getByRole('cell', { name: 'cyber_ctf', exact: true }).waitFor();

    // Her public key, from the Keys screen, for Sam.
    await openWorkspaceScreen(a, 'Keys');
    const adaKeys = new KeysScreen(a);
    const adaFingerprint = (await adaKeys.ownFingerprint.textContent()) ?? '';
    expect(adaFingerprint).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    const pubPath = join(people.files, 'ada.pub');
    const pubName = await adaKeys.exportPublicKey(pubPath);
    expect(pubName).toMatch(/^ada-lovelace-[0-9a-f]{8}\.pub$/);
    expect(readFileSync(pubPath, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    await shot(a, 'bundles-keys-own');
    await expectAccessible(a);

    // The export dialog, from the findings view: marking, counts, thresholds NOT included.
    await new Sidebar(a).engagement('Orion-2 rc3').click();
    await new EngagementSections(a).open('Findings');
    const exportDialog = new ExportBundleDialog(a);
    await exportDialog.open();
    await exportDialog.counts.waitFor();
    expect(await exportDialog.marking.textContent()).toBe(MARKING);
    expect(await exportDialog.thresholdsLine.textContent()).toBe('Thresholds are not included.');
    expect(await exportDialog.counts.getByRole('listitem').allTextContents()).toEqual(['1 engagement', '1 finding']);
    // Only her submitted findings.
    await exportDialog.dialog.getByRole('radio', { name: /^Only the findings I select/ }).check();
    await exportDialog.dialog.getByRole('button', { name: 'Select the submitted (1)' }).click();
    await exportDialog.dialog.getByRole('status').filter({ hasText: '1 finding selected' }).waitFor();
    await exportDialog.counts.waitFor();
    await shot(a, 'bundles-export-preview');
    await expectAccessible(a);
    // Ticking "Include thresholds" warns before anything leaves; unticked again, they stay.
    await exportDialog.dialog.getByRole('checkbox', { name: 'Include thresholds' }).check();
    await exportDialog.dialog.getByText('Thresholds are sensitive').waitFor();
    await exportDialog.thresholdsLine.filter({ hasText: '⚠ Thresholds are included (1 threshold): they leave this machine with the bundle.' }).waitFor();
    expect(await exportDialog.counts.getByRole('listitem').allTextContents()).toEqual(['1 engagement', '1 finding', '1 threshold']);
    await shot(a, 'bundles-export-thresholds-warning');
    await exportDialog.dialog.getByRole('checkbox', { name: 'Include thresholds' }).uncheck();
    await exportDialog.thresholdsLine.filter({ hasText: 'Thresholds are not included.' }).waitFor();

    const bundlePath = join(people.files, 'ada.evb');
    const bundleName = await exportDialog.exportTo(bundlePath);
    expect(bundleName).toMatch(/^orion-2-rc3_ada-lovelace_\d{4}-\d{2}-\d{2}_[0-9a-f]{8}\.evb$/);
    const bundleId = (await exportDialog.dialog.getByTestId('bundle-id').textContent()) ?? '';
    expect(bundleId).toMatch(/^[0-9a-f]{64}$/);
    expect(bundleName).toContain(bundleId.slice(0, 8));
    expect(await exportDialog.dialog.getByTestId('bundle-file').textContent()).toBe(bundleName);
    expect(await exportDialog.marking.textContent()).toBe(MARKING);
    expect(await exportDialog.dialog.getByTestId('result-thresholds-line').textContent()).toBe('Thresholds are not included.');
    expect(readFileSync(bundlePath).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    await shot(a, 'bundles-export-done');
    await exportDialog.dialog.getByRole('button', { name: 'Done' }).click();
    await exportDialog.dialog.waitFor({ state: 'hidden' });
    expectCleanSession(ada);

    // ── Sam, supervisor, on another machine: trusts Ada's key after checking its fingerprint. ──
    const sam = await people.open('sam');
    const s = sam.page;
    await new FirstRunPage(s).completeWith(SAM);
    await openWorkspaceScreen(s, 'Keys');
    const samKeys = new KeysScreen(s);
    await samKeys.chooseKeyToTrust(pubPath);
    expect(await samKeys.trustDialog.getByTestId('trust-fingerprint').textContent()).toBe(adaFingerprint);
    await samKeys.trustDialog.getByLabel('Whose key').fill('Ada Lovelace');
    await shot(s, 'bundles-keys-trust-dialog');
    await expectAccessible(s);
    await samKeys.completeTrust('Ada Lovelace', 'Evaluator');
    await samKeys.row('Ada Lovelace').waitFor();
    expect(await samKeys.row('Ada Lovelace').getByRole('cell').first().textContent()).toBe('evaluator');
    await shot(s, 'bundles-keys-trusted');

    // A copy with one byte changed: invalid, with its reason, and no way to ingest it.
    await openWorkspaceScreen(s, 'Bundles');
    const bundles = new BundlesScreen(s);
    await bundles.choose(tamperedCopy(bundlePath));
    await bundles.waitForStatus('Verified: the bundle is NOT valid.');
    expect(await bundles.verdict.getByRole('heading').textContent()).toContain('Not valid');
    expect(await s.getByTestId('verdict-reason').textContent()).toMatch(/\S.*\.$/);
    await s.getByText('This bundle cannot be ingested.').waitFor();
    expect(await bundles.ingestButton.count()).toBe(0);
    await shot(s, 'bundles-verify-invalid');
    await bundles.done();

    // The real bundle: valid, signed by Ada.
    await bundles.choose(bundlePath);
    await bundles.waitForStatus('Verified: the bundle is valid.');
    expect(await bundles.verdict.getByRole('heading').textContent()).toBe('✓ Valid: signed by Ada Lovelace (evaluator)');
    expect(await s.getByTestId('signer').textContent()).toBe(`Ada Lovelace · ${ADA.org}`);
    expect(await s.getByRole('note', { name: 'Marking of this bundle' }).textContent()).toBe(MARKING);
    expect(await s.getByRole('list', { name: 'Records in the bundle' }).getByRole('listitem').allTextContents()).toEqual(['1 engagement', '1 finding']);
    await s.getByText(bundleId).waitFor();
    await shot(s, 'bundles-verify-valid');
    await expectAccessible(s);

    // An ingest started and cancelled while the bundle is on its way: nothing arrives.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let continued: Promise<void> = Promise.resolve();
    await s.route('**/files?name=*', (route) => (continued = held.then(() => route.continue())));
    await bundles.ingestButton.click();
    await bundles.waitForStatus('Sending the bundle to EvalNotes…');
    await s.getByRole('progressbar', { name: 'Ingesting ada.evb' }).waitFor();
    await shot(s, 'bundles-ingest-progress');
    await s.getByRole('button', { name: 'Cancel' }).click();
    await bundles.waitForStatus('Ingest cancelled; nothing was ingested.');
    release();
    await continued;
    await s.unroute('**/files?name=*');
    expect(listEngagementsWithCli(sam.dataDir)).toEqual([]);

    // Ingest again, to the end: Ada's engagement and finding arrive.
    await bundles.ingestButton.click();
    await bundles.waitForStatus('Ingest finished.');
    const merged = s.getByRole('table', { name: 'Records merged by type' });
    expect(await merged.getByRole('row', { name: /^Findings/ }).getByRole('cell').allTextContents()).toEqual(['1', '0', '0']);
    expect(await s.getByRole('list', { name: 'Bundles merged' }).textContent()).toContain('Ada Lovelace');
    expect(listEngagementsWithCli(sam.dataDir)).toHaveLength(1);
    await shot(s, 'bundles-ingest-done');
    await expectAccessible(s);

    // Ada's finding in Sam's findings list: hers, and read-only when opened.
    await new Sidebar(s).engagement('Orion-2 rc3').click();
    await new EngagementSections(s).open('Findings');
    const samFindings = new FindingsPage(s);
    await samFindings.row(TITLE).waitFor();
    expect(await samFindings.row(TITLE).getByTestId('finding-row-author').textContent()).toBe('Ada Lovelace (evaluator)');
    await shot(s, 'bundles-supervisor-findings');
    await samFindings.row(TITLE).getByRole('link', { name: TITLE }).click();
    await s.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    expect(await s.getByTestId('read-only-notice').textContent()).toContain('Read-only: Ada Lovelace (evaluator) wrote this finding');
    expect(await s.getByRole('group', { name: 'Change status' }).count()).toBe(0);
    expect(await s.getByRole('form', { name: 'Finding details' }).count()).toBe(0);
    expect(await s.getByTestId('finding-author').textContent()).toBe('Ada Lovelace (evaluator)');
    await shot(s, 'bundles-supervisor-finding-read-only');

    // Sam untrusts Ada's key: the confirmation says what follows, and her finding is flagged from then on.
    await openWorkspaceScreen(s, 'Keys');
    await samKeys.row('Ada Lovelace').getByRole('button', { name: 'Untrust Ada Lovelace' }).click();
    const confirm = s.getByRole('dialog', { name: 'Untrust Ada Lovelace?' });
    expect(await confirm.textContent()).toContain('refused from now on');
    await shot(s, 'bundles-keys-untrust-confirm');
    await confirm.getByRole('button', { name: 'Untrust key' }).click();
    await samKeys.row('Ada Lovelace').getByRole('button', { name: 'Trust again' }).waitFor();
    await new Sidebar(s).engagement('Orion-2 rc3').click();
    await new EngagementSections(s).open('Findings');
    await samFindings.row(TITLE).getByRole('link', { name: TITLE }).click();
    await s.getByTestId('read-only-notice').filter({ hasText: 'signed by a key no longer trusted' }).waitFor();
    await shot(s, 'bundles-supervisor-finding-untrusted');

    // …and her bundle is refused now.
    await openWorkspaceScreen(s, 'Bundles');
    await bundles.done();
    await bundles.choose(bundlePath);
    await bundles.waitForStatus('Verified: the bundle is NOT valid.');
    expect(await bundles.ingestButton.count()).toBe(0);

    // The Bundles screen in the dark theme.
    await new Sidebar(s).cycleThemeTo('Dark');
    await shot(s, 'bundles-verify-invalid-dark');
    await openWorkspaceScreen(s, 'Keys');
    await shot(s, 'bundles-keys-dark');

    // Sam changes his passphrase: a wrong current one is refused, the right one works, and the fields are emptied each time.
    const NEW_PASSPHRASE = 'a different supervisor passphrase';
    const form = s.getByRole('form', { name: 'Change passphrase' });
    await form.getByLabel('Current passphrase').fill('not my passphrase at all');
    await form.getByLabel('New passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    await form.getByLabel('Repeat the new passphrase').fill(NEW_PASSPHRASE);
    await form.getByRole('button', { name: 'Change passphrase' }).click();
    await form.getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await form.getByLabel('Current passphrase').inputValue()).toBe('');
    await form.getByLabel('Current passphrase').fill(SAM.passphrase);
    await form.getByLabel('New passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    await form.getByLabel('Repeat the new passphrase').fill(NEW_PASSPHRASE);
    await form.getByRole('button', { name: 'Change passphrase' }).click();
    await s.getByText('Passphrase changed.', { exact: false }).waitFor({ timeout: 30_000 });
    for (const label of ['Current passphrase', 'Repeat the new passphrase']) expect(await form.getByLabel(label).inputValue()).toBe('');
    await new Sidebar(s).lock();
    const unlock = new UnlockPage(s);
    await unlock.unlock(SAM.passphrase);
    await unlock.error.waitFor({ timeout: 30_000 });
    await unlock.unlock(NEW_PASSPHRASE);
    await new Sidebar(s).engagement('Orion-2 rc3').waitFor({ timeout: 30_000 });
    expectCleanSession(sam);
  });
});
