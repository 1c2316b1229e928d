import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openDatabase } from '../../../main/db/open';

/**
 * Everything a request could have changed in a workspace, in a form toEqual can
 * compare and show the difference of: every row of every table (through a
 * read-only connection, so taking it changes nothing), and every other file
 * under the given folders (blobs, uploads) with its SHA-256.
 */
export type WorkspaceSnapshot = { tables: Record<string, string[]>; files: Record<string, string> };

const DATABASE = 'evalnotes.db';

function rowText(row: unknown): string {
  return JSON.stringify(row, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
    return typeof value === 'bigint' ? `bigint:${value}` : value;
  });
}

function tables(dataDir: string): Record<string, string[]> {
  const db = openDatabase(join(dataDir, DATABASE), { readonly: true, integrityCheck: false });
  try {
    // Virtual tables (FTS) are skipped: their shadow tables hold the same content and are plain tables.
    const names = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")
      .pluck()
      .all() as string[];
    const out: Record<string, string[]> = {};
    for (const name of names) out[name] = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all().map(rowText).sort();
    return out;
  } finally {
    db.close();
  }
}

function filesUnder(root: string, label: string, into: Record<string, string>): void {
  if (!existsSync(root)) return;
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(root, path);
    if (label === 'workspace' && name.startsWith(DATABASE)) continue;
    into[`${label}/${name}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
}

/** `folders` names other places a request could write to (the serve host's upload area). */
export function workspaceSnapshot(dataDir: string, folders: Record<string, string> = {}): WorkspaceSnapshot {
  const files: Record<string, string> = {};
  filesUnder(dataDir, 'workspace', files);
  for (const [label, path] of Object.entries(folders)) filesUnder(path, label, files);
  return { tables: tables(dataDir), files };
}
