import type { Db } from '../open';

/** A finding's row as the table shows it, from a records row (NEW in a trigger, records in the backfill). */
const rowFrom = (r: string) => `${r}.rowid, ${r}.id, ${r}.parent_id,
  json_extract(${r}.body, '$.title'), json_extract(${r}.body, '$.kind'), json_extract(${r}.body, '$.severity'),
  CASE json_extract(${r}.body, '$.severity') WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
  json_extract(${r}.body, '$.status'), json_extract(${r}.body, '$.cvss.score'), json_extract(${r}.body, '$.tags'),
  ${r}.author, ${r}.revision, ${r}.updated_at`;
const COLUMNS = 'rowid, id, engagement_id, title, kind, severity, severity_rank, status, cvss_score, tags, author, revision, updated_at';

export function up(db: Db): void {
  db.exec(`
    -- The findings table's columns, kept apart from the records' bodies. A
    -- finding's body carries its Markdown (kilobytes), so filtering, counting and
    -- sorting 100,000 findings over the bodies reads them all (~0.5 s); over
    -- these narrow rows it stays in milliseconds. Derived data, like an index:
    -- the triggers below keep it in step with records in the same statement,
    -- so it never disagrees with them (rowid = records.rowid; tombstones have
    -- no row). Only live findings are here.
    CREATE TABLE finding_rows (
      id TEXT NOT NULL,
      engagement_id TEXT NOT NULL,
      title TEXT NOT NULL,
      kind TEXT NOT NULL,
      severity TEXT NOT NULL,
      -- critical 4 … informational 0, so the most severe sort first when descending.
      severity_rank INTEGER NOT NULL,
      -- The author status; the status a finding shows comes with reviews (supervisor issue).
      status TEXT NOT NULL,
      -- Lifecycle order: draft 0 … withdrawn 5.
      status_rank INTEGER GENERATED ALWAYS AS (CASE status WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 WHEN 'validated' THEN 2
        WHEN 'rejected' THEN 3 WHEN 'remediated' THEN 4 ELSE 5 END) VIRTUAL,
      cvss_score REAL,
      tags TEXT NOT NULL,
      author TEXT NOT NULL,
      revision INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    -- One index per order the table offers, over all findings and within one
    -- engagement. Index entries end with the rowid, the tie-break of every
    -- order, so any page (even the last of 100,000) is read straight from an index.
    CREATE INDEX finding_rows_by_updated ON finding_rows (updated_at);
    CREATE INDEX finding_rows_by_severity ON finding_rows (severity_rank, updated_at);
    CREATE INDEX finding_rows_by_status ON finding_rows (status_rank, updated_at);
    CREATE INDEX finding_rows_by_title ON finding_rows (title COLLATE NOCASE);
    CREATE INDEX finding_rows_by_engagement ON finding_rows (engagement_id, updated_at);
    CREATE INDEX finding_rows_by_engagement_severity ON finding_rows (engagement_id, severity_rank, updated_at);
    CREATE INDEX finding_rows_by_engagement_status ON finding_rows (engagement_id, status_rank, updated_at);
    CREATE INDEX finding_rows_by_engagement_title ON finding_rows (engagement_id, title COLLATE NOCASE);

    CREATE TRIGGER finding_rows_insert AFTER INSERT ON records WHEN NEW.type = 'finding' AND NEW.deleted = 0 BEGIN
      INSERT INTO finding_rows (${COLUMNS}) VALUES (${rowFrom('NEW')});
    END;
    CREATE TRIGGER finding_rows_update AFTER UPDATE ON records WHEN NEW.type = 'finding' BEGIN
      DELETE FROM finding_rows WHERE rowid = NEW.rowid;
      INSERT INTO finding_rows (${COLUMNS}) SELECT ${rowFrom('NEW')} WHERE NEW.deleted = 0;
    END;
    CREATE TRIGGER finding_rows_delete AFTER DELETE ON records WHEN OLD.type = 'finding' BEGIN
      DELETE FROM finding_rows WHERE rowid = OLD.rowid;
    END;

    INSERT INTO finding_rows (${COLUMNS}) SELECT ${rowFrom('records')} FROM records WHERE type = 'finding' AND deleted = 0;
  `);
}
