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

    -- The hot lookups of results pages: an engagement's runs and thresholds,
    -- a run's results and samples (in insertion order, which is the log's order).
    CREATE INDEX runs_by_engagement ON records (json_extract(body, '$.engagement_id')) WHERE type = 'run';
    CREATE INDEX thresholds_by_engagement ON records (json_extract(body, '$.engagement_id')) WHERE type = 'threshold';
    CREATE INDEX results_by_run ON records (json_extract(body, '$.run_id')) WHERE type = 'result';
    CREATE INDEX samples_by_run ON records (json_extract(body, '$.run_id')) WHERE type = 'sample';
  `);
}
