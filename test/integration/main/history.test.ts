import { afterEach, beforeEach, expect, it } from 'vitest';
import { writeRecord } from '../../../main/records/writeRecord';
import type { Finding } from '../../../shared/domain/finding';
import type { RecordHistory } from '../../../shared/domain/history';
import { fixedClock, makeReadyApp, type TestApp } from '../../helpers/app';

let t: TestApp;
const clock = fixedClock('2026-03-12T10:00:00.000Z');

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await t.app.dispatch(name, input);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

beforeEach(async () => {
  clock.set('2026-03-12T10:00:00.000Z');
  t = await makeReadyApp({ clock });
});
afterEach(async () => t.cleanup());

it('shows every revision of a finding: who, what, when, which fields and status changes, and the delete', async () => {
  const me = t.app.workspace.requireIdentity().key_id;
  const e = await call<{ id: string }>('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' });
  const f = await call<Finding>('finding:create', { engagement_id: e.id, title: 'Bypass', kind: 'safeguard-bypass', severity: 'high' });
  clock.set('2026-03-12T11:00:00.000Z');
  await call('finding:update', { id: f.id, changes: { title: 'Role-play bypass', severity: 'critical', description: 'Steps' } });
  clock.set('2026-03-12T12:00:00.000Z');
  await call('finding:setStatus', { id: f.id, status: 'submitted' });
  clock.set('2026-03-12T13:00:00.000Z');
  await call('finding:update', { id: f.id, changes: { cvss_vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', tags: ['jailbreak'] } });
  clock.set('2026-03-12T14:00:00.000Z');
  await call('finding:delete', { id: f.id });

  const history = await call<RecordHistory>('record:history', { id: f.id });
  expect(history.id).toBe(f.id);
  expect(history.type).toBe('finding');
  expect(history.entries.map(({ seq: _seq, ...rest }) => rest)).toEqual([
    { at: '2026-03-12T10:00:00.000Z', actor: me, actor_name: 'Ada Lovelace', action: 'create', revision: 1, changed: [], status_change: null, via_bundle: false },
    { at: '2026-03-12T11:00:00.000Z', actor: me, actor_name: 'Ada Lovelace', action: 'update', revision: 2, changed: ['description', 'severity', 'title'], status_change: null, via_bundle: false },
    { at: '2026-03-12T12:00:00.000Z', actor: me, actor_name: 'Ada Lovelace', action: 'update', revision: 3, changed: ['status'], status_change: { from: 'draft', to: 'submitted' }, via_bundle: false },
    { at: '2026-03-12T13:00:00.000Z', actor: me, actor_name: 'Ada Lovelace', action: 'update', revision: 4, changed: ['cvss', 'tags'], status_change: null, via_bundle: false },
    { at: '2026-03-12T14:00:00.000Z', actor: me, actor_name: 'Ada Lovelace', action: 'delete', revision: 5, changed: [], status_change: null, via_bundle: false },
  ]);
  const seqs = history.entries.map((h) => h.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(new Set(seqs).size).toBe(5);
});

it('shows an engagement’s history, closing included', async () => {
  const e = await call<{ id: string }>('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' });
  await call('engagement:update', { id: e.id, changes: { window_days: 90 } });
  await call('engagement:close', { id: e.id });
  const history = await call<RecordHistory>('record:history', { id: e.id });
  expect(history.type).toBe('engagement');
  expect(history.entries.map((h) => [h.action, h.revision, h.changed, h.status_change])).toEqual([
    ['create', 1, [], null],
    ['update', 2, ['window_days'], null],
    ['update', 3, ['status'], { from: 'active', to: 'closed' }],
  ]);
});

it('names only this workspace’s own key; other writers show by key id alone', async () => {
  const other = 'f'.repeat(64);
  const e = writeRecord(
    { ...t.app.workspace.writer(), author: other },
    { action: 'create', type: 'engagement', fields: { developer: 'Lab', model: 'M', model_version: 'v', access_start: '2026-03-01', window_days: 30, partners: [], handling: { tlp: 'AMBER' }, status: 'active' } },
  );
  const history = await call<RecordHistory>('record:history', { id: e.id });
  expect(history.entries).toEqual([expect.objectContaining({ actor: other, actor_name: null, action: 'create' })]);
});

it('refuses a record that does not exist, and needs an unlocked workspace', async () => {
  expect(await t.app.dispatch('record:history', { id: '01960000-0000-7000-8000-000000000000' })).toEqual({
    ok: false,
    error: { code: 'NOT_FOUND', message: 'There is no record with id 01960000-0000-7000-8000-000000000000.' },
  });
  await call('workspace:lock', {});
  expect(await t.app.dispatch('record:history', { id: '01960000-0000-7000-8000-000000000000' })).toMatchObject({ ok: false, error: { code: 'LOCKED' } });
});
