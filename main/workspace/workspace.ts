import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf, type Identity, type IdentityInput } from '../../shared/domain/identity';
import { systemClock, type Clock } from '../../shared/reviewWindow';
import { AppError } from '../../shared/result';
import { migrate } from '../db/migrate';
import { BlobStore, type BlobKeys } from '../blobs/blobStore';
import { openDatabase, rekeyDatabase, type Db } from '../db/open';
import {
  createSealedIdentity,
  newSigningKey,
  openSigningKey,
  rewrapMasterKey,
  unlockIdentity,
  unwrapMasterKey,
  DEFAULT_KDF,
  type KdfParams,
  type SealedIdentity,
  type UnlockedKeys,
} from '../identity/keys';
import { chainOf } from '../identity/successionStore';
import type { WriteContext } from '../records/writeRecord';
import { deriveDataKeys, forgetDataKeys, isPlainDatabase, KEY_FILE, newDataKeySalt, readKeyFile, writeKeyFile, type DataKeys, type KeyFile } from './encryption';
import { finishInterruptedSwap } from './folderSwap';
import { DATABASE_FILE } from './paths';

export type WorkspaceOptions = {
  dataDir: string;
  clock?: Clock;
  kdf?: KdfParams;
  nativeBinding?: string;
  integrityCheck?: boolean;
  busyTimeoutMs?: number;
  /**
   * An encrypted workspace's master key, already unwrapped (the app hands it to
   * its import worker): the database opens at once, the signing key stays locked.
   */
  masterKey?: Uint8Array;
};

/** Where a second connection finds this workspace, with what it needs to open it (import runners). */
export type WorkspaceLocation = { dataDir: string; nativeBinding?: string; masterKey?: Uint8Array };

type IdentityRow = SealedIdentity & { name: string; org: string; role: 'evaluator' | 'supervisor'; created_at: string };

/**
 * One workspace folder: the database (migrated on open), the identity and, while
 * unlocked, the key material in memory. A plain workspace opens its database at
 * once; an encrypted one (a key file in the folder, see encryption.ts) only on
 * unlock, and closes it again on lock, so `db` throws LOCKED in between.
 */
export class Workspace {
  private keys: UnlockedKeys | null = null;
  /** Encrypted workspaces only: the master key and its subkeys while the database is open. */
  private master: Buffer | null = null;
  private dataKeys: DataKeys | null = null;

  private constructor(
    private connection: Db | null,
    readonly dataDir: string,
    readonly clock: Clock,
    private readonly kdf: KdfParams,
    private readonly options: WorkspaceOptions,
    private keyFile: KeyFile | null,
  ) {}

  static open(opts: WorkspaceOptions): Workspace {
    finishInterruptedSwap(opts.dataDir);
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const keyFile = readKeyFile(opts.dataDir);
    if (keyFile) {
      const ws = new Workspace(null, opts.dataDir, opts.clock ?? systemClock, opts.kdf ?? DEFAULT_KDF, opts, keyFile);
      if (opts.masterKey) ws.openEncrypted(Buffer.from(opts.masterKey));
      return ws;
    }
    return new Workspace(openMigrated(opts), opts.dataDir, opts.clock ?? systemClock, opts.kdf ?? DEFAULT_KDF, opts, null);
  }

  /**
   * `evalnotes init --encrypt`: a new identity whose workspace is encrypted from
   * the first byte. The key file is written first, so an interrupted start is
   * finished by the next unlock (openEncrypted). A folder that already holds an
   * identity or records is refused: `evalnotes encrypt` converts those.
   */
  static async createEncrypted(opts: WorkspaceOptions, input: IdentityInput): Promise<Workspace> {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    if (readKeyFile(opts.dataDir)) throw new AppError('ALREADY_INITIALIZED', `The workspace in ${opts.dataDir} already has an identity.`);
    const path = join(opts.dataDir, DATABASE_FILE);
    if (existsSync(path)) {
      const plain = openMigrated(opts);
      try {
        if (plain.prepare('SELECT 1 FROM identity').get()) throw new AppError('ALREADY_INITIALIZED', `The workspace in ${opts.dataDir} already has an identity; run \`evalnotes encrypt\` to encrypt it.`);
      } finally {
        plain.close();
      }
    }
    const { sealed, keys } = await createSealedIdentity(input.passphrase, opts.kdf ?? DEFAULT_KDF);
    const clock = opts.clock ?? systemClock;
    const keyFile: KeyFile = {
      format: 'evalnotes-workspace-key',
      version: 1,
      encrypted: true,
      data_key_salt: newDataKeySalt(),
      kdf: sealed.kdf,
      wrapped_master_key: sealed.wrapped_master_key,
      encrypted_signing_key: sealed.encrypted_signing_key,
      identity: { name: input.name, org: input.org, role: input.role, key_id: sealed.key_id, public_key_pem: sealed.public_key_pem, created_at: clock.now().toISOString() },
    };
    await writeKeyFile(opts.dataDir, keyFile);
    const ws = new Workspace(null, opts.dataDir, clock, opts.kdf ?? DEFAULT_KDF, opts, keyFile);
    ws.openEncrypted(Buffer.from(keys.masterKey));
    ws.keys = keys;
    return ws;
  }

