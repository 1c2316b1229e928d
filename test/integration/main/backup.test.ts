/**
 * Backup and restore below the CLI: a backup of a workspace with records,
 * evidence and an imported log restores into a new folder with the same
 * records, an audit chain that verifies, byte-identical blobs and working
 * search; damaged, foreign and newer backups and non-empty targets are
 * refused with one sentence and nothing written; the app host opens a damaged
 * workspace in a "damaged" state and restores over it, moving the damaged
 * folder aside.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../main/audit/auditChain';
import { openWorkspaceHost, type EvalNotesHost } from '../../../main/app/workspaceHost';
import { backupWorkspace, checkBackupFits } from '../../../main/backup/createBackup';
import { restoreBackup } from '../../../main/backup/restoreBackup';
import { snapshotDatabase } from '../../../main/backup/snapshot';
import { verifyBackup } from '../../../main/backup/verifyBackup';
import { LATEST_SCHEMA } from '../../../main/db/migrate';
import type { Db } from '../../../main/db/open';
import { Workspace } from '../../../main/workspace/workspace';
import type { JobFinished } from '../../../shared/api/jobs';
import { BackupManifest, type BackupSummary, type RestoreSummary } from '../../../shared/domain/backup';
import { AppError, type Result } from '../../../shared/result';
import { browserPlatform, fixedClock, makeReadyApp, TEST_KDF, TEST_PASSPHRASE, tempDir, type TestApp } from '../../helpers/app';
import { fixture } from '../../helpers/fixtures';
import { unzipIndependently, writeZip } from '../../helpers/zipWriter';

const EVIDENCE = 'Screenshot of the ICS console after the exploit chain ran: uid=0(root).\n';
const dir = tempDir('evalnotes-backup-');
let t: TestApp;
let backup: string;
let findingId: string;

async function ok<T>(r: Promise<Result<unknown>>): Promise<T> {
  const res = await r;
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

/** Every file under a folder (but temp areas) with its SHA-256, by relative path. */
function treeDigests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'tmp') walk(p);
      } else out[relative(root, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(root);
  return out;
}

const records = (db: Db) => db.prepare('SELECT * FROM records ORDER BY id, revision').all();

beforeAll(async () => {
  t = await makeReadyApp({ clock: fixedClock('2026-03-12T10:00:00.000Z'), tempRoot: dir.path });
  const eng = await ok<{ id: string }>(t.app.dispatch('engagement:create', { developer: 'Frontier Lab', model: 'Orion-2', model_version: 'rc3', access_start: '2026-03-01' }));
  findingId = (
    await ok<{ id: string }>(
      t.app.dispatch('finding:create', { engagement_id: eng.id, title: 'Exploit chain in the ICS web UI', kind: 'capability', severity: 'high' }),
    )
  ).id;
  await ok(t.app.dispatch('note:create', { on: { type: 'finding', id: findingId }, body: 'Reproduced twice with the **same** payload.' }));
  const evidence = join(dir.path, 'evidence.txt');
  writeFileSync(evidence, EVIDENCE);
  await ok(t.app.dispatch('attachment:add', { engagement_id: eng.id, file: t.app.files.register(evidence, 'read') }));
  const log = fixture('inspect_json/inspect_ai__2024-08-29_popularity_status-success_stub.json');
  const started = await ok<{ job_id: string }>(t.app.dispatch('imports:start', { engagement_id: eng.id, files: [t.app.files.register(log, 'read')] }));
  expect((await t.app.jobs.wait(started.job_id)).status).toBe('succeeded');

  backup = join(dir.path, 'workspace.evbackup');
  await backupWorkspace(t.app.workspace, backup, { appVersion: '0.0.0-test' });
}, 60_000);
afterAll(async () => {
  await t.cleanup();
  dir.cleanup();
});

describe('a backup', () => {
  it('holds the database and every blob, each listed with its size and SHA-256, and verifies', async () => {
    const { members } = await unzipIndependently(backup);
    const manifest = BackupManifest.parse(JSON.parse(members.get('manifest.json')!.toString('utf8')));
    expect(manifest).toMatchObject({ format: 'evalnotes-backup', format_version: 1, schema_version: LATEST_SCHEMA, created_at: '2026-03-12T10:00:00.000Z', database_encrypted: false });
    const blobs = Object.entries(treeDigests(t.app.workspace.blobDir)).map(([rel, sha]) => ({ name: `data/blobs/${rel}`, sha }));
    expect(blobs).toHaveLength(2); // the evidence and the imported log
    expect(manifest.members.map((m) => m.name).sort()).toEqual(['data/evalnotes.db', ...blobs.map((b) => b.name)].sort());
    for (const m of manifest.members) {
      const bytes = members.get(m.name)!;
      expect(bytes.length).toBe(m.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.sha256);
    }
    // Blobs are copied as they are on disk, byte for byte.
    for (const b of blobs) expect(createHash('sha256').update(members.get(b.name)!).digest('hex')).toBe(b.sha);

    await expect(verifyBackup(backup)).resolves.toMatchObject({ members: 3, schema_version: LATEST_SCHEMA, app_version: '0.0.0-test' });
  });

  it('restores into a new folder: the same records, an audit chain that verifies, identical blobs, and search that finds the finding', async () => {
    const target = join(dir.path, 'restored');
    const summary = await restoreBackup(backup, target);
    expect(summary).toMatchObject({ data_dir: target, members: 3, integrity_checked: true, moved_aside: null });
    expect(treeDigests(join(target, 'blobs'))).toEqual(treeDigests(t.app.workspace.blobDir));

    const restored = await makeReadyAppOver(target);
    try {
      const ws = restored.app.workspace;
      expect(records(ws.db)).toEqual(records(t.app.workspace.db));
      const chain = verifyAuditChain(ws.db);
      expect(chain).toMatchObject({ ok: true, head: verifyAuditChain(t.app.workspace.db).head });
      expect(chain.events).toBeGreaterThan(3);
      const found = await ok<{ hits: { id: string }[] }>(restored.app.dispatch('search:query', { text: 'ICS exploit' }));
      expect(found.hits.map((h) => h.id)).toContain(findingId);
      const notes = await ok<{ hits: { type: string }[] }>(restored.app.dispatch('search:query', { text: 'same payload' }));
      expect(notes.hits.map((h) => h.type)).toEqual(['note']);
    } finally {
      await restored.cleanup();
    }
  });

  it('refuses a folder that is not empty, and leaves it as it was', async () => {
    const target = join(dir.path, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'mine');
    await expect(restoreBackup(backup, target)).rejects.toThrow(/occupied is not empty; restore into a new or empty folder/);
    expect(readdirSync(target)).toEqual(['notes.txt']);
    expect(leftovers()).toEqual([]);
  });
});

/** Temp folders a restore left beside its target. */
const leftovers = () => readdirSync(dir.path).filter((n) => n.includes('.restore-') || n.endsWith('.part'));

/** A copy of the backup rebuilt with a change; members stored with correct CRCs, so only the digests can tell. */
async function rebuilt(name: string, change: (members: Map<string, Buffer>) => void): Promise<string> {
  const { members } = await unzipIndependently(backup);
  change(members);
  const out = join(dir.path, name);
  writeFileSync(out, writeZip([...members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, data]) => ({ name: n, data, method: 0 }))));
  return out;
}

