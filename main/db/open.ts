/**
 * The one module that loads the SQLite driver. Swapping in the encrypting
 * drop-in fork (better-sqlite3-multiple-ciphers) changes this file only.
 */
import Database from 'better-sqlite3';
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
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError('WORKSPACE_DAMAGED', `The workspace database ${path} is damaged or not a database; restore it from a backup.`);
    }
    if (code === 'SQLITE_CANTOPEN') {
      throw new AppError('WORKSPACE_DAMAGED', `Cannot open the workspace database ${path}; check that the folder exists and is writable.`);
    }
    throw error;
  }
}

function isEmpty(db: Db): boolean {
  return (db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number }).n === 0;
}
