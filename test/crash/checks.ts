import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../main/app/createApp';
import { verifyAuditChain } from '../../main/audit/auditChain';
import { browserPlatform, TEST_KDF } from '../helpers/app';
import { readJournal } from './journal';
import type { CrashSetup } from './setup';

const SHA_NAME = /^[0-9a-f]{62}$/;
const SHA_DIR = /^[0-9a-f]{2}$/;

/** Blobs never change once named, so a blob already hashed is hashed again only if its file did change. */
export type CheckMemo = { hashed: Map<string, string> };
export const newMemo = (): CheckMemo => ({ hashed: new Map() });

export type CheckFigures = { records: number; journalRecords: number; blobs: number; orphanBlobs: number; leftoverTemp: number; checks: number };

export class CrashCheckFailed extends Error {}

/**
 * Everything a crash must leave true, checked on the workspace as the kill left it:
 * the database is intact, the audit chain verifies, nothing the journal saw
 * committed is missing or older, every referenced blob is whole, nothing half
 * written is visible as a blob, and the app opens and answers.
 */
export async function checkAfterKill(setup: CrashSetup, memo: CheckMemo, label: string): Promise<CheckFigures> {
  let checks = 0;
  const fail = (what: string): never => {
    throw new CrashCheckFailed(`${label}: ${what}`);
  };
  const expect = (cond: boolean, what: () => string) => {
    checks += 1;
    if (!cond) fail(what());
  };

  let app;
  try {
    app = createApp({ dataDir: setup.dataDir, platform: browserPlatform, appVersion: '0.0.0-crash', kdf: TEST_KDF, watchIntervalMs: 0, validateOutput: true, tempRoot: setup.scratch });
  } catch (error) {
    return fail(`the workspace does not open: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const db = app.workspace.db;
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    expect(integrity === 'ok', () => `PRAGMA integrity_check says ${integrity}`);
    // FTS5 compares its index with the rows it was built from and throws if they differ.
    try {
      db.prepare("INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)").run();
      checks += 1;
    } catch (error) {
      fail(`the search index does not match its records: ${String(error)}`);
    }
    const audit = verifyAuditChain(db);
    expect(audit.ok, () => `the audit chain is broken: ${audit.problem?.message}`);

    // Every record the child saw committed is here, at that revision or later.
    const journal = readJournal(setup.journal);
    const wanted = new Map<string, number>();
    const journalBlobs = new Set<string>();
    for (const line of journal) {
      for (const [id, rev] of line.records) wanted.set(id, Math.max(rev, wanted.get(id) ?? 0));
      for (const b of line.blobs) journalBlobs.add(b);
    }
    const revisionOf = db.prepare('SELECT revision FROM records WHERE id = ?').pluck();
    for (const [id, rev] of wanted) {
      const have = revisionOf.get(id) as number | undefined;
      expect(have !== undefined && have >= rev, () => `record ${id} was committed at revision ${rev} but the database has ${have ?? 'no such record'}`);
    }

    // Blobs that live records refer to exist and hash to their names.
    const referenced = new Set(journalBlobs);
    for (const body of db.prepare("SELECT body FROM records WHERE type IN ('attachment', 'run') AND deleted = 0").pluck().all() as string[]) {
      const b = JSON.parse(body) as { sha256?: string; sources?: { sha256: string }[] };
      if (b.sha256) referenced.add(b.sha256);
      for (const s of b.sources ?? []) referenced.add(s.sha256);
    }
    const blobDir = app.workspace.blobDir;
    const hashOf = (path: string): string => {
      const st = statSync(path);
      const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
      const seen = memo.hashed.get(path);
      if (seen?.startsWith(key + '=')) return seen.slice(key.length + 1);
      const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
      memo.hashed.set(path, `${key}=${digest}`);
      return digest;
    };
    for (const sha of referenced) {
      const path = join(blobDir, sha.slice(0, 2), sha.slice(2));
      expect(existsSync(path), () => `blob ${sha} is referenced by a committed record but missing`);
      const digest = hashOf(path);
      expect(digest === sha, () => `blob ${sha} holds bytes hashing to ${digest}: it is half written`);
    }

    // Nothing but whole, correctly named blobs is visible in the store; temp files stay in tmp/.
    let blobs = 0;
    let orphanBlobs = 0;
    for (const dir of readdirSync(blobDir)) {
      if (dir === 'tmp') continue;
      expect(SHA_DIR.test(dir), () => `blobs/${dir} is not a blob folder: a partial or stray file is visible as a blob`);
      for (const name of readdirSync(join(blobDir, dir))) {
        expect(SHA_NAME.test(name), () => `blobs/${dir}/${name} is not named by a SHA-256: a temp or partial file is visible as a blob`);
        const digest = hashOf(join(blobDir, dir, name));
        expect(digest === dir + name, () => `blobs/${dir}/${name} hashes to ${digest}: a half-written blob is visible`);
        blobs += 1;
        if (!referenced.has(dir + name)) orphanBlobs += 1;
      }
    }
    const tmp = join(blobDir, 'tmp');
    const leftoverTemp = existsSync(tmp) ? readdirSync(tmp).length : 0;

    // The app opens normally and answers.
    const unlock = await app.dispatch('workspace:unlock', { passphrase: setup.passphrase });
    expect(unlock.ok, () => `unlock failed: ${unlock.ok ? '' : unlock.error.message}`);
    const status = await app.dispatch('workspace:status', {});
    expect(status.ok && (status.value as { state: string }).state === 'unlocked', () => `workspace:status answered ${JSON.stringify(status)}`);
    const engagements = await app.dispatch('engagements:list', {});
    expect(engagements.ok, () => `engagements:list failed: ${engagements.ok ? '' : engagements.error.message}`);
    const findings = await app.dispatch('findings:list', {});
    expect(findings.ok, () => `findings:list failed: ${findings.ok ? '' : findings.error.message}`);

    const records = db.prepare('SELECT count(*) FROM records').pluck().get() as number;
    return { records, journalRecords: wanted.size, blobs, orphanBlobs, leftoverTemp, checks };
  } finally {
    await app.close();
  }
}
