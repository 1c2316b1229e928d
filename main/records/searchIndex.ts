/**
 * Keeps the full-text index (migration 0030: an external-content FTS5 table
 * over the view search_docs) in step with records. FTS5 indexes what the view
 * says for a row; to remove an entry it needs the values it indexed, which the
 * view search_doc_revisions recomputes from the superseded revision.
 */
import type { Db } from '../db/open';

/** Record types full-text search covers. */
export const SEARCHABLE_TYPES = ['finding', 'note', 'sample'] as const;
const searchable = new Set<string>(SEARCHABLE_TYPES);

type Body = { type: string } & Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
/** SQLite's concat_ws: NULLs are left out, empty strings are not. */
const concatWs = (sep: string, parts: (string | null)[]) => parts.filter((p): p is string => p !== null).join(sep);
/** group_concat over json_each: NULL for an empty list. */
const joined = (items: string[]) => (items.length ? items.join(' ') : null);

/**
 * The indexed title and body of a record, as the view search_docs computes them
 * (a test holds the two equal), or null for types search does not cover.
 */
export function searchDocument(record: Body): { title: string; body: string } | null {
  const r = record;
  if (r.type === 'sample') return { title: str(r.sample_id) ?? '', body: concatWs('\n', [str(r.input), str(r.target), str(r.output)]) };
  if (r.type === 'note') return { title: '', body: str(r.body) ?? '' };
  if (r.type !== 'finding') return null;
  const cwe = Array.isArray(r.cwe) ? (r.cwe as { id?: unknown; name?: unknown }[]).map((c) => concatWs(' ', [str(c.id), str(c.name)])) : [];
  const affected = r.affected as { vendor?: unknown; product?: unknown; version?: unknown } | undefined;
  const affectedText = affected ? concatWs(' ', [str(affected.vendor), str(affected.product), str(affected.version)]) : '';
  return {
    title: str(r.title) ?? '',
    body: concatWs('\n', [
      str(r.description),
      str(r.reproduction),
      str(r.impact),
      str(r.remediation),
      joined(strings(r.tags)),
      joined(cwe),
      joined(strings(r.atlas)),
      str(r.cve_id),
      affectedText === '' ? null : affectedText,
    ]),
  };
}

/** All the text of a record that full-text search sees (title, then body), or null. */
export function searchableText(record: Body): string | null {
  const doc = searchDocument(record);
  if (!doc) return null;
  return doc.title === '' ? doc.body : `${doc.title}\n${doc.body}`;
}

/** Prepared once per connection: every record write passes through here. */
const statementCache = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    isIndexed: db.prepare('SELECT 1 FROM search_index_docsize WHERE id = ?').pluck(),
    superseded: db.prepare(
      `SELECT title, body, facets FROM search_doc_revisions
       WHERE id = @id AND revision = (SELECT max(revision) FROM record_revisions WHERE id = @id AND revision < @revision)`,
    ),
    remove: db.prepare("INSERT INTO search_index (search_index, rowid, title, body, facets) VALUES ('delete', ?, ?, ?, ?)"),
    add: db.prepare('INSERT INTO search_index (rowid, title, body, facets) SELECT rid, title, body, facets FROM search_docs WHERE rid = ?'),
    addSamplesOfRun: db.prepare(
      "INSERT INTO search_index (rowid, title, body, facets) SELECT rid, title, body, facets FROM search_docs WHERE by_parent = ? AND type = 'sample'",
    ),
    rebuild: db.prepare("INSERT INTO search_index (search_index) VALUES ('rebuild')"),
    removeCurrent: db.prepare(
      "INSERT INTO search_index (search_index, rowid, title, body, facets) SELECT 'delete', rid, title, body, facets FROM search_docs WHERE rid = ?",
    ),
  };
}
function statements(db: Db) {
  let s = statementCache.get(db);
  if (!s) statementCache.set(db, (s = prepare(db)));
  return s;
}

/**
 * Replaces one record's entry in the search index after the single write
 * function stored it (the superseded revision already sits in
 * record_revisions): an update re-indexes, a tombstone leaves the index.
 */
export function indexRecord(db: Db, rowid: number | bigint, record: { type: string; id: string; revision: number; deleted: boolean }): void {
  if (!searchable.has(record.type)) return;
  const st = statements(db);
  if (st.isIndexed.get(rowid) !== undefined) {
    const old = st.superseded.get({ id: record.id, revision: record.revision }) as { title: string; body: string; facets: string } | undefined;
    if (old) st.remove.run(rowid, old.title, old.body, old.facets);
    else {
      // Indexed, yet no superseded revision says with what: cannot happen through
      // writeRecord. Rebuilding is slow but never leaves a wrong index behind.
      st.rebuild.run();
      return;
    }
  }
  if (!record.deleted) st.add.run(rowid);
}

/**
 * Removes a record's entry while its row still holds what was indexed. An
 * ingest may replace a revision in place (the equal-revision tie-break), where
 * no superseded revision tells indexRecord what to remove; call this before the
 * row changes, then indexRecord after. A row that is not indexed is left alone.
 */
export function unindexRow(db: Db, rowid: number | bigint): void {
  const st = statements(db);
  if (st.isIndexed.get(rowid) !== undefined) st.removeCurrent.run(rowid);
}

/**
 * Bulk path: a run's samples written with deferred indexing are indexed in one
 * statement after the rows are in (several times faster than row by row).
 */
export function indexSamplesOfRun(db: Db, runId: string): number {
  return statements(db).addSamplesOfRun.run(runId).changes;
}

/** A last word shorter than this matches whole words only: one or two letters begin too many words to say anything. */
export const MIN_PREFIX = 3;

/**
 * FTS5 query from what a person typed, over the text columns only (never the
 * filter facets): every word must occur; words joined by punctuation (CWE-79,
 * AML.T0051) must occur together, as a phrase. The last word matches as a
 * prefix while it is being typed (not after a trailing space), from MIN_PREFIX
 * characters on; `{ prefix: false }` asks for whole words only.
 */
export function ftsQuery(text: string, opts: { prefix?: boolean } = {}): string | null {
  const chunks = text.split(/\s+/).filter((c) => /[\p{L}\p{N}]/u.test(c));
  if (chunks.length === 0) return null;
  const prefix = opts.prefix !== false && endsInPrefix(text);
  // Inside double quotes only `"` is special (doubled); the tokenizer splits the rest.
  const phrases = chunks.map((c, i) => `"${c.replace(/"/g, '""')}"${prefix && i === chunks.length - 1 ? '*' : ''}`);
  return `{title body} : (${phrases.join(' ')})`;
}

/** Whether ftsQuery matches the last word of this text as a prefix. */
export function endsInPrefix(text: string): boolean {
  if (/\s$/.test(text)) return false;
  const last = text.split(/\s+/).filter((c) => /[\p{L}\p{N}]/u.test(c)).at(-1) ?? '';
  return (last.match(/[\p{L}\p{N}]+$/u)?.[0].length ?? 0) >= MIN_PREFIX;
}
