import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkHash, sha256Hex, verifyAuditChain } from '../../../main/audit/auditChain';
import { recordRevisions } from '../../../main/records/readRecords';
import { writeRecord } from '../../../main/records/writeRecord';
import { EngagementService } from '../../../main/services/engagements';
import { Workspace } from '../../../main/workspace/workspace';
import { canonicalJson } from '../../../shared/canonical';
import { AppError } from '../../../shared/result';
import { TEST_KDF, TEST_PASSPHRASE, fixedClock, tempDir } from '../../helpers/app';

const input = {
  developer: 'Frontier Lab',
  model: 'Orion-2',
  model_version: 'rc3',
  access_start: '2026-03-01',
  window_days: 30,
  partners: [],
  handling: { tlp: 'AMBER' as const },
  status: 'active' as const,
};

let dir: ReturnType<typeof tempDir>;
let ws: Workspace;
let engagements: EngagementService;
const clock = fixedClock('2026-03-12T10:00:00.000Z');

beforeEach(async () => {
  dir = tempDir();
  ws = Workspace.open({ dataDir: dir.path, kdf: TEST_KDF, clock });
  await ws.create({ name: 'Ada', org: 'AISI', role: 'evaluator', passphrase: TEST_PASSPHRASE });
  engagements = new EngagementService(ws);
});
afterEach(() => {
  ws.close();
  dir.cleanup();
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  return 'none';
}

describe('the single record-write function', () => {
  it('sets author, revision and timestamps, and keeps every revision', () => {
    const created = engagements.create(input);
    expect(created).toMatchObject({ type: 'engagement', author: ws.requireIdentity().key_id, revision: 1, deleted: false, window_days: 30, status: 'active' });
    expect(created.created_at).toBe('2026-03-12T10:00:00.000Z');
    clock.set('2026-03-13T09:00:00.000Z');
    const edited = engagements.update(created.id, { model_version: 'rc4' });
    expect(edited).toMatchObject({ revision: 2, model_version: 'rc4', created_at: created.created_at, updated_at: '2026-03-13T09:00:00.000Z' });
    expect(recordRevisions(ws.db, 'engagement', created.id).map((r) => r.model_version)).toEqual(['rc3', 'rc4']);
  });

  it('stores the canonical JSON and its SHA-256, as bundles will carry them', () => {
    const e = engagements.create(input);
    const row = ws.db.prepare('SELECT body, hash FROM records WHERE id = ?').get(e.id) as { body: string; hash: string };
    expect(row.body).toBe(canonicalJson(e));
    expect(row.hash).toBe(sha256Hex(row.body));
  });

  it('clears an optional field with null and never stores null', () => {
    const e = engagements.create({ ...input, release_date: '2026-04-30' });
    const edited = engagements.update(e.id, { release_date: null });
    expect(edited.release_date).toBeUndefined();
    expect((ws.db.prepare('SELECT body FROM records WHERE id = ?').get(e.id) as { body: string }).body).not.toContain('release_date');
  });

  it('deletes with a tombstone revision that keeps the history', () => {
    const e = engagements.create(input);
    const tomb = writeRecord(ws.writer(), { action: 'delete', type: 'engagement', id: e.id });
    expect(tomb).toMatchObject({ revision: 2, deleted: true });
    expect(engagements.list()).toEqual([]);
    expect(code(() => engagements.get(e.id))).toBe('NOT_FOUND');
    expect(code(() => engagements.update(e.id, { model: 'x' }))).toBe('NOT_FOUND');
    expect(verifyAuditChain(ws.db).ok).toBe(true);
  });

  it('refuses edits by anyone but the author, and stale edits', () => {
    const e = engagements.create(input);
    expect(code(() => writeRecord({ ...ws.writer(), author: 'f'.repeat(64) }, { action: 'update', type: 'engagement', id: e.id, fields: { model: 'Other' } }))).toBe('NOT_AUTHOR');
    engagements.update(e.id, { model: 'Orion-2b' });
    expect(code(() => engagements.update(e.id, { model: 'Orion-2c' }, 1))).toBe('CONFLICT');
    expect(engagements.get(e.id).model).toBe('Orion-2b');
  });

  it('writes nothing when the result would be invalid', () => {
    const e = engagements.create(input);
    const events = verifyAuditChain(ws.db).events;
    expect(code(() => engagements.update(e.id, { release_date: '2026-01-01' }))).toBe('INVALID_INPUT');
    expect(engagements.get(e.id).revision).toBe(1);
    expect(verifyAuditChain(ws.db).events).toBe(events);
  });

  it('never lets a revision timestamp go backwards when the clock does', () => {
    const e = engagements.create(input);
    clock.set('2026-03-01T00:00:00.000Z');
    const edited = engagements.update(e.id, { model: 'Orion-2b' });
    expect(edited.updated_at > e.updated_at).toBe(true);
    clock.set('2026-03-12T10:00:00.000Z');
  });
});

describe('the audit chain', () => {
  function seed() {
    const a = engagements.create(input);
    engagements.update(a.id, { model_version: 'rc4' });
    const b = engagements.create({ ...input, model: 'Vega' });
    engagements.close(b.id);
    return { a, b };
  }

  it('links every write, salted, and verifies', () => {
    seed();
    const report = verifyAuditChain(ws.db);
    expect(report).toMatchObject({ ok: true, events: 4, problem: null });
    const rows = ws.db.prepare('SELECT body, body_hash, chain_hash FROM audit_events ORDER BY seq').all() as { body: string; body_hash: string; chain_hash: string }[];
    let prev: string | null = null;
    for (const row of rows) {
      expect(JSON.parse(row.body)).toMatchObject({ salt: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown });
      prev = linkHash(prev, sha256Hex(row.body));
      expect(row.chain_hash).toBe(prev);
    }
    expect(report.head).toBe(prev);
    expect(new Set(rows.map((r) => (JSON.parse(r.body) as { salt: string }).salt)).size).toBe(4);
  });

  it('catches an edited event', () => {
    seed();
    const body = (ws.db.prepare('SELECT body FROM audit_events WHERE seq = 2').get() as { body: string }).body;
    ws.db.prepare('UPDATE audit_events SET body = ? WHERE seq = 2').run(body.replace('"update"', '"delete"'));
    expect(verifyAuditChain(ws.db)).toMatchObject({ ok: false, problem: { seq: 2, message: expect.stringMatching(/Event 2 was altered/) as unknown } });
  });

  it('catches an edited event whose hashes were recomputed', () => {
    seed();
    const body = (ws.db.prepare('SELECT body FROM audit_events WHERE seq = 2').get() as { body: string }).body.replace('"update"', '"delete"');
    ws.db.prepare('UPDATE audit_events SET body = ?, body_hash = ? WHERE seq = 2').run(body, sha256Hex(body));
    expect(verifyAuditChain(ws.db).problem).toMatchObject({ seq: 2, message: expect.stringMatching(/does not follow/) as unknown });
  });

  it('catches a deleted event', () => {
    seed();
    ws.db.prepare('DELETE FROM audit_events WHERE seq = 3').run();
    expect(verifyAuditChain(ws.db).problem).toMatchObject({ seq: 4, message: expect.stringMatching(/Event 3 is missing/) as unknown });
  });

  it('catches deletion of the newest event through the record it covered', () => {
    seed();
    ws.db.prepare('DELETE FROM audit_events WHERE seq = 4').run();
    expect(verifyAuditChain(ws.db).problem?.message).toMatch(/does not match its last audit event/);
  });

  it('catches reordered events', () => {
    seed();
    ws.db.exec('UPDATE audit_events SET seq = -2 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = -2;');
    expect(verifyAuditChain(ws.db)).toMatchObject({ ok: false, problem: { seq: 2, message: expect.stringMatching(/reordered/) as unknown } });
  });

  it('catches a record changed behind the write function', () => {
    const { a } = seed();
    ws.db.prepare("UPDATE records SET body = replace(body, 'rc4', 'rc9'), hash = 'x' WHERE id = ?").run(a.id);
    expect(verifyAuditChain(ws.db).problem?.message).toMatch(/changed outside EvalNotes/);
  });
});

describe('identity', () => {
  it('unlocks with the passphrase and refuses a wrong one', async () => {
    ws.lock();
    expect(code(() => ws.requireUnlocked())).toBe('LOCKED');
    await expect(ws.unlock('not the passphrase at all')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await ws.unlock(TEST_PASSPHRASE);
    expect(ws.unlocked).toBe(true);
  });

  it('derives the key id from the raw public key and stores the public key as SPKI PEM', async () => {
    const { createHash, createPublicKey } = await import('node:crypto');
    const id = ws.requireIdentity();
    expect(id.public_key_pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const raw = createPublicKey(id.public_key_pem).export({ format: 'der', type: 'spki' }).subarray(-32);
    expect(id.key_id).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(id.fingerprint).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  });

  it('keeps the private key encrypted at rest and signs with it once unlocked', async () => {
    const { sign, verify } = await import('node:crypto');
    const row = ws.db.prepare('SELECT * FROM identity').get() as Record<string, string>;
    expect(JSON.stringify(row)).not.toMatch(/PRIVATE KEY/);
    expect(JSON.parse(row.kdf ?? '{}')).toMatchObject({ alg: 'scrypt', N: TEST_KDF.N });
    const keys = ws.requireUnlocked();
    const sig = sign(null, Buffer.from('hello'), keys.signingKey);
    expect(verify(null, Buffer.from('hello'), ws.requireIdentity().public_key_pem, sig)).toBe(true);
  });

  it('changing the passphrase rewraps the master key only', async () => {
    const before = ws.db.prepare('SELECT encrypted_signing_key, wrapped_master_key FROM identity').get() as Record<string, string>;
    await ws.changePassphrase(TEST_PASSPHRASE, 'a brand new passphrase');
    const after = ws.db.prepare('SELECT encrypted_signing_key, wrapped_master_key FROM identity').get() as Record<string, string>;
    expect(after.encrypted_signing_key).toBe(before.encrypted_signing_key);
    expect(after.wrapped_master_key).not.toBe(before.wrapped_master_key);
    ws.lock();
    await expect(ws.unlock(TEST_PASSPHRASE)).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    await ws.unlock('a brand new passphrase');
    await expect(ws.changePassphrase('wrong passphrase here', 'x'.repeat(12))).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
  });

  it('refuses a second identity', async () => {
    await expect(ws.create({ name: 'Eve', org: 'X', role: 'supervisor', passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'ALREADY_INITIALIZED' });
  });
});

describe('real scrypt cost', () => {
  it('protects a real workspace with scrypt at N = 2^17 or more', async () => {
    const d = tempDir();
    const real = Workspace.open({ dataDir: d.path });
    try {
      await real.create({ name: 'Ada', org: 'AISI', role: 'evaluator', passphrase: TEST_PASSPHRASE });
      const kdf = JSON.parse((real.db.prepare('SELECT kdf FROM identity').get() as { kdf: string }).kdf) as { N: number; r: number };
      expect(kdf.N).toBeGreaterThanOrEqual(2 ** 17);
      real.lock();
      await real.unlock(TEST_PASSPHRASE);
    } finally {
      real.close();
      d.cleanup();
    }
  });
});
