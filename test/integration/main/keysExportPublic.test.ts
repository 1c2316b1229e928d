/**
 * keys:exportPublic: the Keys screen's "Export public key". The file it writes
 * (desktop) or offers (browser) is what a colleague trusts, so the test trusts
 * it in a second workspace and checks the key id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../../main/platform/platform';
import type { TrustedKey } from '../../../shared/domain/bundle';
import { publicKeyFileName } from '../../../shared/domain/identity';
import type { Result } from '../../../shared/result';
import { makeReadyApp, TEST_PASSPHRASE, tempDir, type TestApp } from '../../helpers/app';
import { startHarness } from '../serve/harness';

const desktopPlatform: Platform = {
  transport: 'desktop',
  openFiles: () => Promise.resolve([]),
  saveFile: () => Promise.resolve(null),
};

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(res.error.message);
  return res.value as T;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ready(platform?: Platform): Promise<TestApp> {
  const t = await makeReadyApp(platform ? { platform } : {});
  cleanups.push(() => t.cleanup());
  return t;
}

describe('keys:exportPublic', () => {
  it('desktop: writes the SPKI PEM to the picked file, which another workspace trusts as this key', async () => {
    const ada = await ready(desktopPlatform);
    const dir = tempDir('evalnotes-pub-');
    cleanups.push(() => dir.cleanup());
    const target = join(dir.path, 'ada.pub');
    const to = ada.app.files.register(target, 'write');

    expect(await ok(ada.app.dispatch('keys:exportPublic', { to }))).toEqual({ saved: true, file_name: 'ada.pub', download_url: null });
    const identity = ada.app.workspace.requireIdentity();
    expect(readFileSync(target, 'utf8')).toBe(identity.public_key_pem);
    // Written under a temp name and renamed: nothing else is left in the folder.
    expect(readdirSync(dir.path)).toEqual(['ada.pub']);

    const sam = await ready();
    const trusted = await ok<TrustedKey>(sam.app.dispatch('keys:trust', { public_key_pem: readFileSync(target, 'utf8'), name: 'Ada', role: 'evaluator' }));
    expect(trusted.key_id).toBe(identity.key_id);

    // The ref was for one save; without one the desktop says what to do.
    const again = await ada.app.dispatch('keys:exportPublic', { to: null });
    expect(again.ok ? null : again.error.code).toBe('INVALID_INPUT');
  });

  it('browser: a one-time download named after its owner and key, behind the serve host’s cookie', async () => {
    const h = await startHarness();
    cleanups.push(() => h.close());
    await ok(h.app.dispatch('workspace:create', { name: 'Ada Lovelace', org: 'Institute', role: 'evaluator', passphrase: TEST_PASSPHRASE }));
    const identity = h.app.workspace.requireIdentity();

    const out = await ok<{ saved: boolean; file_name: string; download_url: string }>(h.app.dispatch('keys:exportPublic', { to: null }));
    expect(out.saved).toBe(false);
    expect(out.file_name).toBe(`ada-lovelace-${identity.key_id.slice(0, 8)}.pub`);
    expect(out.file_name).toBe(publicKeyFileName(identity));
    expect(out.download_url).toMatch(/^\/files\/[A-Za-z0-9_-]{22,64}$/);

    expect((await h.send({ path: out.download_url })).status).toBe(401);
    const cookie = await h.login();
    const got = await h.send({ path: out.download_url, headers: { cookie } });
    expect(got.status).toBe(200);
    expect(got.body.toString('utf8')).toBe(identity.public_key_pem);
    expect(got.headers['content-disposition']).toContain(`filename="${out.file_name}"`);
    expect((await h.send({ path: out.download_url, headers: { cookie } })).status).toBe(404);
  });
});

describe('publicKeyFileName', () => {
  it('says whose key it is in plain letters and which key by its id', () => {
    const key_id = 'ab12cd34'.padEnd(64, '0');
    expect(publicKeyFileName({ name: 'Ada Lovelace', key_id })).toBe('ada-lovelace-ab12cd34.pub');
    expect(publicKeyFileName({ name: 'Zoë O’Neil / Team 2', key_id })).toBe('zoe-o-neil-team-2-ab12cd34.pub');
    expect(publicKeyFileName({ name: '山田', key_id })).toBe('evalnotes-key-ab12cd34.pub');
  });
});
