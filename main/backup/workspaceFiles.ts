import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/result';
import { BACKUP_DATA_PREFIX } from '../../shared/domain/backup';
import type { FileEntry } from '../bundles/zipWriter';
import { DATABASE_FILE } from '../workspace/paths';

/**
 * Files the backup must not copy from the folder: the live database and its
 * journal files (the database goes in as an online-backup snapshot instead),
 * and temp areas, whose files belong to writers still at work.
 */
const SKIPPED_TOP = new Set([DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-journal`, 'tmp']);
const SKIPPED_DIRS = new Set(['blobs/tmp']);
const ZIP_SAFE = /^[\x21-\x7e]+$/;

/**
 * Every other regular file of the workspace folder, by its path inside it:
 * the blobs and whatever else the workspace keeps beside the database (an
 * encrypted workspace's key file, say). Listed after the database snapshot, so
 * every blob the snapshot refers to is here (a blob is stored before the
 * commit that names it). Links and other special files are refused: a backup
 * copies the workspace, not what it points at.
 */
export async function listWorkspaceFiles(dataDir: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const dir = rel === '' ? dataDir : join(dataDir, rel);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (rel === '' && SKIPPED_TOP.has(entry.name)) continue;
      if (SKIPPED_DIRS.has(relPath) || entry.name.endsWith('.part')) continue;
      if (!ZIP_SAFE.test(entry.name)) {
        throw new AppError('UNSUPPORTED', `The workspace holds a file whose name a backup cannot store (${JSON.stringify(relPath)}); move it out of ${dataDir} and try again.`);
      }
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(relPath);
      } else if (entry.isFile()) {
        out.push({ name: `${BACKUP_DATA_PREFIX}${relPath}`, path, size: (await lstat(path)).size });
      } else {
        throw new AppError('UNSUPPORTED', `The workspace holds ${JSON.stringify(relPath)}, which is not a regular file; move it out of ${dataDir} and try again.`);
      }
    }
  };
  await walk('');
  return out;
}
