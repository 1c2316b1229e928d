import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRecord, writeRecords } from '../../../main/records/writeRecord';
import type { AnyEvent } from '../../../main/app/eventBus';
import { noteQueries } from '../../../main/services/notes';
import type { Finding } from '../../../shared/domain/finding';
import type { RunWithResults } from '../../../shared/domain/imports';
import type { Note } from '../../../shared/domain/note';
import type { Result } from '../../../shared/result';
import { fixedClock, makeReadyApp, type TestApp } from '../../helpers/app';

let t: TestApp;
let eng: string;
const clock = fixedClock('2026-03-12T09:00:00.000Z');

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}
async function refused(r: Promise<Result<unknown>>): Promise<{ code: string; message: string }> {
  const res = await r;
  if (res.ok) throw new Error('expected a refusal');
  return res.error;
}
const note = (on: { type: string; id: string }, body: string) => ok<Note>(t.app.dispatch('note:create', { on, body }));
const journal = (on?: { type: string; id: string }) => ok<Note[]>(t.app.dispatch('notes:list', { engagement_id: eng, ...(on ? { on } : {}) }));
const db = () => t.app.workspace.db;
const auditActions = (id: string) => (db().prepare('SELECT body FROM audit_events WHERE record_id = ? ORDER BY seq').all(id) as { body: string }[]).map((r) => (JSON.parse(r.body) as { action: string }).action);

beforeEach(async () => {
  clock.set('2026-03-12T09:00:00.000Z');
  t = await makeReadyApp({ clock });
  eng = (await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }))).id;
});
afterEach(async () => t.cleanup());

async function targets() {
  const run = await ok<RunWithResults>(
    t.app.dispatch('run:createManual', { engagement_id: eng, task: 'ctf', model: 'orion-2', status: 'success', results: [{ metric: 'accuracy', value: 0.4 }] }),
  );
  const [sample] = writeRecords(t.app.workspace.writer(), [
    {
      action: 'create',
      type: 'sample',
      refs: [run.run.id],
      fields: {
        run_id: run.run.id,
        task: 'ctf',
        sample_id: '7',
        epoch: 1,
        input: 'in',
        target: 't',
        output: 'out',
        truncated: false,
        scores: {},
        source_sha256: 'c'.repeat(64),
        location: { kind: 'bytes', offset: 0, length: 1 },
        hashes: {},
      },
    },
  ]);
  const finding = await ok<Finding>(t.app.dispatch('finding:create', { engagement_id: eng, title: 'A finding', kind: 'capability', severity: 'high' }));
  return { run: run.run.id, sample: sample!.id, finding: finding.id };
}

