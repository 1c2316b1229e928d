import type { Db } from '../open';

/*
 * A finding's shown status (DESIGN.md "Records"): the newest review of its
 * current revision by a key trusted with the supervisor role, when that review
 * decided (validated or rejected); else its author status. The findings table
 * filters and sorts 50,000 findings by it, so it is stored in finding_rows and
 * kept there by triggers, like every other column of that table.
 *
 * main/services/findings.ts states the same rule in TypeScript for one finding
 * (shownStatus); a test holds the two equal.
 */

/** Keys whose reviews count: this workspace's own key when its role is supervisor, and trusted supervisor keys. */
const IS_SUPERVISOR = 'v.author IN (SELECT key_id FROM supervisor_keys)';

/**
 * The shown status of the finding `id` at `revision` with author status `status`.
 * Ties on created_at break on the review id (UUIDv7), so every workspace that
 * holds the same records shows the same status, whatever order they arrived in.
 */
const shown = (id: string, revision: string, status: string) => `coalesce((
    SELECT nullif(v.verdict, 'needs-info') FROM review_rows AS v
    WHERE v.finding_id = ${id} AND v.finding_revision = ${revision} AND ${IS_SUPERVISOR}
    ORDER BY v.created_at DESC, v.id DESC LIMIT 1), ${status})`;

/** The newest revision of the finding a supervisor reviewed (any verdict), or NULL: below the current one means "changed since review". */
const reviewed = (id: string) => `(SELECT max(v.finding_revision) FROM review_rows AS v WHERE v.finding_id = ${id} AND ${IS_SUPERVISOR})`;

const FINDING_COLUMNS = 'rowid, id, engagement_id, title, kind, severity, severity_rank, status, shown_status, reviewed_revision, cvss_score, tags, author, revision, updated_at';
/** A finding's row from a records row (NEW in a trigger, records in the backfill). */
const findingFrom = (r: string) => `${r}.rowid, ${r}.id, ${r}.parent_id,
  json_extract(${r}.body, '$.title'), json_extract(${r}.body, '$.kind'), json_extract(${r}.body, '$.severity'),
  CASE json_extract(${r}.body, '$.severity') WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
  json_extract(${r}.body, '$.status'),
  ${shown(`${r}.id`, `${r}.revision`, `json_extract(${r}.body, '$.status')`)},
  ${reviewed(`${r}.id`)},
  json_extract(${r}.body, '$.cvss.score'), json_extract(${r}.body, '$.tags'),
  ${r}.author, ${r}.revision, ${r}.updated_at`;

const REVIEW_COLUMNS = 'rowid, id, finding_id, finding_revision, verdict, author, created_at';
const reviewFrom = (r: string) => `${r}.rowid, ${r}.id, json_extract(${r}.body, '$.finding_id'), json_extract(${r}.body, '$.finding_revision'),
  json_extract(${r}.body, '$.verdict'), ${r}.author, ${r}.created_at`;

const RECOMPUTE = `shown_status = ${shown('finding_rows.id', 'finding_rows.revision', 'finding_rows.status')}, reviewed_revision = ${reviewed('finding_rows.id')}`;
/** After a review of `findingId` came, changed or went. finding_rows.rowid = records.rowid: found through the records key. */
const refreshFinding = (findingId: string) => `UPDATE finding_rows SET ${RECOMPUTE} WHERE rowid = (SELECT rowid FROM records WHERE id = ${findingId});`;
/** After a change of who counts as a supervisor (rare): only findings with reviews can change. */
const REFRESH_REVIEWED = `UPDATE finding_rows SET ${RECOMPUTE} WHERE id IN (SELECT finding_id FROM review_rows);`;

