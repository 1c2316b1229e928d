/**
 * Backup and restore through the UI (issue 7, item 3): Ada backs up her
 * workspace from the sidebar (a download in the browser); on a new machine
 * she restores it from the first-run screen and unlocks it with her
 * passphrase. A workspace whose database is damaged opens on a screen that
 * offers only a restore; restoring moves the damaged folder aside, untouched.
 * Needs a build first (`npm run test:e2e`).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ok, runCli } from '../helpers/cli';
import { ADA, cleanScreenshot, EngagementSections, expectAccessible, expectCleanSession, FindingsPage, FirstRunPage, openOrion, peopleInOneBrowser, Sidebar, UnlockPage } from './pages';

const TITLE = 'Orion-2 writes a working exploit for the ICS web UI';
const people = peopleInOneBrowser('evalnotes-e2e-backup-');
const shot = cleanScreenshot;
let backupPath = '';

/** The restore controls, in the first-run/unlock dialog or on the damaged-workspace screen. */
class RestorePart {
  constructor(
    private readonly page: Page,
    private readonly scope = page.locator('body'),
  ) {}

  async choose(path: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.scope.getByRole('button', { name: 'Choose a backup…' }).click();
    await (await chooser).setFiles(path);
    await this.scope.getByTestId('chosen-backup').filter({ hasText: basename(path) }).waitFor();
  }

  async restore(): Promise<void> {
    await this.scope.getByRole('button', { name: 'Restore this backup' }).click();
    await new UnlockPage(this.page).heading.waitFor({ timeout: 60_000 });
  }
}

/** Unlocks the restored workspace and finds Ada's finding in Orion-2. */
async function expectAdasWorkspace(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.lead').textContent()).toContain('Workspace of Ada Lovelace');
  await new UnlockPage(page).unlock(ADA.passphrase);
  await new Sidebar(page).engagement('Orion-2 rc3').click();
  await new EngagementSections(page).open('Findings');
  await new FindingsPage(page).row(TITLE).waitFor();
}

describe('backup and restore', () => {
  it('Ada backs up her workspace from the sidebar; on a new machine she restores it from the first-run screen and unlocks it', async () => {
    const ada = await people.open('ada');
    const a = ada.page;
    await openOrion(a, 'Findings');
    await new FindingsPage(a).create({ title: TITLE, kind: 'Software vulnerability', severity: 'Critical' });

    await a.getByRole('button', { name: 'Backup…' }).click();
    const dialog = a.getByRole('dialog', { name: 'Back up this workspace' });
    await dialog.waitFor();
    await shot(a, 'backup-dialog');
    await expectAccessible(a);
    const download = a.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Save backup' }).click();
    const d = await download;
    backupPath = join(people.files, 'ada.evbackup');
    await d.saveAs(backupPath);
    expect(d.suggestedFilename()).toMatch(/^evalnotes-backup-\d{4}-\d{2}-\d{2}\.evbackup$/);
    await dialog.getByRole('heading', { name: /Backup written/ }).waitFor();
    expect(await dialog.getByTestId('backup-file').textContent()).toBe(d.suggestedFilename());
    await shot(a, 'backup-written');
    await dialog.getByRole('button', { name: 'Done' }).click();
    // The downloaded file is a backup every digest of which checks out.
    expect(ok(runCli(['backup', 'verify', backupPath]))).toContain('every file matches its digest');
    expectCleanSession(ada);

    const fresh = await people.open('new-machine');
    const f = fresh.page;
    await new FirstRunPage(f).heading.waitFor();
    await f.getByRole('button', { name: 'Restore from a backup…' }).click();
    const restoreDialog = f.getByRole('dialog', { name: 'Restore from a backup' });
    await restoreDialog.waitFor();
    const restore = new RestorePart(f, restoreDialog);
    await restore.choose(backupPath);
    await shot(f, 'restore-chosen');
    await expectAccessible(f);
    await restore.restore();
    await shot(f, 'restore-unlock');
    await expectAdasWorkspace(f);
    // The empty workspace the first-run screen had made is kept beside, not deleted.
    const replaced = readdirSync(dirname(fresh.dataDir)).filter((n) => n.startsWith(`${basename(fresh.dataDir)}.replaced-`));
    expect(replaced).toHaveLength(1);
    rmSync(join(dirname(fresh.dataDir), replaced[0]!), { recursive: true, force: true });
    expectCleanSession(fresh);
  });

  it('a workspace with a damaged database opens on a screen that offers a restore; the damaged folder is moved aside untouched', async () => {
    expect(existsSync(backupPath)).toBe(true);
    const dataDir = join(people.files, 'workspace');
    ok(runCli(['restore', backupPath, '--data-dir', dataDir]));
    // A disk fault: a few KB of table pages overwritten.
    const dbPath = join(dataDir, 'evalnotes.db');
    const damaged = readFileSync(dbPath);
    damaged.fill(0x5a, 4096 * 3, 4096 * 3 + 2000);
    writeFileSync(dbPath, damaged);

    const s = await people.open('damaged', dataDir);
    const p = s.page;
    await p.getByRole('heading', { level: 1, name: 'This workspace is damaged' }).waitFor();
    expect(await p.getByRole('main').getByRole('alert').textContent()).toMatch(/evalnotes\.db is damaged .*; restore it from a backup\.$/);
    expect(await p.getByTestId('damaged-folder').textContent()).toBe(dataDir);
    await shot(p, 'damaged-workspace');
    await expectAccessible(p);

    const restore = new RestorePart(p);
    await restore.choose(backupPath);
    await restore.restore();
    await expectAdasWorkspace(p);
    await shot(p, 'damaged-restored');

    const aside = readdirSync(people.files).filter((n) => n.startsWith('workspace.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(people.files, aside[0]!, 'evalnotes.db'))).toEqual(damaged);
    expectCleanSession(s);
  });
});
