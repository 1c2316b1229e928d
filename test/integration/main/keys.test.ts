import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrustedKey } from '../../../shared/domain/bundle';
import type { Result } from '../../../shared/result';
import { KeyService } from '../../../main/services/keys';
import { makeReadyApp, TEST_PASSPHRASE, type TestApp } from '../../helpers/app';

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(res.error.message);
  return res.value as T;
}
async function refused(r: Promise<Result<unknown>>): Promise<{ code: string; message: string }> {
  const res = await r;
  if (res.ok) throw new Error('expected a refusal');
  return res.error;
}

let t: TestApp;
let other: TestApp;
beforeEach(async () => {
  t = await makeReadyApp();
  other = await makeReadyApp();
});
afterEach(async () => {
  await t.cleanup();
  await other.cleanup();
});

const pemOf = (app: TestApp) => app.app.workspace.requireIdentity().public_key_pem;

describe('keys:show', () => {
  it('shows the own key id, a read-aloud fingerprint and the SPKI public key', async () => {
    const id = await ok<{ key_id: string; fingerprint: string; public_key_pem: string }>(t.app.dispatch('keys:show', {}));
    expect(id.key_id).toMatch(/^[0-9a-f]{64}$/);
    expect(id.fingerprint).toBe(id.key_id.slice(0, 32).match(/.{4}/g)!.join(' '));
    expect(id.public_key_pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
});

describe('the trust store', () => {
  it('trusts a key with a name and role, lists it, and untrusts it keeping its history', async () => {
    t.app.workspace.clock.now = () => new Date('2026-03-05T10:00:00.000Z');
    const trusted = await ok<TrustedKey>(t.app.dispatch('keys:trust', { public_key_pem: pemOf(other), name: '  Grace Hopper ', role: 'supervisor' }));
    expect(trusted).toMatchObject({ key_id: other.app.workspace.requireIdentity().key_id, name: 'Grace Hopper', role: 'supervisor', untrusted_at: null });
    expect(await ok<TrustedKey[]>(t.app.dispatch('keys:list', {}))).toEqual([trusted]);

    const keys = new KeyService(t.app.workspace);
    expect(keys.isUntrusted(trusted.key_id)).toBe(false);
    const untrusted = await ok<TrustedKey>(t.app.dispatch('keys:untrust', { key_id: trusted.key_id }));
    expect(untrusted.untrusted_at).not.toBeNull();
    expect(keys.isUntrusted(trusted.key_id)).toBe(true);
    expect(keys.lookup()(trusted.key_id)).toMatchObject({ status: 'untrusted', name: 'Grace Hopper' });
    // The own key is never "untrusted"; unknown keys are unknown, not untrusted.
    expect(keys.isUntrusted(t.app.workspace.requireIdentity().key_id)).toBe(false);
    expect(keys.lookup()('0'.repeat(64))).toEqual({ status: 'unknown' });

    // Trusting it again is a deliberate act and clears the untrust.
    const again = await ok<TrustedKey>(t.app.dispatch('keys:trust', { public_key_pem: pemOf(other), name: 'Grace Hopper', role: 'evaluator' }));
    expect(again).toMatchObject({ role: 'evaluator', untrusted_at: null });
  });

  it('refuses what is not an Ed25519 public key, and the own key, changing nothing', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const ed = generateKeyPairSync('ed25519');
    const privatePem = ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const cases: [string, RegExp][] = [
      [rsa, /is a rsa key; EvalNotes signs and verifies with Ed25519 keys only/],
      [privatePem, /not a public key/],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /cannot be read/],
      [pemOf(t), /own key, which is always trusted/],
    ];
    for (const [pem, reason] of cases) {
      const error = await refused(t.app.dispatch('keys:trust', { public_key_pem: pem, name: 'X', role: 'evaluator' }));
      expect(error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(error.message).toMatch(reason);
    }
    expect(await ok<TrustedKey[]>(t.app.dispatch('keys:list', {}))).toEqual([]);
    expect(await refused(t.app.dispatch('keys:untrust', { key_id: 'a'.repeat(64) }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('passphrase change', () => {
  it('rewraps the master key only: the old passphrase stops working, the new one unlocks the same key', async () => {
    const db = t.app.workspace.db;
    const before = db.prepare('SELECT key_id, encrypted_signing_key, wrapped_master_key, kdf FROM identity').get() as Record<string, string>;
    const next = 'a different passphrase entirely';
    await ok(t.app.dispatch('keys:changePassphrase', { current: TEST_PASSPHRASE, next }));
    const after = db.prepare('SELECT key_id, encrypted_signing_key, wrapped_master_key, kdf FROM identity').get() as Record<string, string>;
    expect(after.encrypted_signing_key).toBe(before.encrypted_signing_key);
    expect(after.key_id).toBe(before.key_id);
    expect(after.wrapped_master_key).not.toBe(before.wrapped_master_key);

    await ok(t.app.dispatch('workspace:lock', {}));
    expect(await refused(t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }))).toMatchObject({ code: 'BAD_PASSPHRASE' });
    await ok(t.app.dispatch('workspace:unlock', { passphrase: next }));
    expect(t.app.workspace.requireUnlocked().publicKey.export({ format: 'pem', type: 'spki' }).toString()).toBe(pemOf(t));
  });

  it('refuses a wrong current passphrase and changes nothing', async () => {
    const before = t.app.workspace.db.prepare('SELECT wrapped_master_key FROM identity').get();
    expect(await refused(t.app.dispatch('keys:changePassphrase', { current: 'not the passphrase at all', next: 'another passphrase here' }))).toMatchObject({ code: 'BAD_PASSPHRASE' });
    expect(t.app.workspace.db.prepare('SELECT wrapped_master_key FROM identity').get()).toEqual(before);
  });
});
