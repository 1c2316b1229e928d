import { rm } from 'node:fs/promises';
import { AppError } from '../../shared/result';
import { openDatabase, type Db } from '../db/open';
import { fsyncPath } from '../files/durable';

export type SnapshotProgress = {
  progress?: (done: number, total: number | null, message: string) => void;
  signal?: AbortSignal;
};

/** Pages copied per step between event-loop turns (about 4 MB at 4 KiB pages): other calls run in between. */
const PAGES_PER_STEP = 1000;

/**
 * Copies the workspace database into `dest` (a new file) while the app goes on
 * using it: SQLite's online backup API gives a consistent snapshot even with
 * other connections writing. An encrypted database (the SQLite3 Multiple
 * Ciphers driver) cannot be copied into an unkeyed file that way, and must
 * never be written out decrypted; `VACUUM INTO` writes it under the same key
 * instead. A plain snapshot is integrity-checked before it is packed, so a
 * backup's digests vouch for a sound database.
 */
export async function snapshotDatabase(db: Db, dest: string, opts: SnapshotProgress = {}): Promise<{ encrypted: boolean }> {
  const message = 'Copying the database';
  opts.progress?.(0, null, message);
  try {
    await db.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The backup was cancelled; no file was written.');
        opts.progress?.(totalPages - remainingPages, totalPages, message);
        return PAGES_PER_STEP;
      },
    });
  } catch (error) {
    await rm(dest, { force: true });
    if (!isEncryptedSource(error)) throw error;
    db.prepare('VACUUM INTO ?').run(dest);
    await fsyncPath(dest);
    return { encrypted: true };
  }
  await fsyncPath(dest);
  const copy = openDatabase(dest, { readonly: true });
  copy.close();
  return { encrypted: false };
}

/** SQLite3 Multiple Ciphers refuses a backup from a keyed database into an unkeyed one with this message. */
function isEncryptedSource(error: unknown): boolean {
  return error instanceof Error && /incompatible source and target/i.test(error.message);
}
