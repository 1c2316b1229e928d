/**
 * `backupWorkspace`: the whole workspace in one file (shared/domain/backup.ts
 * has the format). The database goes through SQLite's online backup API, so
 * the app and the CLI may go on using the workspace meanwhile; every other
 * file of the folder is copied byte for byte, never decoded (an encrypted
 * workspace's backup stays encrypted). The container is the bundles'
 * deterministic stored ZIP writer: no ZIP64, so at most 4 GiB and 65,534
 * members, refused up front with a sentence. The file is written to a temp
 * name beside the target, fsynced and renamed: a failure or a cancel leaves
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../shared/result';
import {
  BACKUP_DATA_PREFIX,
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_MANIFEST_ENTRY,
  type BackupManifest,
  type BackupSummary,
} from '../../shared/domain/backup';
import { schemaVersion } from '../db/migrate';
import { MAX_ARCHIVE_BYTES, MAX_ENTRIES, ZipWriter, type FileEntry } from '../bundles/zipWriter';
import { fsyncPath } from '../files/durable';
import { DATABASE_FILE } from '../workspace/paths';
import type { Workspace } from '../workspace/workspace';
import { snapshotDatabase } from './snapshot';
import { listWorkspaceFiles } from './workspaceFiles';

export type BackupProgress = {
  progress?: (done: number, total: number | null, message: string) => void;
  signal?: AbortSignal;
  appVersion: string;
};

/** ZIP bytes per member besides its data: a local header and a central record, each with the name. */
const PER_MEMBER_OVERHEAD = 30 + 46;
const END_RECORD = 22;
/** Room kept for manifest.json (about 150 bytes a member). */
const MANIFEST_ALLOWANCE = (n: number) => 4096 + n * 200;

const cancelled = () => new AppError('CANCELLED', 'The backup was cancelled; no file was written.');

export async function backupWorkspace(ws: Workspace, out: string, opts: BackupProgress): Promise<Omit<BackupSummary, 'download_url'>> {
  const tag = randomBytes(6).toString('hex');
  const temp = join(dirname(out), `.${basename(out)}.${tag}.part`);
  const snapshot = join(dirname(out), `.${basename(out)}.${tag}.db.part`);
  let zip: ZipWriter | null = null;
  try {
    const created_at = ws.clock.now().toISOString();
    const version = schemaVersion(ws.db);
    const { encrypted } = await snapshotDatabase(ws.db, snapshot, opts);
    if (opts.signal?.aborted) throw cancelled();

    const files: FileEntry[] = [
      { name: `${BACKUP_DATA_PREFIX}${DATABASE_FILE}`, path: snapshot, size: (await stat(snapshot)).size },
      ...(await listWorkspaceFiles(ws.dataDir)),
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    checkBackupFits(files, ws.dataDir);

    zip = await ZipWriter.create(temp);
    const total = files.reduce((n, f) => n + f.size, 0);
    const written = await zip.addFiles(files, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onBytes: (n) => opts.progress?.(n, total, 'Copying the workspace files'),
    });
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      format_version: BACKUP_FORMAT_VERSION,
      app_version: opts.appVersion,
      schema_version: version,
      created_at,
      database_encrypted: encrypted,
      members: written.map((w) => ({ name: w.name, size: w.size, sha256: w.sha256 })),
    };
    await zip.addBuffer(BACKUP_MANIFEST_ENTRY, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    const bytes = await zip.finish();
    if (opts.signal?.aborted) throw cancelled();
    await rename(temp, out);
    await fsyncPath(dirname(out));
    return { file: out, bytes, members: files.length, schema_version: version, created_at };
  } catch (error) {
    await zip?.close();
    await rm(temp, { force: true });
    if (opts.signal?.aborted) throw cancelled();
    throw error;
  } finally {
    await rm(snapshot, { force: true });
  }
}

/** The ZIP writer has no ZIP64: say so before a byte is written rather than fail near the end. */
export function checkBackupFits(files: readonly Pick<FileEntry, 'name' | 'size'>[], dataDir: string): void {
  const bytes = files.reduce((n, f) => n + f.size + PER_MEMBER_OVERHEAD + 2 * Buffer.byteLength(f.name), 0) + MANIFEST_ALLOWANCE(files.length) + END_RECORD;
  if (files.length + 1 >= MAX_ENTRIES) {
    throw new AppError('UNSUPPORTED', `The workspace in ${dataDir} holds ${files.length} files; a backup holds at most ${MAX_ENTRIES - 2} (a ZIP without ZIP64), so copy the folder while EvalNotes is closed instead.`);
  }
  if (bytes > MAX_ARCHIVE_BYTES) {
    const gib = (bytes / 1024 ** 3).toFixed(1);
    throw new AppError('UNSUPPORTED', `The workspace in ${dataDir} holds ${gib} GiB; a backup holds at most 4 GiB (a ZIP without ZIP64), so copy the folder while EvalNotes is closed instead.`);
  }
}
