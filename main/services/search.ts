import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { MARK_END, MARK_START, type SearchHit, type SearchQuery, type SearchResult, type SearchableType } from '../../shared/domain/search';
import type { Db } from '../db/open';
import { endsInPrefix, ftsQuery } from '../records/searchIndex';
import type { Workspace } from '../workspace/workspace';

/**
 * At most this many matches are ranked: the newest ones. bm25 must look at
 * every match it orders, so a word in most records would cost tens of
 * milliseconds per keystroke; past the cap the answer says `capped` and the
 * person refines the query.
 */
export const RANK_CAP = 1000;
/** Tokens of context a snippet shows around the matched words. */
const SNIPPET_TOKENS = 12;
const TITLE_MAX = 120;

/** search_index columns (migration 0030), for snippet(). */
const BODY_COLUMN = 6;

/** bm25 with migration 0030's column weights (title 4, body 1, facets 0). */
const BM25 = 'bm25(search_index, 0, 0, 0, 0, 0, 4.0, 1.0, 0.0)';

/** Of the rows FTS5 walks for a MATCH, only those in a JSON list of rowids. */
const AMONG = 'rowid <= @highest AND +rowid IN (SELECT value FROM json_each(@ids))';

/**
 * The statements, exported so tests and the benchmark run exactly these.
 * FTS5 stops early only when it walks rowids downwards to a LIMIT (`ORDER BY
 * rank`, or a lower rowid bound, visits every match), and bm25 counts every
 * record that holds each phrase it scores. So: take the newest matches, score
 * them by the typed words alone (never by a filter facet that half the
 * workspace carries), and build snippets for the best few only. `+rowid` keeps
 * an id list a filter: as a constraint FTS5 would run one lookup per id.
 */
export const searchQueries = {
  newestScored: `SELECT rowid AS id, ${BM25} AS score FROM search_index WHERE search_index MATCH @match ORDER BY rowid DESC LIMIT @take`,
  newest: 'SELECT rowid FROM search_index WHERE search_index MATCH @match ORDER BY rowid DESC LIMIT @take',
  scored: `SELECT rowid AS id, ${BM25} AS score FROM search_index WHERE search_index MATCH @match AND ${AMONG} ORDER BY rowid DESC LIMIT @count`,
  shown: `SELECT rowid AS id, type, record_id, engagement_id, parent_id, label,
      snippet(search_index, ${BODY_COLUMN}, @open, @close, '…', ${SNIPPET_TOKENS}) AS snippet
    FROM search_index WHERE search_index MATCH @match AND ${AMONG} ORDER BY rowid DESC LIMIT @count`,
  runsOfEngagement: "SELECT id FROM records WHERE parent_id = ? AND type = 'run'",
};

type Row = { id: number; type: SearchableType; record_id: string; engagement_id: string | null; parent_id: string | null; label: string | null; snippet: string | null };

/** A filter value as the single token migration 0030 puts in the facets column. */
const compactId = (id: string) => id.replace(/-/g, '');
export const facet = {
  type: (t: SearchableType) => `type${t}`,
  engagement: (id: string) => `eng${compactId(id)}`,
  run: (id: string) => `run${compactId(id)}`,
  kind: (k: string) => `kind${k.replace(/-/g, '')}`,
  severity: (s: string) => `sev${s}`,
  status: (s: string) => `status${s}`,
  /** Hex of the UTF-8 bytes: any tag becomes one token, compared exactly (SQLite's hex() in the view). */
  tag: (t: string) => `tag${Buffer.from(t, 'utf8').toString('hex')}`,
};

/**
 * Full-text search over findings, notes and samples (search:query): every
 * word, bm25 order, snippets with the matched words between MARK_START and
 * MARK_END. Deleted records are not in the index.
 */
export class SearchService {
  // Markers no stored text contains: sample text from a log may hold the bare
  // MARK characters, which must not read as highlights.
  private readonly open = `\u0002${randomBytes(8).toString('hex')}[`;
  private readonly close = `]${randomBytes(8).toString('hex')}\u0003`;

  private readonly rankCap: number;

  constructor(
    private readonly ws: Workspace,
    opts: { rankCap?: number } = {},
  ) {
    this.rankCap = opts.rankCap ?? RANK_CAP;
  }

