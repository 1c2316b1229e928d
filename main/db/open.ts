/**
 * The one module that loads the SQLite driver: better-sqlite3-multiple-ciphers,
 * better-sqlite3's drop-in fork with SQLCipher-compatible encryption. Plain
 * workspaces open with no key and stay ordinary SQLite files; an encrypted one
 * is opened with its raw 256-bit database key (main/workspace/encryption.ts),
 * which also encrypts the WAL.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../../shared/result';

export type Db = Database.Database;
export type Statement = Database.Statement;

/** 'EVNT': marks a SQLite file as an EvalNotes workspace. */
export const APPLICATION_ID = 0x45564e54;

export type OpenOptions = {
  /** Path to an Electron-ABI build of the driver (desktop dev runs); tests and the CLI use Node's. */
  nativeBinding?: string;
  readonly?: boolean;
  /**
   * The raw 32-byte database key of an encrypted workspace; without it the file
   * is opened as plain SQLite.
   */
  key?: Uint8Array;
  /**
   * Run PRAGMA integrity_check (default). A second connection to a workspace the
   * app has just checked (the import worker) skips it: it reads the whole file.
   */
  integrityCheck?: boolean;
  /**
   * How long a statement waits, blocking, for another connection's write lock
   * (default 5 s, right for the CLI). The app's own connection waits briefly and
   * lets dispatch retry between event-loop turns instead.
   */
  busyTimeoutMs?: number;
};

/**
 * Opens a workspace database with the pragmas every connection needs: WAL with
 * synchronous=FULL (a saved edit survives a power cut), foreign keys, and a busy
 * timeout so the CLI and the app can share one workspace. A file that is not a
 * database, or fails its integrity check, is refused with a sentence, not a stack.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  let db: Db | undefined;
  try {
    db = new Database(path, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      ...(opts.readonly ? { readonly: true, fileMustExist: true } : {}),
    });
    if (opts.key) applyKey(db, opts.key);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    if (!opts.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== APPLICATION_ID && !(appId === 0 && version === 0 && isEmpty(db))) {
      throw new AppError('WORKSPACE_DAMAGED', `${path} is not an EvalNotes workspace database.`);
    }
    const integrity = opts.integrityCheck === false ? 'ok' : (db.pragma('integrity_check', { simple: true }) as string);
    if (integrity !== 'ok') {
      const detail = integrity.replace(/\s+/g, ' ').replace(/\*+/g, '').trim().slice(0, 160);
      throw new AppError('WORKSPACE_DAMAGED', `The workspace database ${path} is damaged (${detail}); restore it from a backup.`);
    }
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' && opts.key) {
      throw new AppError('WORKSPACE_DAMAGED', `The workspace database ${path} cannot be read with this workspace's key: it is damaged or was not written under this key file; restore it from a backup.`);
    }
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError('WORKSPACE_DAMAGED', `The workspace database ${path} is damaged or not a database; restore it from a backup.`);
    }
    if (code === 'SQLITE_CANTOPEN') {
      throw new AppError('WORKSPACE_DAMAGED', `Cannot open the workspace database ${path}; check that the folder exists and is writable.`);
    }
    throw error;
  }
}

/**
 * SQLCipher 4 page format (cipher 'sqlcipher', legacy 4), keyed with a raw key
 * (x'…'), so SQLCipher's own passphrase KDF is skipped: the key already comes
 * from the workspace master key. Must run before anything reads the file.
 */
export function applyKey(db: Db, key: Uint8Array): void {
  if (key.byteLength !== 32) throw new AppError('INTERNAL', 'A database key is 32 bytes.');
  useSqlcipherFormat(db);
  db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
}

function useSqlcipherFormat(db: Db): void {
  db.pragma("cipher = 'sqlcipher'");
  // Plain SQLite ignores these pragmas silently: never let a wrong native build write "encrypted" data in the clear.
  if (db.pragma('cipher', { simple: true }) !== 'sqlcipher') {
    throw new AppError('INTERNAL', 'The SQLite module in use cannot encrypt (it is not better-sqlite3-multiple-ciphers); rebuild it with `npm run rebuild:electron`.');
  }
  db.pragma('legacy = 4');
}

/**
 * Re-encrypts a database file in place under a new key, or removes its
 * encryption (key null). Needs the only connection to the file: rekeying is
 * refused in WAL mode, so the journal mode is switched for the duration.
 */
export function rekeyDatabase(path: string, from: Uint8Array | null, to: Uint8Array | null, opts: Pick<OpenOptions, 'nativeBinding'> = {}): void {
  const db = new Database(path, { fileMustExist: true, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  try {
    if (from) applyKey(db, from);
    else useSqlcipherFormat(db);
    db.pragma('journal_mode = DELETE');
    db.pragma(to ? `rekey = "x'${Buffer.from(to).toString('hex')}'"` : "rekey = ''");
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

function isEmpty(db: Db): boolean {
  return (db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n === 0;
}