const manifestOf = (members: Map<string, Buffer>) => JSON.parse(members.get('manifest.json')!.toString('utf8')) as Record<string, unknown>;

describe('a damaged, foreign or newer backup', () => {
  const refusals: [string, () => string | Promise<string>, RegExp][] = [
    [
      'one byte flipped in a blob',
      () => {
        const bytes = readFileSync(backup);
        const at = bytes.indexOf(Buffer.from('uid=0(root)'));
        expect(at).toBeGreaterThan(0);
        bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
        const out = join(dir.path, 'flipped.evbackup');
        writeFileSync(out, bytes);
        return out;
      },
      /^flipped\.evbackup is damaged: entry "data\/blobs\/[0-9a-f/]+" fails its CRC-32 check\.$/,
    ],
    [
      'truncated',
      () => {
        const out = join(dir.path, 'truncated.evbackup');
        writeFileSync(out, readFileSync(backup).subarray(0, Math.floor(statSync(backup).size * 0.6)));
        return out;
      },
      /^truncated\.evbackup is not a complete ZIP archive/,
    ],
    [
      'a member replaced (same size, valid CRC)',
      () =>
        rebuilt('replaced.evbackup', (m) => {
          const name = [...m.keys()].find((n) => m.get(n)!.toString('utf8') === EVIDENCE)!;
          m.set(name, Buffer.from(EVIDENCE.replace('root', 'user')));
        }),
      /^replaced\.evbackup is damaged: data\/blobs\/[0-9a-f/]+ does not match the SHA-256 its manifest records\.$/,
    ],
    [
      'a member its manifest does not list',
      () => rebuilt('extra.evbackup', (m) => m.set('data/blobs/zz/extra', Buffer.from('smuggled'))),
      /^extra\.evbackup is damaged: it holds "data\/blobs\/zz\/extra", which its manifest does not list\.$/,
    ],
    [
      'a member missing',
      () => rebuilt('missing.evbackup', (m) => m.delete([...m.keys()].find((n) => n.startsWith('data/blobs/'))!)),
      /^missing\.evbackup is damaged: data\/blobs\/[0-9a-f/]+ is listed in its manifest but missing\.$/,
    ],
    [
      'made by a newer EvalNotes (database schema)',
      () => rebuilt('newer.evbackup', (m) => m.set('manifest.json', Buffer.from(JSON.stringify({ ...manifestOf(m), schema_version: LATEST_SCHEMA + 10 })))),
      new RegExp(`^newer\\.evbackup was made by a newer EvalNotes \\(database schema ${LATEST_SCHEMA + 10}; this version knows up to ${LATEST_SCHEMA}\\); update EvalNotes to restore it\\.$`),
    ],
    [
      'made by a newer EvalNotes (backup format)',
      () => rebuilt('format2.evbackup', (m) => m.set('manifest.json', Buffer.from(JSON.stringify({ ...manifestOf(m), format_version: 2 })))),
      /^format2\.evbackup was made by a newer EvalNotes \(backup format 2; this version reads 1\)/,
    ],
    [
      'a ZIP that is not a backup',
      () => {
        const out = join(dir.path, 'photos.zip');
        writeFileSync(out, writeZip([{ name: 'cat.jpg', data: 'meow' }]));
        return out;
      },
      /^photos\.zip is not an EvalNotes backup \(it has no manifest\.json\)\.$/,
    ],
    [
      'not a ZIP at all',
      () => {
        const out = join(dir.path, 'notes.txt');
        writeFileSync(out, 'just some notes\n');
        return out;
      },
      /^notes\.txt is not a complete ZIP archive/,
    ],
  ];

  it.each(refusals)('%s: restore and verify refuse it in one sentence and write nothing', async (_what, make, message) => {
    const file = await make();
    const target = join(dir.path, 'never');
    const before = readdirSync(dir.path).sort();
    const restored = restoreBackup(file, target);
    await expect(restored).rejects.toBeInstanceOf(AppError);
    await expect(restored).rejects.toThrow(message);
    await expect(verifyBackup(file)).rejects.toThrow(message);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir.path).sort()).toEqual(before);
  });

  it('a database that fails its integrity check is refused although every digest matches', async () => {
    const file = await rebuilt('corrupt-db.evbackup', (m) => {
      const db = Buffer.from(m.get('data/evalnotes.db')!);
      // Scribble over the middle of the file: pages of tables and indexes, past the header.
      db.fill(0x5a, 4096 * 3, 4096 * 3 + 2000);
      m.set('data/evalnotes.db', db);
      const manifest = manifestOf(m) as { members: { name: string; size: number; sha256: string }[] };
      for (const member of manifest.members) if (member.name === 'data/evalnotes.db') member.sha256 = createHash('sha256').update(db).digest('hex');
      m.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
    });
    await expect(verifyBackup(file)).resolves.toMatchObject({ members: 3 });
    const target = join(dir.path, 'never');
    await expect(restoreBackup(file, target)).rejects.toThrow(/^corrupt-db\.evbackup is damaged: its database does not pass SQLite’s integrity check\.$/);
    expect(existsSync(target)).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});