  query(q: z.output<typeof SearchQuery>): SearchResult {
    let parts = this.matchParts(q);
    if (parts === null) return { hits: [], capped: false };
    const { db } = this.ws;
    const take = this.rankCap + 1;
    const newest = (p: { words: string; facets: string[] }) => db.prepare(searchQueries.newest).pluck().all({ match: [p.words, ...p.facets].join(' AND '), take }) as number[];
    // A word being typed that is itself a very common word: its matches alone
    // fill the cap, so rank those and spare FTS5 merging every longer word it begins.
    let ids: number[] | null = null;
    if (endsInPrefix(q.text)) {
      const whole = this.matchParts(q, { prefix: false })!;
      const wholeIds = newest(whole);
      if (wholeIds.length === take) [parts, ids] = [whole, wholeIds];
    }
    const among = (list: number[]) => ({ highest: Math.max(...list), ids: JSON.stringify(list), count: list.length });
    // One more than the cap tells whether there were more matches than were ranked.
    let scored: { id: number; score: number }[];
    let capped: boolean;
    if (parts.facets.length === 0 && ids === null) {
      scored = db.prepare(searchQueries.newestScored).all({ match: parts.words, take }) as typeof scored;
      capped = scored.length > this.rankCap;
      scored = scored.slice(0, this.rankCap);
    } else {
      ids ??= newest(parts);
      capped = ids.length > this.rankCap;
      const kept = ids.slice(0, this.rankCap);
      scored = kept.length === 0 ? [] : (db.prepare(searchQueries.scored).all({ match: parts.words, ...among(kept) }) as typeof scored);
    }
    // bm25 is lower for better matches; among equals, the newer first.
    const best = scored.sort((a, b) => a.score - b.score || b.id - a.id).slice(0, q.limit);
    if (best.length === 0) return { hits: [], capped };
    const rows = db.prepare(searchQueries.shown).all({ match: parts.words, ...among(best.map((b) => b.id)), open: this.open, close: this.close }) as Row[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { hits: best.flatMap((b) => (byId.has(b.id) ? [this.hit(byId.get(b.id)!, b.score)] : [])), capped };
  }

  /** The whole MATCH expression: the typed words over the text, AND one facet clause per filter. */
  matchExpression(q: z.output<typeof SearchQuery>): string | null {
    const parts = this.matchParts(q);
    return parts && [parts.words, ...parts.facets].join(' AND ');
  }

  private matchParts(q: z.output<typeof SearchQuery>, opts: { prefix?: boolean } = {}): { words: string; facets: string[] } | null {
    const words = ftsQuery(q.text, opts);
    if (words === null) return null;
    const facets: string[] = [];
    const anyOf = (tokens: string[]) => facets.push(`facets : (${tokens.map((t) => `"${t}"`).join(' OR ')})`);
    const types = q.types && q.types.length > 0 ? [...new Set(q.types)] : null;
    if (types) anyOf(types.map(facet.type));
    if (q.engagement_id) {
      // Samples name their run (all an index entry may depend on is the record's own body).
      const runs = !types || types.includes('sample') ? runsOf(this.ws.db, q.engagement_id) : [];
      anyOf([facet.engagement(q.engagement_id), ...runs.map(facet.run)]);
    }
    if (q.kind) anyOf([facet.kind(q.kind)]);
    if (q.severity) anyOf([facet.severity(q.severity)]);
    if (q.status) anyOf([facet.status(q.status)]);
    if (q.tag) anyOf([facet.tag(q.tag)]);
    return { words, facets };
  }

  private hit(r: Row, score: number): SearchHit {
    return {
      type: r.type,
      id: r.record_id,
      engagement_id: r.engagement_id,
      parent_id: r.type === 'finding' ? null : r.parent_id,
      title: titleOf(r.type, r.label),
      snippet: this.marked(r.snippet ?? ''),
      rank: score,
    };
  }

  private marked(raw: string): string {
    const plain = (s: string) => s.split(MARK_START).join('').split(MARK_END).join('');
    return raw
      .split(this.open)
      .map((part) => part.split(this.close).map(plain).join(MARK_END))
      .join(MARK_START);
  }
}

function runsOf(db: Db, engagementId: string): string[] {
  return db.prepare(searchQueries.runsOfEngagement).pluck().all(engagementId) as string[];
}

/** A finding's title; a note's first line; a sample's "task · id (epoch n)". One line, bounded. */
function titleOf(type: SearchableType, label: string | null): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  let title = oneLine(type === 'note' ? (label ?? '').split('\n', 1)[0]!.replace(/^\s{0,3}#{1,6}\s+/, '') : (label ?? ''));
  if (title === '') title = type === 'note' ? 'Note' : type === 'sample' ? 'Sample' : 'Finding';
  return title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
}
