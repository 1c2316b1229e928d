import type { Db } from '../open';

export function up(db: Db): void {
  db.exec(`
    -- Full-text search over record text (samples now; findings and notes later).
    -- Contentless: the text already lives in records.body; rowid = records.rowid.
    CREATE VIRTUAL TABLE search_index USING fts5(
      type UNINDEXED,
      body,
      content = '',
      contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2'
    );

    -- The record a record belongs to (a run's engagement, a sample's run), set by
    -- the write function from the body, so the hot lookups of the results pages
    -- (an engagement's runs and thresholds, a run's results and samples in the
    -- log's order) need no JSON parsing, neither to insert nor to query.
    ALTER TABLE records ADD COLUMN parent_id TEXT;
    CREATE INDEX records_by_parent ON records (parent_id, type) WHERE parent_id IS NOT NULL;
  `);
}