  /** The database connection; LOCKED while an encrypted workspace is locked. */
  get db(): Db {
    if (!this.connection) throw new AppError('LOCKED', 'The workspace is locked; unlock it with your passphrase first.');
    return this.connection;
  }

  /** Whether the database is open (always, for a plain workspace until close). */
  get isOpen(): boolean {
    return this.connection?.open === true;
  }

  /** Whether this workspace is encrypted at rest (it has a key file). */
  get encrypted(): boolean {
    return this.keyFile !== null;
  }

  identity(): Identity | null {
    if (this.keyFile && !this.isOpen) return toIdentity({ ...this.keyFile.identity, ...sealedOf(this.keyFile) });
    const row = this.row();
    if (!row) return null;
    const identity = toIdentity(row);
    // Keys this identity succeeded (rotations, re-assignments): only when there are some.
    const former = chainOf(this.db, row.key_id).slice(1);
    return former.length > 0 ? { ...identity, former_key_ids: former } : identity;
  }

  /** This workspace's current key and every key it succeeded: records authored by any of them are its own. */
  ownKeyIds(): string[] {
    const own = this.requireIdentity();
    return [own.key_id, ...(own.former_key_ids ?? [])];
  }

  requireIdentity(): Identity {
    const identity = this.identity();
    if (!identity) throw new AppError('NOT_INITIALIZED', 'This workspace has no identity yet; run `evalnotes init` or open the app to create one.');
    return identity;
  }

  get unlocked(): boolean {
    return this.keys !== null;
  }

  /** Throws LOCKED unless the passphrase was given in this session. */
  requireUnlocked(): UnlockedKeys {
    this.requireIdentity();
    if (!this.keys) throw new AppError('LOCKED', 'The workspace is locked; unlock it with your passphrase first.');
    return this.keys;
  }

