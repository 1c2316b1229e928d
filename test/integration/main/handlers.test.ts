import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/result';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../../../main/platform/platform';
import { TEST_PASSPHRASE, browserPlatform, makeReadyApp, makeTestApp, tempDir, type TestApp } from '../../helpers/app';

const good = {
  developer: 'Frontier Lab',
  model: 'Orion-2',
  model_version: 'rc3',
  access_start: '2026-03-01',
  window_days: 30,
  release_date: '2026-04-15',
  partners: ['Partner Org'],
  handling: { tlp: 'AMBER+STRICT', banner: 'OFFICIAL-SENSITIVE' },
  status: 'active',
  weights_digest: 'a'.repeat(64),
};

let t: TestApp;
afterEach(async () => t.cleanup());

function expectError(r: Result<unknown>, code: string, message?: RegExp) {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.code).toBe(code);
  if (message) expect(r.error.message).toMatch(message);
  expect(r.error.message).not.toMatch(/\n| {4}at /);
}

describe('workspace lifecycle through the handlers', () => {
  beforeEach(() => {
    t = makeTestApp();
  });

  it('goes from uninitialized to unlocked, locked and unlocked again', async () => {
    expect(await t.app.dispatch('workspace:status', {})).toMatchObject({ ok: true, value: { state: 'uninitialized', identity: null } });
    const created = await t.app.dispatch('workspace:create', { name: 'Ada', org: 'AISI', role: 'evaluator', passphrase: TEST_PASSPHRASE });
    expect(created).toMatchObject({ ok: true, value: { state: 'unlocked', identity: { name: 'Ada', role: 'evaluator' } } });
    expect(await t.app.dispatch('workspace:lock', {})).toMatchObject({ ok: true, value: { state: 'locked' } });
    expectError(await t.app.dispatch('engagements:list', {}), 'LOCKED', /locked/);
    expectError(await t.app.dispatch('workspace:unlock', { passphrase: 'wrong wrong wrong' }), 'BAD_PASSPHRASE', /not correct/);
    expect(await t.app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE })).toMatchObject({ ok: true, value: { state: 'unlocked' } });
  });

  it('refuses data calls before an identity exists', async () => {
    expectError(await t.app.dispatch('engagement:create', good), 'NOT_INITIALIZED');
  });

  it('refuses a short passphrase and an unknown role', async () => {
    expectError(await t.app.dispatch('workspace:create', { name: 'Ada', org: 'AISI', role: 'evaluator', passphrase: 'short' }), 'INVALID_INPUT', /passphrase: must be at least 12 characters/);
    expectError(await t.app.dispatch('workspace:create', { name: 'Ada', org: 'AISI', role: 'admin', passphrase: TEST_PASSPHRASE }), 'INVALID_INPUT', /^role:/);
    expect(await t.app.dispatch('workspace:status', {})).toMatchObject({ ok: true, value: { state: 'uninitialized' } });
  });
});

