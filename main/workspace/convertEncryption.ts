/**
 * `evalnotes encrypt` / `evalnotes decrypt`: converts a workspace between plain
 * and encrypted without losing anything. The new form is built in a temp folder
 * beside the workspace and checked against the old one (every table's row
 * count, the audit chain and its head, every blob by its SHA-256) while the old
 * database is held under an exclusive lock, so nothing can change meanwhile.
 * Only then are the folders swapped (folderSwap.ts: journaled, so a crash
 * between the two renames is finished by the next open). Any failure before
 * the swap leaves the workspace as it was and removes the temp folder.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { copyFile, mkdir, open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../../shared/result';
import { verifyAuditChain } from '../audit/auditChain';
import { BlobStore } from '../blobs/blobStore';
import { SealedBlobReader } from '../blobs/sealedBlob';
import type { Db } from '../db/open';
import { rekeyDatabase } from '../db/open';
import { fsyncPath } from '../files/durable';
import type { KdfParams } from '../identity/keys';
import { deriveDataKeys, forgetDataKeys, KEY_FILE, newDataKeySalt, readKeyFile, writeKeyFile, type DataKeys, type KeyFile } from './encryption';
import { swapFolders } from './folderSwap';
import { DATABASE_FILE } from './paths';
import { Workspace } from './workspace';

export type ConversionSummary = {
  data_dir: string;
  encrypted: boolean;
  tables: number;
  rows: number;
  audit_events: number;
  blobs: number;
};

type Progress = (message: string) => void;
type ConvertOptions = { kdf?: KdfParams; progress?: Progress };

/** What a workspace folder may hold; anything else would be left in plaintext, so conversion refuses it. */
const KNOWN = new Set([DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, 'blobs', KEY_FILE]);

export async function encryptWorkspace(dataDir: string, passphrase: string, opts: ConvertOptions = {}): Promise<ConversionSummary> {
  return convert(dataDir, passphrase, 'encrypt', opts);
}

export async function decryptWorkspace(dataDir: string, passphrase: string, opts: ConvertOptions = {}): Promise<ConversionSummary> {
  return convert(dataDir, passphrase, 'decrypt', opts);
}

async function convert(dataDirIn: string, passphrase: string, to: 'encrypt' | 'decrypt', opts: ConvertOptions): Promise<ConversionSummary> {
  const dataDir = resolve(dataDirIn);
  const say = opts.progress ?? (() => {});
  if (!existsSync(join(dataDir, DATABASE_FILE))) throw new AppError('NOT_INITIALIZED', `There is no workspace in ${dataDir}.`);
  const source = Workspace.open({ dataDir, ...(opts.kdf ? { kdf: opts.kdf } : {}) });
  const temp = join(dirname(dataDir), `.${basename(dataDir)}.${to}ing-${randomBytes(6).toString('hex')}`);
  let sourceKeys: DataKeys | null = null;
  let swapped = false;
  try {
    if (to === 'encrypt' && source.encrypted) throw new AppError('INVALID_INPUT', `The workspace in ${dataDir} is encrypted already.`);
    if (to === 'decrypt' && !source.encrypted) throw new AppError('INVALID_INPUT', `The workspace in ${dataDir} is not encrypted.`);
    source.requireIdentity();
    await source.unlock(passphrase);
    for (const name of readdirSync(dataDir)) {
      if (!KNOWN.has(name)) throw new AppError('UNSUPPORTED', `The workspace folder holds ${name}, which EvalNotes did not put there; move it out of ${dataDir} and try again.`);
    }
    holdExclusively(source.db, dataDir);
    const identityRow = source.db.prepare('SELECT * FROM identity WHERE singleton = 1').get() as IdentityRow;
    const keyFile = source.encrypted ? readKeyFile(dataDir)! : keyFileOf(identityRow);
    sourceKeys = deriveDataKeys(source.requireUnlocked().masterKey, keyFile.data_key_salt);
    const before = snapshotOf(source.db, dataDir);
    const sourceBlobs = source.blobStore();

    say(`Writing the ${to === 'encrypt' ? 'encrypted' : 'plain'} copy in ${temp}`);
    await mkdir(temp, { mode: 0o700 });
    const dbCopy = join(temp, DATABASE_FILE);
    await copyFile(join(dataDir, DATABASE_FILE), dbCopy);
    if (to === 'encrypt') {
      rekeyDatabase(dbCopy, null, sourceKeys.database);
      await writeKeyFile(temp, keyFile);
    } else {
      rekeyDatabase(dbCopy, sourceKeys.database, null);
    }
    const targetBlobs = new BlobStore(join(temp, 'blobs'), to === 'encrypt' ? () => ({ encryption: sourceKeys!.blobEncryption, naming: sourceKeys!.blobNaming }) : undefined);
    const digests = await copyBlobs(sourceBlobs, targetBlobs, source.blobDir, sourceKeys, say);
    await fsyncTree(temp);

    say('Checking the copy against the workspace');
    const copy = Workspace.open({ dataDir: temp, ...(to === 'encrypt' ? { masterKey: source.requireUnlocked().masterKey } : {}) });
    try {
      if (to === 'decrypt') {
        // The key file decides the passphrase wrap of an encrypted workspace; the plain identity row takes it over.
        copy.db.prepare('UPDATE identity SET kdf = ?, wrapped_master_key = ? WHERE singleton = 1').run(keyFile.kdf, keyFile.wrapped_master_key);
      }
      const after = snapshotOf(copy.db, temp);
      if (JSON.stringify(after.counts) !== JSON.stringify(before.counts)) throw lost('the row counts differ');
      if (after.audit.head !== before.audit.head || after.audit.events !== before.audit.events) throw lost('the audit chain differs');
      const copyBlobs = copy.blobStore();
      for (const sha of digests) if (!(await copyBlobs.verify(sha))) throw lost(`blob ${sha.slice(0, 12)}… does not match its digest`);
      const summary: ConversionSummary = {
        data_dir: dataDir,
        encrypted: to === 'encrypt',
        tables: Object.keys(before.counts).length,
        rows: Object.values(before.counts).reduce((a, b) => a + b, 0),
        audit_events: before.audit.events,
        blobs: digests.length,
      };
      copy.close();

      say('Swapping the folders');
      await swapFolders(dataDir, temp);
      swapped = true;
      return summary;
    } finally {
      copy.close();
    }
  } finally {
    if (sourceKeys) forgetDataKeys(sourceKeys);
    source.close();
    if (!swapped) rmSync(temp, { recursive: true, force: true });
  }
}