  async create(input: IdentityInput): Promise<Identity> {
    if (this.keyFile || this.row()) throw new AppError('ALREADY_INITIALIZED', `The workspace in ${this.dataDir} already has an identity.`);
    const { sealed, keys } = await createSealedIdentity(input.passphrase, this.kdf);
    const created_at = this.clock.now().toISOString();
    try {
      this.db
        .prepare(
          `INSERT INTO identity (singleton, name, org, role, key_id, public_key_pem, kdf, wrapped_master_key, encrypted_signing_key, created_at)
           VALUES (1, @name, @org, @role, @key_id, @public_key_pem, @kdf, @wrapped_master_key, @encrypted_signing_key, @created_at)`,
        )
        .run({ ...sealed, name: input.name, org: input.org, role: input.role, created_at });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AppError('ALREADY_INITIALIZED', `The workspace in ${this.dataDir} already has an identity.`);
      }
      throw error;
    }
    this.keys = keys;
    return this.requireIdentity();
  }

  async unlock(passphrase: string): Promise<void> {
    if (this.keyFile) {
      const sealed = sealedOf(this.keyFile);
      const masterKey = await unwrapMasterKey(sealed, passphrase);
      if (!this.isOpen) this.openEncrypted(Buffer.from(masterKey));
      // The database's row, not the key file's copy: after a rotation the file may lag (openEncrypted).
      this.keys = openSigningKey(this.row() ?? sealed, masterKey);
      return;
    }
    const row = this.row();
    if (!row) throw new AppError('NOT_INITIALIZED', 'This workspace has no identity yet; create one first.');
    this.keys = await unlockIdentity(row, passphrase);
  }

  /** Forgets the key material; an encrypted workspace also closes its database. */
  lock(): void {
    this.keys?.masterKey.fill(0);
    this.keys = null;
    if (!this.keyFile) return;
    this.master?.fill(0);
    this.master = null;
    if (this.dataKeys) forgetDataKeys(this.dataKeys);
    this.dataKeys = null;
    if (this.connection?.open) this.connection.close();
    this.connection = null;
  }

  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    if (this.keyFile) {
      const rewrapped = await rewrapMasterKey(sealedOf(this.keyFile), oldPassphrase, newPassphrase, this.kdf);
      const next = { ...this.keyFile, ...rewrapped };
      // The key file decides; the identity row only mirrors it.
      await writeKeyFile(this.dataDir, next);
      this.keyFile = next;
      if (this.isOpen) this.db.prepare('UPDATE identity SET kdf = @kdf, wrapped_master_key = @wrapped_master_key WHERE singleton = 1').run(rewrapped);
      return;
    }
    const row = this.row();
    if (!row) throw new AppError('NOT_INITIALIZED', 'This workspace has no identity yet; create one first.');
    const rewrapped = await rewrapMasterKey(row, oldPassphrase, newPassphrase, this.kdf);
    this.db.prepare('UPDATE identity SET kdf = @kdf, wrapped_master_key = @wrapped_master_key WHERE singleton = 1').run(rewrapped);
  }

  /**
   * Key rotation (issue 7): the current signing key, unlocked with
   * `passphrase`, is replaced by a fresh one sealed under the same master key.
   * `record` runs in the same transaction, with both keys, to store the
   * rotation statement the old key signs. The old private key does not outlive
   * it here: secure_delete overwrites the freed bytes, and a checkpoint takes
   * the change out of the write-ahead log (best effort when another connection
   * is reading at that moment). Copies made before (backups) still hold it,
   * under the master key.
   */
  async rotateSigningKey(passphrase: string, record: (old: UnlockedKeys & { key_id: string }, next: { key_id: string; public_key_pem: string }) => void): Promise<Identity> {
    const row = this.row();
    if (!row) throw new AppError('NOT_INITIALIZED', 'This workspace has no identity yet; create one first.');
    const old = await unlockIdentity(row, passphrase);
    const next = newSigningKey(old.masterKey);
    const secureDelete = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      this.db
        .transaction(() => {
          record({ ...old, key_id: row.key_id }, { key_id: next.key_id, public_key_pem: next.public_key_pem });
          this.db
            .prepare('UPDATE identity SET key_id = ?, public_key_pem = ?, encrypted_signing_key = ? WHERE singleton = 1')
            .run(next.key_id, next.public_key_pem, next.encrypted_signing_key);
        })
        .immediate();
    } finally {
      this.db.pragma(`secure_delete = ${secureDelete}`);
    }
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    // The key file follows the database (committed first); openEncrypted repairs a file a crash left behind.
    if (this.keyFile) await this.writeKeyFileFrom(this.db);
    if (this.keys && this.keys.masterKey !== old.masterKey) this.keys.masterKey.fill(0);
    this.keys = { masterKey: old.masterKey, signingKey: next.signingKey, publicKey: next.publicKey };
    return this.requireIdentity();
  }

  /** Rewrites the key file's identity and sealed signing key from the database's identity row (after a rotation). */
  private async writeKeyFileFrom(db: Db): Promise<void> {
    const row = db.prepare('SELECT key_id, public_key_pem, encrypted_signing_key FROM identity WHERE singleton = 1').get() as { key_id: string; public_key_pem: string; encrypted_signing_key: string };
    const next: KeyFile = { ...this.keyFile!, encrypted_signing_key: row.encrypted_signing_key, identity: { ...this.keyFile!.identity, key_id: row.key_id, public_key_pem: row.public_key_pem } };
    await writeKeyFile(this.dataDir, next);
    this.keyFile = next;
  }

  /** Where content-addressed files (attachments, imported logs) live. */
  get blobDir(): string {
    return join(this.dataDir, 'blobs');
  }

  /** The blob store, sealing and unsealing with this workspace's keys when it is encrypted. */
  blobStore(): BlobStore {
    return new BlobStore(this.blobDir, this.keyFile ? () => this.blobKeys() : undefined);
  }

  /** How another connection (an import's) opens this workspace; for an encrypted one, only while it is open. */
  location(): WorkspaceLocation {
    const base = { dataDir: this.dataDir, ...(this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {}) };
    if (!this.keyFile) return base;
    if (!this.master) throw new AppError('LOCKED', 'The workspace is locked; unlock it with your passphrase first.');
    return { ...base, masterKey: Uint8Array.from(this.master) };
  }

  private blobKeys(): BlobKeys {
    if (!this.dataKeys) throw new AppError('LOCKED', 'The workspace is locked; unlock it with your passphrase first.');
    return { encryption: this.dataKeys.blobEncryption, naming: this.dataKeys.blobNaming };
  }

  /**
   * Opens the encrypted database under the key derived from the master key and
   * makes sure its identity row mirrors the key file. A plain, empty database
   * here is what an interrupted `init --encrypt` leaves: it is encrypted now.
   */
  private openEncrypted(masterKey: Buffer): void {
    const keyFile = this.keyFile!;
    const keys = deriveDataKeys(masterKey, keyFile.data_key_salt);
    const path = join(this.dataDir, DATABASE_FILE);
    try {
      if (isPlainDatabase(path)) {
        const plain = openMigrated({ ...this.options, masterKey: undefined });
        const holdsData = plain.prepare('SELECT (SELECT count(*) FROM identity) + (SELECT count(*) FROM records) AS n').pluck().get() as number;
        plain.close();
        if (holdsData > 0) throw new AppError('WORKSPACE_DAMAGED', `The workspace database ${path} is not encrypted although ${KEY_FILE} says it should be; restore the folder from a backup.`);
        rekeyDatabase(path, null, keys.database, this.options.nativeBinding ? { nativeBinding: this.options.nativeBinding } : {});
      }
      const db = openMigrated(this.options, keys.database);
      try {
        const row = db.prepare('SELECT key_id FROM identity WHERE singleton = 1').get() as { key_id: string } | undefined;
        if (!row) {
          db.prepare(
            `INSERT INTO identity (singleton, name, org, role, key_id, public_key_pem, kdf, wrapped_master_key, encrypted_signing_key, created_at)
             VALUES (1, @name, @org, @role, @key_id, @public_key_pem, @kdf, @wrapped_master_key, @encrypted_signing_key, @created_at)`,
          ).run({ ...keyFile.identity, ...sealedOf(keyFile) });
        } else if (row.key_id !== keyFile.identity.key_id && !rotatedFrom(db, keyFile.identity.key_id, row.key_id)) {
          throw new AppError('WORKSPACE_DAMAGED', `The workspace database and ${KEY_FILE} belong to different identities; restore the folder from a backup.`);
        }
      } catch (error) {
        db.close();
        throw error;
      }
      this.connection = db;
      this.master = masterKey;
      this.dataKeys = keys;
      // A rotation committed to the database whose key file was not yet rewritten (a crash in between).
      // If that write fails, the next open tries again.
      if (keyFile.identity.key_id !== (db.prepare('SELECT key_id FROM identity WHERE singleton = 1').pluck().get() as string)) this.writeKeyFileFrom(db).catch(() => {});
    } catch (error) {
      forgetDataKeys(keys);
      throw error;
    }
  }

  /** What the single write function needs: records are authored by this identity. */
  writer(): WriteContext {
    return { db: this.db, author: this.requireIdentity().key_id, clock: this.clock };
  }

  close(): void {
    this.lock();
    if (this.connection?.open) this.connection.close();
  }

  private row(): IdentityRow | undefined {
    return this.db.prepare('SELECT * FROM identity WHERE singleton = 1').get() as IdentityRow | undefined;
  }
}