export function up(db: Db): void {
  db.exec(`
    -- Keys whose reviews and determinations count here. The identity row and the
    -- trust store are a handful of rows, so a view costs nothing.
    CREATE VIEW supervisor_keys AS
      SELECT key_id FROM identity WHERE role = 'supervisor'
      UNION SELECT key_id FROM trusted_keys WHERE role = 'supervisor' AND untrusted_at IS NULL;

    -- Every live review, narrow (rowid = records.rowid), by any key: whether it
    -- counts is decided when read, so trusting or untrusting a key needs no rewrite.
    CREATE TABLE review_rows (
      id TEXT NOT NULL,
      finding_id TEXT NOT NULL,
      finding_revision INTEGER NOT NULL,
      verdict TEXT NOT NULL,
      author TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX review_rows_by_finding ON review_rows (finding_id, finding_revision, created_at, id);
    INSERT INTO review_rows (${REVIEW_COLUMNS}) SELECT ${reviewFrom('records')} FROM records WHERE type = 'review' AND deleted = 0;

    -- finding_rows again, with the shown status (status_rank now follows it) and
    -- the newest reviewed revision; same indexes, so every list query keeps its plan.
    DROP TRIGGER finding_rows_insert;
    DROP TRIGGER finding_rows_update;
    DROP TRIGGER finding_rows_delete;
    DROP TABLE finding_rows;
    CREATE TABLE finding_rows (
      id TEXT NOT NULL,
      engagement_id TEXT NOT NULL,
      title TEXT NOT NULL,
      kind TEXT NOT NULL,
      severity TEXT NOT NULL,
      -- critical 4 … informational 0, so the most severe sort first when descending.
      severity_rank INTEGER NOT NULL,
      -- The author status.
      status TEXT NOT NULL,
      -- The status the finding shows: a supervisor's decision on its current revision, else the author status.
      shown_status TEXT NOT NULL,
      -- The newest revision a supervisor reviewed, or NULL; below revision means changed since review.
      reviewed_revision INTEGER,
      -- 1 when a supervisor reviewed an earlier revision and none the current one: the author changed it since.
      changed_since_review INTEGER GENERATED ALWAYS AS (coalesce(reviewed_revision < revision, 0)) VIRTUAL,
      -- Lifecycle order of the shown status: draft 0 … withdrawn 5.
      status_rank INTEGER GENERATED ALWAYS AS (CASE shown_status WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 WHEN 'validated' THEN 2
        WHEN 'rejected' THEN 3 WHEN 'remediated' THEN 4 ELSE 5 END) VIRTUAL,
      cvss_score REAL,
      tags TEXT NOT NULL,
      author TEXT NOT NULL,
      revision INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX finding_rows_by_updated ON finding_rows (updated_at);
    CREATE INDEX finding_rows_by_severity ON finding_rows (severity_rank, updated_at);
    CREATE INDEX finding_rows_by_status ON finding_rows (status_rank, updated_at);
    CREATE INDEX finding_rows_by_title ON finding_rows (title COLLATE NOCASE);
    CREATE INDEX finding_rows_by_engagement ON finding_rows (engagement_id, updated_at);
    CREATE INDEX finding_rows_by_engagement_severity ON finding_rows (engagement_id, severity_rank, updated_at);
    CREATE INDEX finding_rows_by_engagement_status ON finding_rows (engagement_id, status_rank, updated_at);
    CREATE INDEX finding_rows_by_engagement_title ON finding_rows (engagement_id, title COLLATE NOCASE);
    -- After review_rows is filled, so findings reviewed before the upgrade show their verdict.
    INSERT INTO finding_rows (${FINDING_COLUMNS}) SELECT ${findingFrom('records')} FROM records WHERE type = 'finding' AND deleted = 0;

    CREATE TRIGGER finding_rows_insert AFTER INSERT ON records WHEN NEW.type = 'finding' AND NEW.deleted = 0 BEGIN
      INSERT INTO finding_rows (${FINDING_COLUMNS}) VALUES (${findingFrom('NEW')});
    END;
    CREATE TRIGGER finding_rows_update AFTER UPDATE ON records WHEN NEW.type = 'finding' BEGIN
      DELETE FROM finding_rows WHERE rowid = NEW.rowid;
      INSERT INTO finding_rows (${FINDING_COLUMNS}) SELECT ${findingFrom('NEW')} WHERE NEW.deleted = 0;
    END;
    CREATE TRIGGER finding_rows_delete AFTER DELETE ON records WHEN OLD.type = 'finding' BEGIN
      DELETE FROM finding_rows WHERE rowid = OLD.rowid;
    END;

    CREATE TRIGGER review_rows_insert AFTER INSERT ON records WHEN NEW.type = 'review' AND NEW.deleted = 0 BEGIN
      INSERT INTO review_rows (${REVIEW_COLUMNS}) VALUES (${reviewFrom('NEW')});
      ${refreshFinding("json_extract(NEW.body, '$.finding_id')")}
    END;
    CREATE TRIGGER review_rows_update AFTER UPDATE ON records WHEN NEW.type = 'review' BEGIN
      DELETE FROM review_rows WHERE rowid = NEW.rowid;
      INSERT INTO review_rows (${REVIEW_COLUMNS}) SELECT ${reviewFrom('NEW')} WHERE NEW.deleted = 0;
      ${refreshFinding("json_extract(OLD.body, '$.finding_id')")}
      ${refreshFinding("json_extract(NEW.body, '$.finding_id')")}
    END;
    CREATE TRIGGER review_rows_delete AFTER DELETE ON records WHEN OLD.type = 'review' BEGIN
      DELETE FROM review_rows WHERE rowid = OLD.rowid;
      ${refreshFinding("json_extract(OLD.body, '$.finding_id')")}
    END;

    -- Who counts as a supervisor changed: trusting, untrusting or re-roling a key, or this workspace's identity.
    CREATE TRIGGER shown_status_trust_insert AFTER INSERT ON trusted_keys BEGIN ${REFRESH_REVIEWED} END;
    CREATE TRIGGER shown_status_trust_update AFTER UPDATE OF key_id, role, untrusted_at ON trusted_keys BEGIN ${REFRESH_REVIEWED} END;
    CREATE TRIGGER shown_status_trust_delete AFTER DELETE ON trusted_keys BEGIN ${REFRESH_REVIEWED} END;
    CREATE TRIGGER shown_status_identity_insert AFTER INSERT ON identity BEGIN ${REFRESH_REVIEWED} END;
    CREATE TRIGGER shown_status_identity_update AFTER UPDATE OF key_id, role ON identity BEGIN ${REFRESH_REVIEWED} END;
    CREATE TRIGGER shown_status_identity_delete AFTER DELETE ON identity BEGIN ${REFRESH_REVIEWED} END;
  `);
}
