import { z } from 'zod';
import { FindingKind, Severity, ShownStatus } from './finding';
import { RecordId } from './ids';

export const SearchableType = z.enum(['finding', 'note', 'sample']);
export type SearchableType = z.infer<typeof SearchableType>;

export const SearchQuery = z.strictObject({
  /** What the person typed; every word must occur, the last one as a prefix. */
  text: z.string().max(500),
  engagement_id: RecordId.optional(),
  types: z.array(SearchableType).max(3).optional(),
  kind: FindingKind.optional(),
  severity: Severity.optional(),
  status: ShownStatus.optional(),
  tag: z.string().max(60).optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type SearchQuery = z.input<typeof SearchQuery>;

/**
 * Snippets mark matched words with these two characters (never in stored
 * text: control characters are refused), so the renderer highlights them as
 * text and no markup ever travels.
 */
export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

export const SearchHit = z.strictObject({
  type: SearchableType,
  id: RecordId,
  engagement_id: RecordId.nullable(),
  /** For samples: the run; for notes: what the note is on. Where a click goes. */
  parent_id: RecordId.nullable(),
  /** A finding's title, a note's first line, a sample's task and id. */
  title: z.string(),
  snippet: z.string(),
  /** bm25 (lower is better), for ordering across pages. */
  rank: z.number(),
});
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.strictObject({
  hits: z.array(SearchHit),
  /** True when there were more matches than were ranked (a very common word): refine the query. */
  capped: z.boolean(),
});
export type SearchResult = z.infer<typeof SearchResult>;
