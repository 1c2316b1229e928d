import type { z } from 'zod';
import { recordSchemas, type RecordOf, type StorableType } from '../../shared/domain/records';
import { AppError } from '../../shared/result';
import type { Db } from '../db/open';

/** Parses a stored body with its schema (which also decodes "NaN" strings). */
function parse<T extends StorableType>(type: T, body: string): RecordOf<T> {
  // TypeScript cannot narrow the schema map by a generic key.
  const schema = recordSchemas[type] as unknown as z.ZodType<RecordOf<T>>;
  return schema.parse(JSON.parse(body));
}

export function getRecord<T extends StorableType>(db: Db, type: T, id: string): RecordOf<T> {
  const row = db.prepare('SELECT body FROM records WHERE id = ? AND type = ? AND deleted = 0').get(id, type) as { body: string } | undefined;
  if (!row) throw new AppError('NOT_FOUND', `There is no ${type} with id ${id}.`);
  return parse(type, row.body);
}

export function listRecords<T extends StorableType>(db: Db, type: T): RecordOf<T>[] {
  const rows = db.prepare('SELECT body FROM records WHERE type = ? AND deleted = 0').all(type) as { body: string }[];
  return rows.map((r) => parse(type, r.body));
}

/** Every stored revision of a record, oldest first. */
export function recordRevisions<T extends StorableType>(db: Db, type: T, id: string): RecordOf<T>[] {
  const rows = db
    .prepare('SELECT body FROM (SELECT revision, body FROM record_revisions WHERE id = ? UNION ALL SELECT revision, body FROM records WHERE id = ? AND type = ?) ORDER BY revision')
    .all(id, id, type) as { body: string }[];
  return rows.map((r) => parse(type, r.body));
}
