/**
 * `restoreBackup`: a backup back into a workspace folder. Everything is
 * checked before anything is written: the manifest, every member's SHA-256,
 * the versions (a backup made by a newer EvalNotes is refused). Then the files
 * are unpacked into a temp folder beside the target (each digest checked
 * again as it is written, so a file changed in between is caught), fsynced,
 * the database copy passes PRAGMA integrity_check, and the folder is renamed
 * into place. A refusal is one sentence and leaves nothing behind.
 *
 * The CLI restores only into a missing or empty folder. The app restores over
 * its own workspace (damaged, or replaced from the unlock screen): the old
 * folder is moved aside, never deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BACKUP_DATA_PREFIX, type RestoreSummary } from '../../shared/domain/backup';
import { AppError } from '../../shared/result';
import { openDatabase } from '../db/open';
import { schemaVersion } from '../db/migrate';
import { fsyncPath } from '../files/durable';
import { DATABASE_FILE } from '../workspace/paths';
import { copyMembers, openBackup, type OpenedBackup, type VerifyProgress } from './verifyBackup';

export type RestoreOptions = VerifyProgress & {
  /**
   * Restore over an existing workspace (the app's own): once the backup is
   * unpacked and checked, `beforeSwap` runs (the app closes the workspace) and
   * the folder is renamed to `asidePath`.
   */
  replace?: { asidePath: string; beforeSwap: () => Promise<void> };
};

export async function restoreBackup(file: string, dataDir: string, opts: RestoreOptions = {}): Promise<RestoreSummary> {
  const target = resolve(dataDir);
  const parent = dirname(target);
  if (!(await stat(parent).catch(() => null))?.isDirectory()) throw new AppError('INVALID_INPUT', `The folder ${parent} does not exist; create it first.`);
  if (!opts.replace) await requireEmptyOrMissing(target);

  const opened = await openBackup(file);
  const temp = join(parent, `.${basename(target)}.restore-${randomBytes(6).toString('hex')}`);
  try {
    const total = 2 * opened.bytes;
    await copyMembers(opened, () => null, opts, 'Checking every file’s digest', { done: 0, total });

    await mkdir(temp, { mode: 0o700 });
    const folders = new Set<string>([temp]);
    const placeOf = (name: string) => {
      const path = join(temp, ...name.slice(BACKUP_DATA_PREFIX.length).split('/'));
      for (let dir = dirname(path); dir.startsWith(temp) && !folders.has(dir); dir = dirname(dir)) folders.add(dir);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      return path;
    };
    await copyMembers(opened, (m) => placeOf(m.name), opts, 'Restoring the workspace files', { done: opened.bytes, total });
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The restore was cancelled; nothing was restored.');

    const integrityChecked = checkDatabase(opened, join(temp, DATABASE_FILE));
    // Deepest first, so each folder's new entries are durable before its parent's.
    for (const dir of [...folders].sort((a, b) => b.length - a.length)) await fsyncPath(dir);

    let movedAside: string | null = null;
    if (opts.replace) {
      await opts.replace.beforeSwap();
      if (await moveIntoPlace(temp, target, opts.replace.asidePath)) movedAside = opts.replace.asidePath;
    } else {
      await requireEmptyOrMissing(target);
      await rmdir(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await rename(temp, target);
    }
    await fsyncPath(parent);
    return {
      data_dir: target,
      members: opened.manifest.members.length,
      bytes: opened.bytes,
      schema_version: opened.manifest.schema_version,
      created_at: opened.manifest.created_at,
      integrity_checked: integrityChecked,
      moved_aside: movedAside,
    };
  } catch (error) {
    // Once renamed into place the temp folder is gone and this does nothing.
    await rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    await opened.zip.close();
  }
}

/** A name beside the workspace for the folder a restore replaces: `workspace.damaged-20260312T101500Z`. */
export function asidePathFor(dataDir: string, why: 'damaged' | 'replaced', now: Date): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${resolve(dataDir)}.${why}-${stamp}`;
}

async function requireEmptyOrMissing(target: string): Promise<void> {
  const info = await stat(target).catch(() => null);
  if (!info) return;
  if (!info.isDirectory()) throw new AppError('INVALID_INPUT', `${target} exists and is not a folder; restore into a new or empty folder.`);
  if ((await readdir(target)).length > 0) throw new AppError('INVALID_INPUT', `${target} is not empty; restore into a new or empty folder (nothing was written).`);
}

/**
 * The restored database opens, passes PRAGMA integrity_check (openDatabase),
 * is an EvalNotes workspace and is at the version its manifest records. An
 * encrypted one cannot be read without its key: the digests, checked twice,
 * vouch for it, and the app checks it when it is unlocked.
 */
function checkDatabase({ manifest, label }: OpenedBackup, path: string): boolean {
  if (manifest.database_encrypted) return false;
  let db;
  try {
    db = openDatabase(path);
  } catch (error) {
    if (error instanceof AppError) throw new AppError('INVALID_INPUT', `${label} is damaged: its database does not pass SQLite’s integrity check.`);
    throw error;
  }
  try {
    const version = schemaVersion(db);
    if (version !== manifest.schema_version) {
      throw new AppError('INVALID_INPUT', `${label} is damaged: its database is at schema ${version}, not the ${manifest.schema_version} its manifest records.`);
    }
  } finally {
    db.close();
  }
  return true;
}

/** The old folder aside (true if there was one), the new one in; if the second rename fails, the old folder goes back. */
async function moveIntoPlace(temp: string, target: string, aside: string): Promise<boolean> {
  const existed = (await stat(target).catch(() => null)) !== null;
  if (existed) await rename(target, aside);
  try {
    await rename(temp, target);
  } catch (error) {
    if (existed) await rename(aside, target);
    throw error;
  }
  return existed;
}