/** Opens and migrates the database (with the key of an encrypted workspace). */
function openMigrated(opts: WorkspaceOptions, key?: Buffer): Db {
  const path = join(opts.dataDir, DATABASE_FILE);
  let db: Db;
  try {
    db = openDatabase(path, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      ...(opts.integrityCheck === false ? { integrityCheck: false } : {}),
      ...(opts.busyTimeoutMs !== undefined ? { busyTimeoutMs: opts.busyTimeoutMs } : {}),
      ...(key ? { key } : {}),
    });
  } catch (error) {
    // An encrypted database whose key file is gone reads as "not a database": say what is missing.
    if (!key && error instanceof AppError && looksEncrypted(path)) {
      throw new AppError('WORKSPACE_DAMAGED', `The workspace database ${path} is encrypted but its key file ${KEY_FILE} is missing; restore it from a backup.`);
    }
    throw error;
  }
  try {
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Not plain SQLite, yet whole pages of it (SQLCipher's 4 KiB): most likely encrypted. */
function looksEncrypted(path: string): boolean {
  if (!existsSync(path)) return false;
  const { size } = statSync(path);
  return size > 0 && size % 4096 === 0 && !isPlainDatabase(path);
}

/** Whether the database records that `oldKeyId` was rotated (in one or more steps) to `currentKeyId`. */
function rotatedFrom(db: Db, oldKeyId: string, currentKeyId: string): boolean {
  let key = oldKeyId;
  for (let step = 0; step < 100 && key !== currentKeyId; step++) {
    const next = db.prepare("SELECT new_key_id FROM key_successions WHERE old_key_id = ? AND kind = 'rotation'").pluck().get(key) as string | undefined;
    if (!next) return false;
    key = next;
  }
  return key === currentKeyId;
}

function sealedOf(keyFile: KeyFile): SealedIdentity {
  const { key_id, public_key_pem } = keyFile.identity;
  return { key_id, public_key_pem, kdf: keyFile.kdf, wrapped_master_key: keyFile.wrapped_master_key, encrypted_signing_key: keyFile.encrypted_signing_key };
}

function toIdentity(row: IdentityRow): Identity {
  return {
    name: row.name,
    org: row.org,
    role: row.role,
    key_id: row.key_id,
    fingerprint: fingerprintOf(row.key_id),
    public_key_pem: row.public_key_pem,
    created_at: row.created_at,
  };
}