describe('the limits of a ZIP without ZIP64', () => {
  it('refuses, before writing, a workspace over 4 GiB or 65,534 files', () => {
    expect(() => checkBackupFits([{ name: 'data/evalnotes.db', size: 5 * 1024 ** 3 }], '/ws')).toThrow(
      'The workspace in /ws holds 5.0 GiB; a backup holds at most 4 GiB (a ZIP without ZIP64), so copy the folder while EvalNotes is closed instead.',
    );
    const many = Array.from({ length: 65_534 }, (_, i) => ({ name: `data/blobs/${i}`, size: 1 }));
    expect(() => checkBackupFits(many, '/ws')).toThrow(/holds 65534 files; a backup holds at most 65533/);
    expect(() => checkBackupFits(many.slice(0, 65_533), '/ws')).not.toThrow();
  });
});

describe('an encrypted database', () => {
  it('is copied still encrypted, never written out in clear', async () => {
    const path = join(dir.path, 'encrypted.db');
    const db = new Database(path);
    db.pragma("cipher='sqlcipher'");
    db.pragma("key='a key for this test'");
    db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('MARKER-never-in-clear-41')");
    const dest = join(dir.path, 'encrypted-copy.db');
    await expect(snapshotDatabase(db, dest)).resolves.toEqual({ encrypted: true });
    db.close();
    expect(readFileSync(dest).includes('MARKER-never-in-clear')).toBe(false);
    const copy = new Database(dest);
    copy.pragma("cipher='sqlcipher'");
    copy.pragma("key='a key for this test'");
    expect(copy.prepare('SELECT x FROM t').pluck().get()).toBe('MARKER-never-in-clear-41');
    copy.close();
  });
});