type IdentityRow = { name: string; org: string; role: 'evaluator' | 'supervisor'; key_id: string; public_key_pem: string; kdf: string; wrapped_master_key: string; encrypted_signing_key: string; created_at: string };

function keyFileOf(row: IdentityRow): KeyFile {
  return {
    format: 'evalnotes-workspace-key',
    version: 1,
    encrypted: true,
    data_key_salt: newDataKeySalt(),
    kdf: row.kdf,
    wrapped_master_key: row.wrapped_master_key,
    encrypted_signing_key: row.encrypted_signing_key,
    identity: { name: row.name, org: row.org, role: row.role, key_id: row.key_id, public_key_pem: row.public_key_pem, created_at: row.created_at },
  };
}

function lost(what: string): AppError {
  return new AppError('INTERNAL', `The converted copy does not match the workspace (${what}); nothing was changed.`);
}

/**
 * Takes the database for this process alone until it closes: leaving WAL mode
 * succeeds only when no other connection (the app, `evalnotes serve`, another
 * command) has it open, and the exclusive lock then keeps them out.
 */
function holdExclusively(db: Db, dataDir: string): void {
  const busy = () =>
    new AppError('CONFLICT', `Another EvalNotes (the app, \`evalnotes serve\` or a command) has the workspace in ${dataDir} open; close it and try again.`);
  try {
    db.pragma('busy_timeout = 200');
    const mode = db.pragma('journal_mode = DELETE', { simple: true }) as string;
    if (mode !== 'delete') throw busy();
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (String((error as { code?: string }).code).startsWith('SQLITE_BUSY')) throw busy();
    throw error;
  }
}

function snapshotOf(db: Db, dataDir: string): { counts: Record<string, number>; audit: { events: number; head: string | null } } {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = db.prepare(`SELECT count(*) FROM "${t.replace(/"/g, '""')}"`).pluck().get() as number;
  const audit = verifyAuditChain(db);
  if (!audit.ok) throw new AppError('WORKSPACE_DAMAGED', `The audit chain of the workspace in ${dataDir} is broken (${audit.problem?.message ?? 'unknown'}); run \`evalnotes audit verify\` and restore a backup before converting.`);
  return { counts, audit: { events: audit.events, head: audit.head } };
}

/**
 * Every blob, read through the old store and written through the new one,
 * which seals or unseals it and names it. A plain blob must hash to its file
 * name; a sealed one is opened by its name and must hash to a digest whose
 * HMAC is that name. Temp files (half-written blobs) are left behind.
 */
async function copyBlobs(from: BlobStore, to: BlobStore, blobDir: string, keys: DataKeys, say: Progress): Promise<string[]> {
  const digests: string[] = [];
  if (!existsSync(blobDir)) return digests;
  const names = readdirSync(blobDir)
    .filter((d) => /^[0-9a-f]{2}$/.test(d))
    .flatMap((d) => readdirSync(join(blobDir, d)).filter((f) => /^[0-9a-f]{62}$/.test(f)).map((f) => d + f));
  for (const [i, name] of names.entries()) {
    if (i % 100 === 0) say(`Copying files ${i + 1}–${Math.min(i + 100, names.length)} of ${names.length}`);
    const file = join(blobDir, name.slice(0, 2), name.slice(2));
    let put: { sha256: string };
    if (!from.encrypted) {
      put = await to.put(from.createReadStream(name));
      if (put.sha256 !== name) throw new AppError('WORKSPACE_DAMAGED', `The file ${file} does not match its digest; restore it from a backup before converting.`);
    } else {
      const reader = await SealedBlobReader.open(await open(file, 'r'), keys.blobEncryption, Buffer.from(name, 'hex'), `blob file ${name.slice(0, 12)}…`);
      try {
        put = await to.put(Readable.from(reader.chunks()));
      } finally {
        await reader.close();
      }
      const expected = createHmac('sha256', keys.blobNaming).update(put.sha256, 'ascii').digest('hex');
      if (expected !== name) throw new AppError('WORKSPACE_DAMAGED', `The file ${file} is not the blob its name says; restore it from a backup before converting.`);
    }
    digests.push(put.sha256);
  }
  return digests;
}

async function fsyncTree(dir: string): Promise<void> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fsyncTree(path);
    else await fsyncPath(path);
  }
  await fsyncPath(dir);
}
