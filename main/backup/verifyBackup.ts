/**
 * Reading a backup without trusting it: the safe ZIP reader (no unsafe names,
 * links or duplicates; CRC-32 and real sizes checked), then the manifest
 * (format, versions: a newer EvalNotes's backup is refused before anything
 * else is read), then exactly the members it lists, each streamed through
 * SHA-256 and compared. Every refusal is one sentence naming the file.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError } from '../../shared/result';
import {
  BACKUP_DATA_PREFIX,
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_MANIFEST_ENTRY,
  BackupManifest,
  type BackupMember,
  type BackupReport,
} from '../../shared/domain/backup';
import { describeZodError } from '../api/dispatch';
import { LATEST_SCHEMA } from '../db/migrate';
import { MAX_ARCHIVE_BYTES, MAX_ENTRIES } from '../bundles/zipWriter';
import { openSafeZip, type SafeZip } from '../importers/safeZip';
import { LogFormatError } from '../importers/types';
import { DATABASE_FILE } from '../workspace/paths';

export const DATABASE_MEMBER = `${BACKUP_DATA_PREFIX}${DATABASE_FILE}`;
/** 65,534 members at about 150 bytes each fit easily. */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

export type VerifyProgress = {
  progress?: (done: number, total: number | null, message: string) => void;
  signal?: AbortSignal;
};

export type OpenedBackup = {
  zip: SafeZip;
  manifest: BackupManifest;
  label: string;
  /** Bytes of all members together. */
  bytes: number;
};

const FirstLook = z.looseObject({ format: z.unknown(), format_version: z.unknown(), schema_version: z.unknown() });

/** Opens a backup and checks its manifest against its ZIP directory; the caller closes `zip`. */
export async function openBackup(file: string): Promise<OpenedBackup> {
  const label = basename(file);
  const info = await stat(file).catch(() => null);
  if (!info) throw new AppError('INVALID_INPUT', `There is no file ${file}.`);
  if (!info.isFile()) throw new AppError('INVALID_INPUT', `${file} is not a file; name a backup file.`);
  let zip: SafeZip;
  try {
    zip = await openSafeZip(file, {
      label,
      duplicates: 'refuse',
      limits: { maxEntries: MAX_ENTRIES, maxEntryBytes: MAX_ARCHIVE_BYTES, maxTotalBytes: MAX_ARCHIVE_BYTES },
    });
  } catch (error) {
    throw asSentence(error);
  }
  try {
    const manifest = await readManifest(zip, label);
    checkDirectory(zip, manifest, label);
    return { zip, manifest, label, bytes: manifest.members.reduce((n, m) => n + m.size, 0) };
  } catch (error) {
    await zip.close();
    throw asSentence(error);
  }
}

/**
 * Recomputes every member's SHA-256 (`backup verify`). Resolves with what the
 * backup holds; throws one sentence at the first problem.
 */
export async function verifyBackup(file: string, opts: VerifyProgress = {}): Promise<BackupReport> {
  const opened = await openBackup(file);
  try {
    await copyMembers(opened, () => null, opts, 'Checking every file’s digest');
    const { manifest } = opened;
    return {
      file,
      members: manifest.members.length,
      bytes: opened.bytes,
      app_version: manifest.app_version,
      schema_version: manifest.schema_version,
      created_at: manifest.created_at,
      database_encrypted: manifest.database_encrypted,
    };
  } finally {
    await opened.zip.close();
  }
}

/**
 * Streams every member through SHA-256, writing each to `target(member)` when
 * it names a path (a new file: an existing one is never overwritten), and
 * compares the digest with the manifest's. Written files are fsynced.
 */