/** A test app over an existing folder, unlocked with the test passphrase. */
async function makeReadyAppOver(dataDir: string): Promise<{ app: TestApp['app']; cleanup(): Promise<void> }> {
  const { createApp } = await import('../../../main/app/createApp');
  const app = createApp({ dataDir, platform: browserPlatform, appVersion: '0.0.0-test', kdf: TEST_KDF, validateOutput: true, watchIntervalMs: 0, tempRoot: dir.path });
  await ok(app.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
  return { app, cleanup: () => app.close() };
}

describe('the app host', () => {
  const hostOver = (dataDir: string) =>
    openWorkspaceHost({
      dataDir,
      platform: browserPlatform,
      appVersion: '0.0.0-test',
      kdf: TEST_KDF,
      validateOutput: true,
      watchIntervalMs: 0,
      tempRoot: dir.path,
      clock: fixedClock('2026-03-13T09:30:00.000Z'),
    });
  const finished = (host: EvalNotesHost, jobId: string) =>
    new Promise<JobFinished>((resolve) => {
      const off = host.events.subscribe((e) => {
        if (e.name === 'job:finished' && e.payload.job_id === jobId) {
          off();
          resolve(e.payload);
        }
      });
    });
  const restoreWith = async (host: EvalNotesHost) => {
    const { job_id } = await ok<{ job_id: string }>(host.dispatch('backup:restore', { file: host.files.register(backup, 'read') }));
    return finished(host, job_id);
  };

  it('opens a damaged workspace in the damaged state, offers only a restore, and restores over it with the damaged folder moved aside', async () => {
    const ws = join(dir.path, 'damaged-ws');
    mkdirSync(ws);
    const garbage = Buffer.from('this was a database until the disk failed\n'.repeat(200));
    writeFileSync(join(ws, 'evalnotes.db'), garbage);
    const host = hostOver(ws);
    try {
      const status = await ok<{ state: string; problem: string }>(host.dispatch('workspace:status', {}));
      expect(status).toMatchObject({ state: 'damaged', problem: expect.stringMatching(/damaged-ws.evalnotes\.db .*; restore it from a backup\.$/) as unknown });
      expect(await host.dispatch('engagements:list', {})).toMatchObject({ ok: false, error: { code: 'WORKSPACE_DAMAGED' } });

      const done = await restoreWith(host);
      expect(done.status).toBe('succeeded');
      const summary = done.result as RestoreSummary;
      expect(summary.moved_aside).toBe(`${ws}.damaged-20260313T093000Z`);
      // The damaged folder is kept as it was, never deleted.
      expect(readFileSync(join(summary.moved_aside!, 'evalnotes.db'))).toEqual(garbage);

      expect(await ok(host.dispatch('workspace:status', {}))).toMatchObject({ state: 'locked', identity: { name: 'Ada Lovelace' } });
      await ok(host.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
      const found = await ok<{ hits: { id: string }[] }>(host.dispatch('search:query', { text: 'ICS' }));
      expect(found.hits.map((h) => h.id)).toEqual([findingId]);
    } finally {
      await host.close();
    }
  });

  it('restores over a locked workspace only when locked, and keeps the one it replaces', async () => {
    const ws = join(dir.path, 'other-ws');
    const host = hostOver(ws);
    try {
      await ok(host.dispatch('workspace:create', { name: 'Grace Hopper', org: 'Oversight', role: 'supervisor', passphrase: 'another long passphrase' }));
      const refused = await host.dispatch('backup:restore', { file: host.files.register(backup, 'read') });
      expect(refused).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Lock the workspace before restoring a backup over it.' } });

      await ok(host.dispatch('workspace:lock', {}));
      const done = await restoreWith(host);
      expect(done.status).toBe('succeeded');
      expect((done.result as RestoreSummary).moved_aside).toBe(`${ws}.replaced-20260313T093000Z`);
      expect(await ok(host.dispatch('workspace:status', {}))).toMatchObject({ state: 'locked', identity: { name: 'Ada Lovelace' } });
      const kept = Workspace.open({ dataDir: `${ws}.replaced-20260313T093000Z` });
      expect(kept.identity()?.name).toBe('Grace Hopper');
      kept.close();
    } finally {
      await host.close();
    }
  });

  it('a damaged backup leaves the workspace as it was and open', async () => {
    const ws = join(dir.path, 'third-ws');
    const host = hostOver(ws);
    try {
      const bad = join(dir.path, 'flipped-for-host.evbackup');
      const bytes = readFileSync(backup);
      const at = bytes.indexOf(Buffer.from('uid=0(root)'));
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
      writeFileSync(bad, bytes);
      const { job_id } = await ok<{ job_id: string }>(host.dispatch('backup:restore', { file: host.files.register(bad, 'read') }));
      const done = await finished(host, job_id);
      expect(done).toMatchObject({ status: 'failed', error: { code: 'INVALID_INPUT', message: expect.stringMatching(/fails its CRC-32 check\.$/) as unknown } });
      expect(await ok(host.dispatch('workspace:status', {}))).toMatchObject({ state: 'uninitialized' });
      expect(readdirSync(dir.path).filter((n) => n.startsWith('third-ws'))).toEqual(['third-ws']);
    } finally {
      await host.close();
    }
  });

  it('backs up through the API as a job whose result is a one-time download of a backup that verifies', async () => {
    const host = hostOver(t.dataDir);
    // The test app holds the same workspace open: the backup API copes with a second connection.
    try {
      await ok(host.dispatch('workspace:unlock', { passphrase: TEST_PASSPHRASE }));
      const { job_id } = await ok<{ job_id: string }>(host.dispatch('backup:create', { to: null }));
      const done = await finished(host, job_id);
      expect(done.status).toBe('succeeded');
      const summary = done.result as BackupSummary;
      expect(summary).toMatchObject({ file: 'evalnotes-backup-2026-03-13.evbackup', members: 3, download_url: expect.stringMatching(/^\/files\/[A-Za-z0-9_-]+$/) as unknown });
      const { path } = host.files.resolve(summary.download_url!.slice('/files/'.length), 'read');
      await expect(verifyBackup(path)).resolves.toMatchObject({ members: 3, bytes: expect.any(Number) as unknown });
    } finally {
      await host.close();
    }
  });
});
