import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf, type Identity, type IdentityInput } from '../../shared/domain/identity';
import { systemClock, type Clock } from '../../shared/reviewWindow';
import { AppError } from '../../shared/result';
import { migrate } from '../db/migrate';
import { openDatabase, type Db } from '../db/open';
import { createSealedIdentity, rewrapMasterKey, unlockIdentity, DEFAULT_KDF, type KdfParams, type SealedIdentity, type UnlockedKeys } from '../identity/keys';
import type { WriteContext } from '../records/writeRecord';
import { DATABASE_FILE } from './paths';

export type WorkspaceOptions = {
  dataDir: string;
  clock?: Clock;
  kdf?: KdfParams;
  nativeBinding?: string;
  integrityCheck?: boolean;
  busyTimeoutMs?: number;
};

type IdentityRow = SealedIdentity & { name: string; org: string; role: 'evaluator' | 'supervisor'; created_at: string };

/**
 * One workspace folder: the database (migrated on open), the identity and, while
 * unlocked, the key material in memory.
 */
export class Workspace {
  private keys: UnlockedKeys | null = null;

  private constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly clock: Clock,
    private readonly kdf: KdfParams,
  ) {}

  static open(opts: WorkspaceOptions): Workspace {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const path = join(opts.dataDir, DATABASE_FILE);
    const db = openDatabase(path, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      ...(opts.integrityCheck === false ? { integrityCheck: false } : {}),
      ...(opts.busyTimeoutMs !== undefined ? { busyTimeoutMs: opts.busyTimeoutMs } : {}),
    });
    try {
      migrate(db, path);
    } catch (error) {
      db.close();
      throw error;
    }
    return new Workspace(db, opts.dataDir, opts.clock ?? systemClock, opts.kdf ?? DEFAULT_KDF);
  }

  identity(): Identity | null {
    const row = this.row();
    return row ? toIdentity(row) : null;
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
    if (this.row()) throw new AppError('ALREADY_INITIALIZED', `The workspace in ${this.dataDir} already has an identity.`);
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
    const row = this.row();
    if (!row) throw new AppError('NOT_INITIALIZED', 'This workspace has no identity yet; create one first.');
    this.keys = await unlockIdentity(row, passphrase);
  }

  lock(): void {
    this.keys?.masterKey.fill(0);
    this.keys = null;
  }

  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    const row = this.row();
    if (!row) throw new AppError('NOT_INITIALIZED', 'This workspace has no identity yet; create one first.');
    const rewrapped = await rewrapMasterKey(row, oldPassphrase, newPassphrase, this.kdf);
    this.db.prepare('UPDATE identity SET kdf = @kdf, wrapped_master_key = @wrapped_master_key WHERE singleton = 1').run(rewrapped);
  }

  /** Where content-addressed files (attachments, imported logs) live. */
  get blobDir(): string {
    return join(this.dataDir, 'blobs');
  }

  /** What the single write function needs: records are authored by this identity. */
  writer(): WriteContext {
    return { db: this.db, author: this.requireIdentity().key_id, clock: this.clock };
  }

  close(): void {
    this.lock();
    if (this.db.open) this.db.close();
  }

  private row(): IdentityRow | undefined {
    return this.db.prepare('SELECT * FROM identity WHERE singleton = 1').get() as IdentityRow | undefined;
  }
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
