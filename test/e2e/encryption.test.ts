/**
 * Encryption at rest through the UI (issue 7, item 6): Ada made her workspace
 * encrypted on the command line; `evalnotes serve` starts on the unlock screen,
 * her passphrase opens it, and her finding is there, while nothing of it is
 * readable in the workspace folder. Needs a build first (`npm run test:e2e`).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ok, runCli } from '../helpers/cli';
import { ADA, cleanScreenshot, EngagementFormPage, EngagementPage, EngagementSections, expectAccessible, expectCleanSession, FindingsPage, FirstRunPage, ORION, peopleInOneBrowser, Sidebar, UnlockPage } from './pages';

const TITLE = 'Orion-2 talks past its refusal filter';
const people = peopleInOneBrowser('evalnotes-e2e-encryption-');

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('an encrypted workspace in the browser', () => {
  it('opens on the unlock screen; Ada’s passphrase opens it and her finding is there, unreadable on disk', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'evalnotes-e2e-encrypted-'));
    const cli = (args: string[]) => ok(runCli(['--data-dir', dataDir, ...args, '--json'], { env: { EVALNOTES_PASSPHRASE: ADA.passphrase } }));
    cli(['init', '--name', ADA.name, '--org', ADA.org, '--role', ADA.role, '--encrypt']);
    const engagement = (JSON.parse(cli(['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01'])) as { id: string }).id;
    cli(['finding', 'add', '--engagement', engagement, '--title', TITLE, '--kind', 'safeguard-bypass', '--severity', 'high']);

    const ada = await people.open('ada', dataDir);
    const page = ada.page;
    const unlock = new UnlockPage(page);
    await unlock.heading.waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.lead').textContent()).toContain('Workspace of Ada Lovelace');
    await expectAccessible(page);
    await cleanScreenshot(page, 'encrypted-unlock');

    await unlock.unlock('not my passphrase at all');
    await unlock.error.filter({ hasText: 'That passphrase is not correct.' }).waitFor({ timeout: 30_000 });
    await unlock.unlock(ADA.passphrase);
    await new Sidebar(page).engagement('Orion-2 rc3').click();
    await new EngagementSections(page).open('Findings');
    await new FindingsPage(page).row(TITLE).waitFor();
    await cleanScreenshot(page, 'encrypted-findings');
    expectCleanSession(ada);

    // While the serve host has it open (its WAL included), no file holds the finding's title.
    expect(allFiles(dataDir).filter((f) => readFileSync(f).includes(TITLE))).toEqual([]);
  });

  it('on the first-run screen, "Encrypt this workspace" makes it encrypted from the first byte', async () => {
    const ada = await people.open('ada-first-run');
    const page = ada.page;
    const firstRun = new FirstRunPage(page);
    await firstRun.heading.waitFor({ timeout: 60_000 });
    expect(await firstRun.encrypt.isChecked()).toBe(false);
    await firstRun.encrypt.check();
    await cleanScreenshot(page, 'first-run-encrypt');
    await firstRun.createIdentity(ADA, { encrypt: true });
    await page.getByRole('heading', { name: 'Your identity is ready' }).waitFor({ timeout: 30_000 });
    await firstRun.continue();
    await page.keyboard.press('Control+n');
    await page.getByRole('heading', { name: 'New engagement' }).waitFor();
    await new EngagementFormPage(page).fill(ORION);
    await page.keyboard.press('Control+s');
    await new EngagementPage(page).heading('Orion-2 rc3').waitFor();

    // The folder holds the key file and sealed bytes: the engagement's words are in no file, though the host has it open.
    expect(readdirSync(ada.dataDir)).toContain('workspace-key.json');
    expect(allFiles(ada.dataDir).filter((f) => readFileSync(f).includes(ORION.developer))).toEqual([]);
    // And it locks: the unlock screen, then her passphrase, brings her back.
    await cleanScreenshot(page, 'first-run-encrypted-engagement');
    await new Sidebar(page).lock();
    const unlock = new UnlockPage(page);
    await unlock.heading.waitFor();
    await unlock.unlock(ADA.passphrase);
    await new Sidebar(page).engagement('Orion-2 rc3').waitFor({ timeout: 30_000 });
    expectCleanSession(ada);
  });

  it('locks itself when Ada leaves it alone, and her passphrase opens it again where she was', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'evalnotes-e2e-idle-'));
    const cli = (args: string[]) => ok(runCli(['--data-dir', dataDir, ...args, '--json'], { env: { EVALNOTES_PASSPHRASE: ADA.passphrase } }));
    cli(['init', '--name', ADA.name, '--org', ADA.org, '--role', ADA.role, '--encrypt']);
    const engagement = (JSON.parse(cli(['engagement', 'add', '--developer', 'Frontier Lab', '--model', 'Orion-2', '--model-version', 'rc3', '--access-start', '2026-03-01'])) as { id: string }).id;
    cli(['finding', 'add', '--engagement', engagement, '--title', TITLE, '--kind', 'safeguard-bypass', '--severity', 'high']);

    // Three seconds without use instead of fifteen minutes.
    const ada = await people.open('ada-idle', dataDir, ['--lock-after', '0.05']);
    const page = ada.page;
    const unlock = new UnlockPage(page);
    await unlock.heading.waitFor({ timeout: 60_000 });
    await unlock.unlock(ADA.passphrase);
    await new Sidebar(page).engagement('Orion-2 rc3').click();
    await new EngagementSections(page).open('Findings');
    const findings = new FindingsPage(page);
    await findings.row(TITLE).waitFor();

    // The open page keeps asking nothing of its own accord, so the lock comes, and the window shows it at once.
    await unlock.heading.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'locked' }).textContent()).toBe('EvalNotes locked this workspace after 3 seconds without use.');
    await expect(findings.row(TITLE).count()).resolves.toBe(0);
    await cleanScreenshot(page, 'encrypted-idle-locked');

    await unlock.unlock(ADA.passphrase);
    await findings.row(TITLE).waitFor({ timeout: 30_000 });
    expectCleanSession(ada);
  });
});
