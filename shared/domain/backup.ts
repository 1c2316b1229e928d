/**
 * Workspace backups (README, "Backup and restore"): a stored ZIP holding the
 * workspace folder as it is on disk under `data/` (the database as the SQLite
 * online backup API copied it, every blob byte for byte) and `manifest.json`,
 * which names every member with its size and SHA-256. The manifest sorts last,
 * so the writer can record digests it computed while streaming the members.
 */
import { z } from 'zod';
import { Timestamp } from '../dates';
import { Sha256Hex } from './ids';

export const BACKUP_FORMAT = 'evalnotes-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const BACKUP_EXTENSION = '.evbackup';
export const BACKUP_MANIFEST_ENTRY = 'manifest.json';
/** The name a backup is offered under: the day it was made, so a folder of them sorts by date. */
export function backupFileName(createdAt: string): string {
  return `evalnotes-backup-${createdAt.slice(0, 10)}${BACKUP_EXTENSION}`;
}

/** Every workspace file sits under this prefix, at its path inside the workspace folder. */
export const BACKUP_DATA_PREFIX = 'data/';

/** A member's name: `data/` and a relative path of printable ASCII, as the ZIP writer allows. */
const MemberName = z
  .string()
  .max(512)
  .regex(/^data\/[\x21-\x7e]+$/, { message: 'must be a path under data/' })
  .refine((name) => !name.split('/').some((s) => s === '' || s === '.' || s === '..'), { message: 'must not hold empty, . or .. segments' });

export const BackupMember = z.strictObject({
  name: MemberName,
  size: z.number().int().min(0),
  sha256: Sha256Hex,
});
export type BackupMember = z.infer<typeof BackupMember>;

export const BackupManifest = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  format_version: z.literal(BACKUP_FORMAT_VERSION),
  /** The EvalNotes that wrote the backup. */
  app_version: z.string().max(100),
  /** The database's migration version (PRAGMA user_version): a newer one than this app knows is refused. */
  schema_version: z.number().int().min(0),
  created_at: Timestamp,
  /**
   * An encrypted workspace's database is copied still encrypted (SQLite's backup
   * API refuses to copy it into a plain file; VACUUM INTO keeps the key), so a
   * restore cannot read it without the passphrase.
   */
  database_encrypted: z.boolean(),
  members: z.array(BackupMember).min(1).max(65_534),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** What a finished backup reports (CLI --json, the backup:create job's result). */
export const BackupSummary = z.strictObject({
  /** The file written (desktop, CLI) or the name the browser downloads it under. */
  file: z.string(),
  bytes: z.number().int().min(0),
  members: z.number().int().min(0),
  schema_version: z.number().int().min(0),
  created_at: Timestamp,
  /** Browser: the one-time URL the serve host answers with the backup. */
  download_url: z.string().nullable(),
});
export type BackupSummary = z.infer<typeof BackupSummary>;

/** A backup whose every member matched its digest. */
export const BackupReport = z.strictObject({
  file: z.string(),
  members: z.number().int().min(0),
  bytes: z.number().int().min(0),
  app_version: z.string(),
  schema_version: z.number().int().min(0),
  created_at: Timestamp,
  database_encrypted: z.boolean(),
});
export type BackupReport = z.infer<typeof BackupReport>;

export const RestoreSummary = z.strictObject({
  data_dir: z.string(),
  members: z.number().int().min(0),
  bytes: z.number().int().min(0),
  schema_version: z.number().int().min(0),
  created_at: Timestamp,
  /** PRAGMA integrity_check ran on the restored database (not possible for an encrypted one without its key). */
  integrity_checked: z.boolean(),
  /** Where the workspace that was there before went (the app's restore over a damaged or existing workspace); never deleted. */
  moved_aside: z.string().nullable(),
});
export type RestoreSummary = z.infer<typeof RestoreSummary>;
