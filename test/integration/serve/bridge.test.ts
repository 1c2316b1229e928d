import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { TEST_PASSPHRASE } from '../../helpers/app';
import { startHarness, type Harness } from './harness';
import { createHttpBridge, downloadUrl, LOST_CONNECTION, uploadFile, type FetchLike } from '../../../renderer/lib/httpBridge';


/**
 * The browser transport end to end, minus the browser: node's fetch stands in,
 * adding what Chromium adds by itself (our Origin, the session cookie).
 */
function browserLikeFetch(h: Harness, cookie: string | null): FetchLike {
  return (input, init) => {
    const headers = new Headers(init.headers);
    headers.set('origin', h.host.origin);
    if (cookie !== null) headers.set('cookie', cookie);
    return fetch(new URL(input, h.host.origin), { ...init, headers });
  };
}

let h: Harness;
let cookie: string;

beforeAll(async () => {
  h = await startHarness();
  cookie = await h.login();
});
afterAll(() => h.close());

describe('createHttpBridge against the real serve host', () => {
  it('says it is the browser transport and carries calls both ways', async () => {
    const bridge = createHttpBridge(browserLikeFetch(h, cookie), undefined);
    expect(bridge.transport).toBe('browser');
    const before = await bridge.calls['workspace:status']({});
    expect(before).toMatchObject({ ok: true, value: { state: 'uninitialized', transport: 'browser' } });
    const created = await bridge.calls['workspace:create']({ name: 'Grace Hopper', org: 'Evaluation Institute', role: 'supervisor', passphrase: TEST_PASSPHRASE });
    expect(created).toMatchObject({ ok: true, value: { state: 'unlocked', identity: { name: 'Grace Hopper', role: 'supervisor' } } });
  });

  it('passes the app\'s refusals through as envelopes', async () => {
    const bridge = createHttpBridge(browserLikeFetch(h, cookie), undefined);
    const missing = await bridge.calls['engagement:get']({ id: '0190e2c4-0000-7000-8000-000000000000' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const invalid = await bridge.calls['engagement:get']({ id: 'not an id' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('turns a refusal by the host into an envelope with its sentence', async () => {
    const bridge = createHttpBridge(browserLikeFetch(h, null), undefined);
    const result = await bridge.calls['workspace:status']({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('FORBIDDEN');
    expect(result.error.message).toMatch(/^Open EvalNotes with the link the serve host printed/);
  });

  it('reports a lost connection in one sentence', async () => {
    const gone = await startHarness();
    const goneCookie = await gone.login();
    const bridge = createHttpBridge(browserLikeFetch(gone, goneCookie), undefined);
    await gone.close();
    expect(await bridge.calls['workspace:status']({})).toEqual({ ok: false, error: { code: 'INTERNAL', message: LOST_CONNECTION } });
  });

  it('uploads a file and downloads the same bytes from its ref', async () => {
    const bytes = randomBytes(100_000);
    const ref = await uploadFile(new File([bytes], 'run log.eval'), browserLikeFetch(h, cookie));
    expect(ref).toMatchObject({ name: 'run log.eval', size: bytes.length });
    expect(downloadUrl(ref)).toBe(`/files/${ref.ref}`);
    const response = await browserLikeFetch(h, cookie)(downloadUrl(ref), { method: 'GET' });
    const body = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('throws an AppError with the host\'s sentence when an upload is refused', async () => {
    const upload = uploadFile(new File(['x'], 'a.txt'), browserLikeFetch(h, null));
    await expect(upload).rejects.toBeInstanceOf(AppError);
    await expect(upload).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
