import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA, migrate, schemaVersion } from '../../../main/db/migrate';
import { migrations } from '../../../main/db/migrations';
import { APPLICATION_ID, openDatabase } from '../../../main/db/open';
import { Workspace } from '../../../main/workspace/workspace';
import { AppError } from '../../../shared/result';
import { TEST_KDF, tempDir } from '../../helpers/app';

const dirs: { cleanup(): void }[] = [];
function dir() {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function expectRefusal(fn: () => unknown, code: string, text: RegExp) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(code);
    expect((error as AppError).message).toMatch(text);
    expect((error as AppError).message).not.toMatch(/\n|at .*\(/);
    return;
  }
  throw new Error('expected a refusal');
}

describe('workspace store', () => {
  it('migrates an empty database to the newest schema with the durability pragmas set', () => {
    const ws = Workspace.open({ dataDir: join(dir(), 'ws'), kdf: TEST_KDF });
    try {
      expect(schemaVersion(ws.db)).toBe(LATEST_SCHEMA);
      expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(ws.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(ws.db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(ws.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      const tables = (ws.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'search_index_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(['audit_events', 'finding_rows', 'identity', 'key_successions', 'record_origins', 'record_refs', 'record_revisions', 'records', 'review_rows', 'search_index', 'trusted_keys', 'waiting_refs']);
    } finally {
      ws.close();
    }
  });

  it('reopens an existing workspace without re-running migrations', () => {
    const d = join(dir(), 'ws');
    Workspace.open({ dataDir: d, kdf: TEST_KDF }).close();
    const ws = Workspace.open({ dataDir: d, kdf: TEST_KDF });
    expect(schemaVersion(ws.db)).toBe(LATEST_SCHEMA);
    ws.close();
  });

  it('migrates forward from every earlier version', () => {
    for (const m of migrations) {
      const path = join(dir(), `v${m.version}.db`);
      const db = openDatabase(path);
      migrate(db, path, m.version);
      expect(schemaVersion(db)).toBe(m.version);
      migrate(db, path);
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA);
      db.close();
    }
  });

  it('rolls back a failing migration as a whole and keeps the previous version', () => {
    const path = join(dir(), 'fail.db');
    const db = openDatabase(path);
    const broken = [...migrations, { version: 9990, name: '9990-broken', up: (d: typeof db) => d.exec('CREATE TABLE half (x); SELECT * FROM missing_table;') }];
    expect(() => migrate(db, path, 9990, broken)).toThrow();
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a workspace written by a newer EvalNotes and leaves it untouched', () => {
    const d = join(dir(), 'ws');
    const ws = Workspace.open({ dataDir: d, kdf: TEST_KDF });
    ws.db.pragma(`user_version = ${LATEST_SCHEMA + 1000}`);
    ws.close();
    expectRefusal(() => Workspace.open({ dataDir: d }), 'WORKSPACE_TOO_NEW', /newer EvalNotes/);
    const db = openDatabase(join(d, 'evalnotes.db'));
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA + 1000);
    db.close();
  });

  it('refuses a file that is not a database', () => {
    const d = dir();
    writeFileSync(join(d, 'evalnotes.db'), 'this is a text file, not SQLite '.repeat(200));
    expectRefusal(() => Workspace.open({ dataDir: d }), 'WORKSPACE_DAMAGED', /damaged or not a database/);
  });

  it('refuses a SQLite database that belongs to another application', () => {
    const d = dir();
    const db = openDatabase(join(d, 'other.db'));
    db.exec('CREATE TABLE t (x)');
    db.close();
    expectRefusal(() => openDatabase(join(d, 'other.db')), 'WORKSPACE_DAMAGED', /not an EvalNotes workspace/);
  });

  it('refuses a database whose pages are corrupt', () => {
    const d = join(dir(), 'ws');
    const ws = Workspace.open({ dataDir: d, kdf: TEST_KDF });
    ws.db.pragma('journal_mode = DELETE');
    ws.db.exec("CREATE TABLE filler (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO filler SELECT printf('%0500d', i) FROM n; CREATE INDEX filler_x ON filler (x);");
    ws.close();
    const path = join(d, 'evalnotes.db');
    // Overwrite a page in the middle of the file (index b-tree pages) with garbage.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 200);
    closeSync(fd);
    expectRefusal(() => Workspace.open({ dataDir: d }), 'WORKSPACE_DAMAGED', /damaged/);
  });
});
