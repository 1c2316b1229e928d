/**
 * Encryption at rest: the decisions, in one place.
 *
 * - A workspace is plain (as before: no key file, an ordinary SQLite file,
 *   blobs named by SHA-256) or encrypted. Encrypted means the folder holds a
 *   key file, `workspace-key.json`, and everything else in it is ciphertext.
 * - The key file is the only place the master key lives at rest, wrapped under
 *   the passphrase exactly as in a plain workspace's identity row (scrypt,
 *   AES-256-GCM; main/identity/keys.ts). An encrypted database cannot hold the
 *   key that opens it, so the key file also carries the sealed signing key and
 *   the public identity the unlock screen shows (name, organisation, role,
 *   public key: what every signed bundle tells its readers anyway). It is
 *   written to a temp name, fsynced and renamed; the database's identity row
 *   mirrors it once unlocked.
 * - Three subkeys come from the master key with HKDF-SHA256 and distinct
 *   labels: the database key (SQLCipher 4 format, raw key, which also covers
 *   the WAL), the blob encryption key (AES-256-GCM segments, sealedBlob.ts) and
 *   the blob naming key (HMAC-SHA256 of a blob's digest is its file name). The
 *   salt is random per workspace and kept in the key file (not the key id, so
 *   rotating the signing key leaves the data keys as they are), so two
 *   workspaces never share subkeys.
 * - Changing the passphrase rewraps the master key only: the subkeys, the
 *   database and the blobs stay as they are.
 * - Locking forgets the master key and the subkeys and closes the database.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KeyId } from '../../shared/domain/ids';
import { Role } from '../../shared/domain/identity';
import { AppError } from '../../shared/result';
import { writeFileDurably } from '../files/durable';

export const KEY_FILE = 'workspace-key.json';

const PublicIdentity = z.strictObject({
  name: z.string().min(1).max(500),
  org: z.string().min(1).max(500),
  role: Role,
  key_id: KeyId,
  public_key_pem: z.string().startsWith('-----BEGIN PUBLIC KEY-----').max(1000),
  created_at: z.string().max(40),
});

export const KeyFile = z.strictObject({
  format: z.literal('evalnotes-workspace-key'),
  version: z.literal(1),
  encrypted: z.literal(true),
  /** HKDF salt of the data keys (hex, 16 bytes): random per workspace. */
  data_key_salt: z.string().regex(/^[0-9a-f]{32}$/),
  /** scrypt parameters and salt, as JSON text (the identity row's `kdf`). */
  kdf: z.string().max(1000),
  wrapped_master_key: z.string().max(1000),
  encrypted_signing_key: z.string().max(2000),
  identity: PublicIdentity,
});
export type KeyFile = z.infer<typeof KeyFile>;

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/** The workspace's key file, or null for a plain workspace. A damaged one is refused with a sentence. */
export function readKeyFile(dataDir: string): KeyFile | null {
  const path = keyFilePath(dataDir);
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new AppError('WORKSPACE_DAMAGED', `The key file ${path} is damaged (not JSON); restore it from a backup.`);
  }
  const checked = KeyFile.safeParse(parsed);
  if (!checked.success) throw new AppError('WORKSPACE_DAMAGED', `The key file ${path} is damaged or not an EvalNotes key file; restore it from a backup.`);
  return checked.data;
}

export async function writeKeyFile(dataDir: string, file: KeyFile): Promise<void> {
  await writeFileDurably(keyFilePath(dataDir), `${JSON.stringify(KeyFile.parse(file), null, 2)}\n`);
}

/** A new workspace's data-key salt. */
export const newDataKeySalt = (): string => randomBytes(16).toString('hex');

/** What an unlocked encrypted workspace holds in memory besides the signing key. */
export type DataKeys = { database: Buffer; blobEncryption: Buffer; blobNaming: Buffer };

const LABELS = {
  database: 'evalnotes/v1/database',
  blobEncryption: 'evalnotes/v1/blob-encryption',
  blobNaming: 'evalnotes/v1/blob-naming',
} as const;

export function deriveDataKeys(masterKey: Uint8Array, salt: string): DataKeys {
  const derive = (label: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.from(salt, 'hex'), Buffer.from(label, 'ascii'), 32));
  return { database: derive(LABELS.database), blobEncryption: derive(LABELS.blobEncryption), blobNaming: derive(LABELS.blobNaming) };
}

export function forgetDataKeys(keys: DataKeys): void {
  keys.database.fill(0);
  keys.blobEncryption.fill(0);
  keys.blobNaming.fill(0);
}

/** SQLite's plain files begin with this; an encrypted one begins with random salt. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether a database file is plain SQLite (false for an encrypted or missing file). */
export function isPlainDatabase(path: string): boolean {
  if (!existsSync(path)) return false;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.equals(SQLITE_HEADER);
}
