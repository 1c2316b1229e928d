/**
 * Key rotation through the UI (issue 7): Ada writes a finding, rotates her key
 * on the Keys screen (a wrong passphrase first, which changes nothing), sees
 * the new key and her former one, and keeps editing the finding she wrote
 * under the old key. Needs a build first (`npm run test:e2e`).
 */
import { describe, expect, it } from 'vitest';
import { cleanScreenshot, expectAccessible, expectCleanSession, FindingDetailPage, FindingsPage, KeysScreen, openOrion, openWorkspaceScreen, peopleInOneBrowser, ADA } from './pages';

const people = peopleInOneBrowser('evalnotes-e2e-rotation-');
const short = (keyId: string) => (keyId.slice(0, 16).match(/.{4}/g) ?? []).join(' ');

describe('rotating the signing key on the Keys screen', () => {
  it('Ada rotates her key and keeps editing the finding she wrote under the old one', async () => {
    const ada = await people.open('ada');
    const a = ada.page;
    await openOrion(a, 'Findings');
    await new FindingsPage(a).create({ title: 'Orion-2 plans a multi-stage intrusion', kind: 'Capability', severity: 'High' });
    const findingRoute = new URL(a.url()).hash;

    await openWorkspaceScreen(a, 'Keys');
    const keys = new KeysScreen(a);
    const ownKeyId = a.getByTestId('own-key-id');
    const oldKeyId = ((await ownKeyId.textContent()) ?? '').trim();
    expect(oldKeyId).toMatch(/^[0-9a-f]{64}$/);

    await a.getByRole('button', { name: 'Rotate key…' }).click();
    const dialog = a.getByRole('dialog', { name: 'Rotate your signing key' });
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toContain(`Your current key (${short(oldKeyId)}) signs a statement naming the new one`);
    await cleanScreenshot(a, 'keys-rotate-dialog');
    await expectAccessible(a);

    // A wrong passphrase: one sentence, and the key stays.
    await dialog.getByLabel('Passphrase').fill('not the passphrase at all');
    await dialog.getByRole('button', { name: 'Rotate key', exact: true }).click();
    await dialog.getByRole('alert').filter({ hasText: 'That passphrase is not correct.' }).waitFor();
    expect(await dialog.getByLabel('Passphrase').inputValue()).toBe('');
    expect(((await ownKeyId.textContent()) ?? '').trim()).toBe(oldKeyId);

    await dialog.getByLabel('Passphrase').fill(ADA.passphrase);
    await dialog.getByRole('button', { name: 'Rotate key', exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    await expect.poll(async () => ((await ownKeyId.textContent()) ?? '').trim()).not.toBe(oldKeyId);
    const newKeyId = ((await ownKeyId.textContent()) ?? '').trim();
    expect(newKeyId).toMatch(/^[0-9a-f]{64}$/);
    expect(await a.getByTestId('own-former-keys').textContent()).toContain(short(oldKeyId));
    // The old key stays in the trust store under her name, marked as hers and as rotated to the new one.
    expect(await keys.row('Ada Lovelace').getByTestId('key-lineage').textContent()).toBe(`your former key; rotated to ${short(newKeyId)}`);
    await a.getByRole('status').filter({ hasText: `Your new signing key is ${short(newKeyId)}.` }).first().waitFor();
    await cleanScreenshot(a, 'keys-rotated');
    await expectAccessible(a);

    // Her finding from before the rotation is still hers to edit.
    await a.evaluate((route) => ((globalThis as unknown as { location: { hash: string } }).location.hash = route), findingRoute);
    const finding = new FindingDetailPage(a);
    await finding.details.waitFor();
    expect(await a.getByTestId('read-only-notice').count()).toBe(0);
    await finding.details.getByLabel('Title').fill('Orion-2 plans and runs a multi-stage intrusion');
    await finding.saveDetails();
    await a.getByRole('heading', { level: 1, name: 'Orion-2 plans and runs a multi-stage intrusion' }).waitFor();
    await cleanScreenshot(a, 'keys-rotated-finding-edited');
    expectCleanSession(ada);
  });
});
