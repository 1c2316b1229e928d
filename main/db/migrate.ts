import { AppError } from '../../shared/result';
import { APPLICATION_ID, type Db } from './open';
import { migrations, type Migration } from './migrations';

export const LATEST_SCHEMA = migrations.at(-1)?.version ?? 0;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings a database forward to `target` (default: the newest). Each migration
 * runs in its own transaction together with the version bump, so a crash leaves
 * the database at a whole version. A database newer than this app is refused.
 */
export function migrate(db: Db, path: string, target = LATEST_SCHEMA, list: readonly Migration[] = migrations): void {
  assertOrdered(list);
  const current = schemaVersion(db);
  const latest = list.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new AppError(
      'WORKSPACE_TOO_NEW',
      `The workspace ${path} was written by a newer EvalNotes (schema ${current}; this version knows up to ${latest}); update EvalNotes to open it.`,
    );
  }
  for (const m of list) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

function assertOrdered(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    const prev = list[i - 1];
    if (prev && m.version <= prev.version) throw new Error(`Migration ${m.name} is out of order`);
  });
}