export async function copyMembers(
  { zip, manifest, label, bytes }: OpenedBackup,
  target: (m: BackupMember) => string | null,
  opts: VerifyProgress,
  message: string,
  base = { done: 0, total: bytes },
): Promise<void> {
  let done = base.done;
  opts.progress?.(done, base.total, message);
  for (const member of manifest.members) {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The job was cancelled; nothing was restored.');
    const hash = createHash('sha256');
    const from = done;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, next) {
        hash.update(chunk);
        done += chunk.length;
        opts.progress?.(done, base.total, message);
        next(null, chunk);
      },
    });
    const path = target(member);
    const sink = path === null ? discard() : createWriteStream(path, { flags: 'wx', mode: 0o600, flush: true });
    try {
      await pipeline(await zip.openStream(member.name), meter, sink, opts.signal ? { signal: opts.signal } : {});
    } catch (error) {
      if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The job was cancelled; nothing was restored.');
      throw asSentence(error);
    }
    if (done - from !== member.size || hash.digest('hex') !== member.sha256) {
      throw new AppError('INVALID_INPUT', `${label} is damaged: ${member.name} does not match the SHA-256 its manifest records.`);
    }
  }
}

async function readManifest(zip: SafeZip, label: string): Promise<BackupManifest> {
  const entry = zip.files.get(BACKUP_MANIFEST_ENTRY);
  if (!entry) throw new AppError('INVALID_INPUT', `${label} is not an EvalNotes backup (it has no ${BACKUP_MANIFEST_ENTRY}).`);
  if (entry.uncompressedSize > MAX_MANIFEST_BYTES) throw new AppError('INVALID_INPUT', `${label} is damaged: its manifest is too large.`);
  let json: unknown;
  try {
    json = JSON.parse((await zip.readBuffer(BACKUP_MANIFEST_ENTRY)).toString('utf8'));
  } catch (error) {
    if (error instanceof LogFormatError) throw error;
    throw new AppError('INVALID_INPUT', `${label} is damaged: its manifest is not valid JSON.`);
  }
  const first = FirstLook.safeParse(json);
  if (!first.success || first.data.format !== BACKUP_FORMAT) throw new AppError('INVALID_INPUT', `${label} is not an EvalNotes backup.`);
  const { format_version, schema_version } = first.data;
  if (typeof format_version === 'number' && format_version > BACKUP_FORMAT_VERSION) {
    throw new AppError('WORKSPACE_TOO_NEW', `${label} was made by a newer EvalNotes (backup format ${format_version}; this version reads ${BACKUP_FORMAT_VERSION}); update EvalNotes to restore it.`);
  }
  if (typeof schema_version === 'number' && schema_version > LATEST_SCHEMA) {
    throw new AppError(
      'WORKSPACE_TOO_NEW',
      `${label} was made by a newer EvalNotes (database schema ${schema_version}; this version knows up to ${LATEST_SCHEMA}); update EvalNotes to restore it.`,
    );
  }
  const parsed = BackupManifest.safeParse(json);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `${label} is damaged: its manifest is not valid (${describeZodError(parsed.error)}).`);
  return parsed.data;
}

/** The ZIP holds exactly the manifest and the members it lists, at the sizes it lists. */
function checkDirectory(zip: SafeZip, manifest: BackupManifest, label: string): void {
  const damaged = (what: string) => new AppError('INVALID_INPUT', `${label} is damaged: ${what}.`);
  const listed = new Map(manifest.members.map((m) => [m.name, m]));
  if (listed.size !== manifest.members.length) throw damaged('its manifest lists a file twice');
  if (!listed.has(DATABASE_MEMBER)) throw damaged('it holds no database');
  for (const e of zip.entries) {
    if (e.name === BACKUP_MANIFEST_ENTRY) continue;
    const m = listed.get(e.name);
    if (!m || e.isDirectory) throw damaged(`it holds ${JSON.stringify(e.name)}, which its manifest does not list`);
    if (m.size !== e.uncompressedSize) throw damaged(`${m.name} is ${e.uncompressedSize} bytes, not the ${m.size} its manifest records`);
  }
  for (const m of manifest.members) if (!zip.files.has(m.name)) throw damaged(`${m.name} is listed in its manifest but missing`);
}

/** Bytes read only to be hashed. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, next) => next() });
}

function asSentence(error: unknown): unknown {
  if (error instanceof LogFormatError) return new AppError('INVALID_INPUT', error.message);
  return error;
}