describe('engagements through the handlers', () => {
  beforeEach(async () => {
    t = await makeReadyApp();
  });

  it('creates, lists, gets, edits and closes an engagement', async () => {
    const created = await t.app.dispatch('engagement:create', good);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const e = created.value as { id: string; revision: number };
    expect(await t.app.dispatch('engagement:get', { id: e.id })).toMatchObject({ ok: true, value: { model: 'Orion-2', partners: ['Partner Org'] } });
    expect(await t.app.dispatch('engagement:update', { id: e.id, base_revision: 1, changes: { window_days: 90 } })).toMatchObject({ ok: true, value: { window_days: 90, revision: 2 } });
    expect(await t.app.dispatch('engagement:close', { id: e.id })).toMatchObject({ ok: true, value: { status: 'closed', revision: 3 } });
    expect(await t.app.dispatch('engagements:list', { include_closed: false })).toEqual({ ok: true, value: [] });
    expect(await t.app.dispatch('engagements:list', {})).toMatchObject({ ok: true, value: [{ id: e.id }] });
    expect(await t.app.dispatch('audit:verify', {})).toMatchObject({ ok: true, value: { ok: true, events: 3 } });
  });

  it('applies the defaults a person expects: 30 days, TLP:AMBER, active', async () => {
    const r = await t.app.dispatch('engagement:create', { developer: 'Lab', model: 'M', model_version: 'v1', access_start: '2026-03-01' });
    expect(r).toMatchObject({ ok: true, value: { window_days: 30, handling: { tlp: 'AMBER' }, status: 'active', partners: [] } });
  });

  // Malformed input of every field type: one clear sentence naming the field, nothing written.
  it.each([
    ['a missing required text', { ...good, developer: undefined }, /^developer:/],
    ['an empty text', { ...good, model: '   ' }, /^model: must not be empty/],
    ['a text that is too long', { ...good, model_version: 'x'.repeat(201) }, /^model_version: must be at most 200 characters/],
    ['a text with a line break', { ...good, developer: 'Lab\nX' }, /^developer: must be one line/],
    ['a number where text belongs', { ...good, model: 42 }, /^model: expected string/],
    ['a date in the wrong format', { ...good, access_start: '01/03/2026' }, /^access_start: must be a calendar date written YYYY-MM-DD/],
    ['an impossible date', { ...good, access_start: '2026-02-30' }, /^access_start: must be a calendar date/],
    ['a fractional window', { ...good, window_days: 2.5 }, /^window_days:/],
    ['a zero window', { ...good, window_days: 0 }, /^window_days: must be at least 1 day/],
    ['a window as text', { ...good, window_days: '30' }, /^window_days: expected number/],
    ['NaN as the window', { ...good, window_days: Number.NaN }, /^window_days:/],
    ['an unknown TLP', { ...good, handling: { tlp: 'PURPLE' } }, /^handling.tlp:/],
    ['an unknown status', { ...good, status: 'archived' }, /^status:/],
    ['partners that are not a list', { ...good, partners: 'Partner Org' }, /^partners: expected array/],
    ['an empty partner', { ...good, partners: [''] }, /^partners.0: must not be empty/],
    ['a malformed digest', { ...good, weights_digest: 'abc' }, /^weights_digest: must be a lowercase hex SHA-256/],
    ['a release before the start', { ...good, release_date: '2026-02-01' }, /^release_date: must not be before access_start/],
    ['an unknown field', { ...good, admin: true }, /Unrecognized key/],
    ['a server-set field', { ...good, author: 'f'.repeat(64) }, /Unrecognized key/],
    ['not an object at all', 'engagement', /expected object/],
  ])('refuses %s', async (_case, input, message) => {
    expectError(await t.app.dispatch('engagement:create', input), 'INVALID_INPUT', message);
    expect(await t.app.dispatch('engagements:list', {})).toEqual({ ok: true, value: [] });
  });

  it('refuses an id that is not a record id, and an unknown one', async () => {
    expectError(await t.app.dispatch('engagement:get', { id: '../../etc/passwd' }), 'INVALID_INPUT', /^id: must be a UUIDv7/);
    expectError(await t.app.dispatch('engagement:get', { id: '0190d0c4-7c4e-7000-8000-000000000000' }), 'NOT_FOUND', /no engagement/);
  });

  it('refuses calls that are not in the contract', async () => {
    expectError(await t.app.dispatch('engagement:drop', {}), 'UNKNOWN_CALL');
    expectError(await t.app.dispatch('__proto__', {}), 'UNKNOWN_CALL');
    expectError(await t.app.dispatch({ toString: () => 'x' }, {}), 'UNKNOWN_CALL');
  });

  it('refuses desktop-only dialogs in the browser with a sentence', async () => {
    expectError(await t.app.dispatch('dialog:openFiles', { title: 'Pick', filters: [], multiple: false }), 'UNSUPPORTED', /desktop app/);
    expectError(await t.app.dispatch('files:dropped', { path: '/etc/hostname' }), 'UNSUPPORTED', /desktop app/);
  });
});

describe('files dropped on the desktop window', () => {
  it('turns the path the preload read into a ref, and refuses what is not a file', async () => {
    const desktop: Platform = { ...browserPlatform, transport: 'desktop' };
    t = await makeReadyApp({ platform: desktop });
    const dir = tempDir();
    try {
      const path = join(dir.path, 'results_2026.json');
      writeFileSync(path, '{"results": {}}');
      const dropped = await t.app.dispatch('files:dropped', { path });
      expect(dropped).toMatchObject({ ok: true, value: { name: 'results_2026.json' } });
      if (dropped.ok) expect(t.app.files.resolve((dropped.value as { ref: string }).ref, 'read')).toMatchObject({ path });
      expectError(await t.app.dispatch('files:dropped', { path: dir.path }), 'INVALID_INPUT', /not a readable file/);
      expectError(await t.app.dispatch('files:dropped', { path: 'relative/results.json' }), 'INVALID_INPUT', /not a readable file/);
      expectError(await t.app.dispatch('files:dropped', { path: join(dir.path, 'gone.json') }), 'INVALID_INPUT', /not a readable file/);
    } finally {
      dir.cleanup();
    }
  });
});