describe('notes', () => {
  it('writes a note on an engagement, a run, a sample or a finding, in that engagement’s journal', async () => {
    const ids = await targets();
    const on = [
      { type: 'engagement', id: eng },
      { type: 'run', id: ids.run },
      { type: 'sample', id: ids.sample },
      { type: 'finding', id: ids.finding },
    ];
    const made: Note[] = [];
    for (const [i, target] of on.entries()) {
      clock.set(`2026-03-12T09:0${i}:00.000Z`);
      made.push(await note(target, `Note ${i} on a ${target.type}`));
    }
    for (const [i, n] of made.entries()) {
      expect(n).toMatchObject({ type: 'note', engagement_id: eng, on: on[i], revision: 1, author: t.app.workspace.requireIdentity().key_id });
    }
    expect((await journal()).map((n) => n.id)).toEqual(made.map((n) => n.id));
    expect((await journal({ type: 'sample', id: ids.sample })).map((n) => n.body)).toEqual(['Note 2 on a sample']);
    expect((await ok<{ notes: number }>(t.app.dispatch('finding:get', { id: ids.finding }))).notes).toBe(1);
  });

  it('lists the journal oldest first, whatever order the ids sort in', async () => {
    clock.set('2026-03-14T10:00:00.000Z');
    const later = await note({ type: 'engagement', id: eng }, 'written second (clock says later)');
    clock.set('2026-03-13T10:00:00.000Z');
    const earlier = await note({ type: 'engagement', id: eng }, 'written first (clock says earlier)');
    expect((await journal()).map((n) => n.id)).toEqual([earlier.id, later.id]);
  });

  it('refuses a target that does not exist or is of another type, and writes nothing', async () => {
    const ids = await targets();
    const before = db().prepare("SELECT count(*) FROM records WHERE type = 'note'").pluck().get();
    const missing = await refused(t.app.dispatch('note:create', { on: { type: 'finding', id: '01900000-0000-7000-8000-000000000000' }, body: 'x' }));
    expect(missing).toEqual({ code: 'NOT_FOUND', message: 'There is no finding with id 01900000-0000-7000-8000-000000000000.' });
    expect((await refused(t.app.dispatch('note:create', { on: { type: 'finding', id: ids.run }, body: 'x' }))).code).toBe('NOT_FOUND');
    expect((await refused(t.app.dispatch('note:create', { on: { type: 'threshold', id: ids.run }, body: 'x' }))).code).toBe('INVALID_INPUT');
    await ok(t.app.dispatch('finding:delete', { id: ids.finding }));
    expect((await refused(t.app.dispatch('note:create', { on: { type: 'finding', id: ids.finding }, body: 'x' }))).code).toBe('NOT_FOUND');
    expect(db().prepare("SELECT count(*) FROM records WHERE type = 'note'").pluck().get()).toBe(before);
  });

  it('saves edits as new revisions, refuses a stale base revision, and writes nothing for the same text', async () => {
    const n = await note({ type: 'engagement', id: eng }, 'first');
    const second = await ok<Note>(t.app.dispatch('note:update', { id: n.id, body: 'second', base_revision: 1 }));
    expect(second).toMatchObject({ revision: 2, body: 'second' });
    const stale = await refused(t.app.dispatch('note:update', { id: n.id, body: 'from an old window', base_revision: 1 }));
    expect(stale.code).toBe('CONFLICT');
    const same = await ok<Note>(t.app.dispatch('note:update', { id: n.id, body: 'second', base_revision: 2 }));
    expect(same.revision).toBe(2);
    expect(auditActions(n.id)).toEqual(['create', 'update']);
    expect(db().prepare('SELECT count(*) FROM record_revisions WHERE id = ?').pluck().get(n.id)).toBe(1);
  });

  it('lets only its author edit or delete a note', async () => {
    const other = writeRecord(
      { ...t.app.workspace.writer(), author: 'f'.repeat(64) },
      { action: 'create', type: 'note', fields: { engagement_id: eng, on: { type: 'engagement', id: eng }, body: 'theirs' } },
    );
    const edit = await refused(t.app.dispatch('note:update', { id: other.id, body: 'mine now' }));
    expect(edit.code).toBe('NOT_AUTHOR');
    expect(edit.message).toMatch(/only its author can change it/);
    expect((await refused(t.app.dispatch('note:update', { id: other.id, body: 'theirs' }))).code).toBe('NOT_AUTHOR');
    expect((await refused(t.app.dispatch('note:delete', { id: other.id }))).code).toBe('NOT_AUTHOR');
    expect((await journal()).map((n) => n.body)).toEqual(['theirs']);
  });

  it('deletes as a tombstone: gone from the journal, kept in history and the audit chain', async () => {
    const n = await note({ type: 'engagement', id: eng }, 'to be deleted');
    expect(await ok(t.app.dispatch('note:delete', { id: n.id }))).toEqual({ deleted: true });
    expect(await journal()).toEqual([]);
    expect(db().prepare('SELECT deleted, revision FROM records WHERE id = ?').get(n.id)).toEqual({ deleted: 1, revision: 2 });
    expect(auditActions(n.id)).toEqual(['create', 'delete']);
    expect((await refused(t.app.dispatch('note:update', { id: n.id, body: 'again' }))).code).toBe('NOT_FOUND');
    expect((await ok<{ ok: boolean }>(t.app.dispatch('audit:verify', {}))).ok).toBe(true);
  });

  it('keeps hostile Markdown verbatim: rendering it inert is the renderer’s job', async () => {
    const body = [
      '<script>alert(1)</script>',
      '<img src=x onerror="alert(2)">',
      '[click](javascript:alert(3)) ![remote](https://example.com/x.png)',
      '<iframe srcdoc="<script>alert(4)</script>"></iframe>',
      '  trailing spaces and \ttabs  ',
    ].join('\n');
    const n = await note({ type: 'engagement', id: eng }, body);
    expect(n.body).toBe(body);
    expect((await ok<Note[]>(t.app.dispatch('notes:list', { engagement_id: eng })))[0]!.body).toBe(body);
    // Control characters are refused at the boundary, with nothing written.
    expect((await refused(t.app.dispatch('note:create', { on: { type: 'engagement', id: eng }, body: 'bell \u0007' }))).code).toBe('INVALID_INPUT');
    expect(await journal()).toHaveLength(1);
  });

  it('tells open views that notes changed', async () => {
    const events: AnyEvent[] = [];
    t.app.events.subscribe((e) => events.push(e));
    const n = await note({ type: 'engagement', id: eng }, 'x');
    await ok(t.app.dispatch('note:update', { id: n.id, body: 'y' }));
    await ok(t.app.dispatch('note:delete', { id: n.id }));
    expect(events.filter((e) => e.name === 'records:changed').map((e) => e.payload)).toEqual([{ types: ['note'] }, { types: ['note'] }, { types: ['note'] }]);
  });

  it('reads a journal through the parent index, never by scanning every record', () => {
    for (const [sql, params] of [
      [noteQueries.journal, [eng]],
      [noteQueries.onTarget, [eng, eng, 'engagement']],
    ] as const) {
      const plan = (db().prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
      expect(plan).toMatch(/USING INDEX records_by_parent/);
    }
  });

  it('needs an unlocked workspace', async () => {
    await ok(t.app.dispatch('workspace:lock', {}));
    expect((await refused(t.app.dispatch('notes:list', { engagement_id: eng }))).code).toBe('LOCKED');
    expect((await refused(t.app.dispatch('note:create', { on: { type: 'engagement', id: eng }, body: 'x' }))).code).toBe('LOCKED');
  });
});
