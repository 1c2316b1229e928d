import type { Db } from '../open';

/**
 * Full-text search over findings, notes and samples that can show snippets.
 *
 * 0020's index was contentless, and FTS5's snippet() needs the text. This
 * migration replaces it with an *external-content* FTS5 table whose content is
 * a view over `records`: the text stays once, in the record bodies (a sample
 * carries up to 3 × 32 KB), an import still writes only the index, and
 * 'rebuild' / 'delete-all' keep working. The price of external content: to
 * remove an entry FTS5 must be given the values it indexed. Every indexed value
 * (title, body, facets) is therefore a pure function of the record's own body,
 * and a twin view computes the same columns from `record_revisions`, so the
 * superseded revision always yields exactly what was indexed
 * (main/records/searchIndex.ts). Changing what is indexed means a new migration
 * that redefines both views and rebuilds.
 *
 * Columns: display data the search results need (UNINDEXED: read from the view
 * only for the rows shown), then `title` (a finding's title, a sample's id:
 * weighted above the body), `body`, and `facets`: one token per filter value
 * (type, engagement or run, kind, severity, status, tag), so that filters are
 * part of the MATCH and never cost a row lookup per match. Searches name
 * `{title body}` so typed words never match a facet; facets weigh 0 in bm25.
 */

const SEARCHABLE = "('finding', 'note', 'sample')";

/**
 * The indexed columns, from a record body `b` of type `t`. Shared by both views.
 * FTS5 reads its content with virtual tables disabled, so json_each() cannot
 * appear here: lists are unwrapped from their (canonical, minified) JSON text
 * with replace(), and tags are split into facet tokens by a recursive CTE.
 */
function indexedColumns(t: string, b: string): string {
  const j = (path: string) => `json_extract(${b}, '$.${path}')`;
  const id = (path: string) => `replace(${j(path)}, '-', '')`;
  // ["a","b"] → a b (tags and ATLAS ids hold no quotes); NULL for an empty list.
  const words = (path: string) => `CASE WHEN json_array_length(${b}, '$.${path}') > 0 THEN replace(replace(replace(${j(path)}, '","', ' '), '["', ''), '"]', '') END`;
  // [{"id":"CWE-78","name":"OS …"},{"id":"CWE-287"}] → CWE-78 OS … CWE-287 (canonical JSON sorts id before name).
  const cwes = `CASE WHEN json_array_length(${b}, '$.cwe') > 0 THEN ltrim(replace(replace(replace(replace(${j('cwe')}, '{"id":"', ''), '","name":"', ' '), '"},', ' '), '"}]', ''), '[') END`;
  // One token per tag: 'tag' and the hex of its UTF-8 bytes, so any tag is one exact token.
  const tagFacets = `(WITH RECURSIVE split(rest, tag) AS (
      SELECT ${words('tags')} || ' ', NULL
      UNION ALL SELECT substr(rest, instr(rest, ' ') + 1), substr(rest, 1, instr(rest, ' ') - 1) FROM split WHERE rest <> '')
    SELECT group_concat('tag' || hex(tag), ' ') FROM split WHERE tag IS NOT NULL)`;
  return `
    CASE ${t} WHEN 'finding' THEN ${j('title')} WHEN 'sample' THEN ${j('sample_id')} ELSE '' END AS title,
    CASE ${t}
      WHEN 'sample' THEN concat_ws(char(10), ${j('input')}, ${j('target')}, ${j('output')})
      WHEN 'note' THEN ${j('body')}
      ELSE concat_ws(char(10), ${j('description')}, ${j('reproduction')}, ${j('impact')}, ${j('remediation')},
        ${words('tags')}, ${cwes}, ${words('atlas')}, ${j('cve_id')},
        nullif(concat_ws(' ', ${j('affected.vendor')}, ${j('affected.product')}, ${j('affected.version')}), ''))
    END AS body,
    CASE ${t}
      WHEN 'sample' THEN 'typesample run' || ${id('run_id')}
      WHEN 'note' THEN 'typenote eng' || ${id('engagement_id')}
      ELSE concat_ws(' ', 'typefinding eng' || ${id('engagement_id')}, 'kind' || ${id('kind')}, 'sev' || ${j('severity')},
        'status' || ${j('status')}, ${tagFacets})
    END AS facets`;
}

export function up(db: Db): void {
  db.exec(`
    DROP TABLE search_index;

    -- What the index holds for each live searchable record; rid = records.rowid.
    CREATE VIEW search_docs AS
    SELECT r.rowid AS rid,
      r.type AS type,
      r.id AS record_id,
      CASE r.type
        WHEN 'sample' THEN (SELECT run.parent_id FROM records AS run WHERE run.id = r.parent_id)
        ELSE json_extract(r.body, '$.engagement_id')
      END AS engagement_id,
      CASE r.type
        WHEN 'sample' THEN json_extract(r.body, '$.run_id')
        WHEN 'note' THEN json_extract(r.body, '$.on.id')
      END AS parent_id,
      CASE r.type
        WHEN 'finding' THEN json_extract(r.body, '$.title')
        WHEN 'note' THEN substr(ltrim(json_extract(r.body, '$.body'), ' ' || char(9, 10, 13)), 1, 400)
        ELSE json_extract(r.body, '$.task') || ' · ' || json_extract(r.body, '$.sample_id') || ' (epoch ' || json_extract(r.body, '$.epoch') || ')'
      END AS label,
      ${indexedColumns('r.type', 'r.body')},
      -- records.parent_id as is, so the bulk fill of a run's samples uses records_by_parent.
      r.parent_id AS by_parent
    FROM records AS r
    WHERE r.type IN ${SEARCHABLE} AND r.deleted = 0;

    -- The same indexed columns for superseded revisions: what to remove from the index.
    CREATE VIEW search_doc_revisions AS
    SELECT v.id AS id, v.revision AS revision, ${indexedColumns("json_extract(v.body, '$.type')", 'v.body')}
    FROM record_revisions AS v
    WHERE json_extract(v.body, '$.type') IN ${SEARCHABLE} AND json_extract(v.body, '$.deleted') = 0;

    CREATE VIRTUAL TABLE search_index USING fts5(
      type UNINDEXED,
      record_id UNINDEXED,
      engagement_id UNINDEXED,
      parent_id UNINDEXED,
      label UNINDEXED,
      title,
      body,
      facets,
      content = 'search_docs',
      content_rowid = 'rid',
      tokenize = 'unicode61 remove_diacritics 2'
    );
    -- ORDER BY rank: a word in the title counts four times one in the body; facets not at all.
    INSERT INTO search_index (search_index, rank) VALUES ('rank', 'bm25(0, 0, 0, 0, 0, 4.0, 1.0, 0.0)');
    INSERT INTO search_index (search_index) VALUES ('rebuild');
  `);
}
