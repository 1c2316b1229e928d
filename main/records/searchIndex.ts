import type { Db } from '../db/open';

/** The text of a record that full-text search sees, by record type. */
export function searchableText(record: { type: string } & Record<string, unknown>): string | null {
  if (record.type === 'sample') return [record.sample_id, record.input, record.target, record.output].filter((v) => typeof v === 'string').join('\n');
  return null;
}

const SAMPLE_TEXT_SQL = `json_extract(body, '$.sample_id') || char(10) || json_extract(body, '$.input') || char(10) ||
  json_extract(body, '$.target') || char(10) || json_extract(body, '$.output')`;

/** Replaces one record's entry in the search index (tombstones leave it out). */
export function indexRecord(db: Db, rowid: number | bigint, record: { type: string; deleted: boolean } & Record<string, unknown>): void {
  db.prepare('DELETE FROM search_index WHERE rowid = ?').run(rowid);
  const text = record.deleted ? null : searchableText(record);
  if (text !== null) db.prepare('INSERT INTO search_index (rowid, type, body) VALUES (?, ?, ?)').run(rowid, record.type, text);
}

/**
 * Bulk path: a run's samples written with deferred indexing are indexed in one
 * statement after the rows are in (several times faster than row by row).
 */
export function indexSamplesOfRun(db: Db, runId: string): number {
  return db
    .prepare(
      `INSERT INTO search_index (rowid, type, body)
       SELECT rowid, 'sample', ${SAMPLE_TEXT_SQL} FROM records
       WHERE parent_id = ? AND type = 'sample' AND deleted = 0`,
    )
    .run(runId).changes;
}

/** FTS5 query from what a person typed: every word must occur (prefix match on the last). */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}
