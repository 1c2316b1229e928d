import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { z } from 'zod';
import type { FindingRow, FindingSort } from '../../../shared/domain/finding';
import { call, errorMessage } from '../../lib/api';
import { PageFetcher } from '../../lib/pageFetcher';
import { calendarDateIn } from '../../../shared/dates';
import { formatTimestamp } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFindingsStore } from '../../stores/findingsStore';
import { useUiStore } from '../../stores/uiStore';
import { SeverityBadge, StatusBadge } from './bits';
import { KIND_LABEL } from './detailsForm';
import { SpacerRow } from '../../components/SpacerRow';
import { AuthorLabel } from '../keys/AuthorLabel';

const PAGE = 200;
const ROW_HEIGHT = 60;
const VIEW_HEIGHT = 560;

export type FindingQuery = {
  engagementId: string;
  kind?: FindingRow['kind'];
  severity?: FindingRow['severity'];
  status?: FindingRow['shown_status'];
  tag?: string;
  sort: z.infer<typeof FindingSort>;
  descending: boolean;
};

type Pages = { key: string; total: number | null; pages: Map<number, FindingRow[]>; error: string | null };

const NO_PAGES = new Map<number, FindingRow[]>();

function fetchFindings(key: string, page: number) {
  const query = JSON.parse(key) as FindingQuery;
  return call('findings:list', {
    engagement_id: query.engagementId,
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.severity ? { severity: query.severity } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    sort: query.sort,
    descending: query.descending,
    offset: page * PAGE,
    limit: PAGE,
  });
}

/**
 * Pages of findings fetched as they come into view (200 at a time, see
 * PageFetcher), never the whole list: an engagement may hold 100,000. A new
 * filter or sort starts over; a change to findings anywhere makes the pages
 * stale, and those on screen are fetched again (kept on screen until the new
 * ones arrive).
 */
function useFindingPages(q: FindingQuery) {
  const key = JSON.stringify(q);
  const version = useFindingsStore((s) => s.version);
  const [state, setState] = useState<Pages>({ key, total: null, pages: new Map(), error: null });
  const [fetcher] = useState(
    () =>
      new PageFetcher(fetchFindings, (key, page, outcome) =>
        setState((s) => {
          const same = s.key === key;
          const pages = new Map(same ? s.pages : []);
          if (!outcome.ok) return { key, total: same ? s.total : null, pages, error: errorMessage(outcome.error) };
          pages.set(page, outcome.value.rows);
          return { key, total: outcome.value.total, pages, error: null };
        }),
      ),
  );

  useEffect(() => fetcher.query(key), [fetcher, key]);

  const firstVersion = useRef(version);
  useEffect(() => {
    if (version !== firstVersion.current) fetcher.stale();
  }, [fetcher, version]);

  const fresh = state.key === key;
  return { total: fresh ? state.total : null, pages: fresh ? state.pages : NO_PAGES, error: fresh ? state.error : null, show: fetcher.show };
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A timestamp in two short lines (date, then local time) so the column stays narrow. */
function When({ ts }: { ts: string }) {
  const t = new Date(ts);
  return (
    <time dateTime={ts} title={formatTimestamp(ts)} className="when">
      {calendarDateIn(t)}
      <span className="cell-secondary">{timeFormat.format(t)}</span>
    </time>
  );
}

function rowAt(pages: Map<number, FindingRow[]>, index: number): FindingRow | undefined {
  return pages.get(Math.floor(index / PAGE))?.[index % PAGE];
}

const COLUMNS: { id: string; label: string; sort?: FindingQuery['sort']; width?: number }[] = [
  { id: 'title', label: 'Title', sort: 'title' },
  { id: 'severity', label: 'Severity', sort: 'severity', width: 150 },
  { id: 'status', label: 'Status', sort: 'status', width: 110 },
  // Narrow columns: the title needs the room, and an author or kind may take two lines.
  { id: 'author', label: 'Author', width: 115 },
  { id: 'kind', label: 'Kind', width: 115 },
  { id: 'tags', label: 'Tags', width: 80 },
  { id: 'updated', label: 'Updated', sort: 'updated', width: 110 },
];

const ARIA_SORT = { true: 'descending', false: 'ascending' } as const;

/**
 * An engagement's findings, sorted and filtered by main, fetched a page at a
 * time as the list scrolls. Each title links to the finding; clicking the row
 * opens it too.
 */
export function FindingsTable({ query, onSort }: { query: FindingQuery; onSort: (sort: FindingQuery['sort']) => void }) {
  const { total, pages, error, show } = useFindingPages(query);
  const navigate = useUiStore((s) => s.navigate);
  const scroller = useRef<HTMLDivElement>(null);
  const count = total ?? 0;
  // This build has no React Compiler, so the virtualizer's unmemoizable functions are fine as documented.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();

  const firstPage = items.length > 0 ? Math.floor((items[0]?.index ?? 0) / PAGE) : 0;
  const lastPage = items.length > 0 ? Math.floor((items[items.length - 1]?.index ?? 0) / PAGE) : 0;
  useEffect(() => show(firstPage, lastPage), [firstPage, lastPage, show]);

  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const filtered = Boolean(query.kind || query.severity || query.status || query.tag);

  return (
    <div className="findings-table">
      <p id="findings-count" className="muted" role="status">
        {total === null ? 'Loading findings…' : `${total.toLocaleString()} finding${total === 1 ? '' : 's'}${filtered ? ' match the filters' : ''}`}
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div ref={scroller} className="table-scroller" style={{ maxHeight: VIEW_HEIGHT }}>
        <table className="data-table" aria-label="Findings" aria-rowcount={count + 1} aria-describedby="findings-count">
          <colgroup>
            {COLUMNS.map((c) => (
              <col key={c.id} style={c.width ? { width: c.width } : undefined} />
            ))}
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((c) => {
                const sorted = c.sort !== undefined && query.sort === c.sort;
                return (
                  <th key={c.id} scope="col" aria-sort={sorted ? ARIA_SORT[String(query.descending) as 'true' | 'false'] : c.sort ? 'none' : undefined}>
                    {c.sort ? (
                      <button type="button" className="sort-button" onClick={() => onSort(c.sort!)}>
                        {c.label}
                        <span className="sort-mark" aria-hidden="true">
                          {sorted ? (query.descending ? '▼' : '▲') : '↕'}
                        </span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            <SpacerRow height={padTop} columns={COLUMNS.length} />
            {items.map((item) => {
              const row = rowAt(pages, item.index);
              if (!row) {
                return (
                  <tr key={`loading-${item.index}`} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }}>
                    <td colSpan={COLUMNS.length} className="muted">
                      Loading…
                    </td>
                  </tr>
                );
              }
              return (
                <tr
                  key={row.id}
                  aria-rowindex={item.index + 2}
                  className="clickable-row"
                  style={{ height: ROW_HEIGHT }}
                  data-testid="finding-row"
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest('a')) return;
                    navigate({ page: 'finding', id: row.engagement_id, findingId: row.id });
                  }}
                >
                  <td>
                    <a className="finding-link" href={routeHash({ page: 'finding', id: row.engagement_id, findingId: row.id })} title={row.title.length > 50 ? row.title : undefined}>
                      {row.title}
                    </a>
                  </td>
                  <td>
                    <SeverityBadge severity={row.severity} />
                    {row.cvss_score !== null && <span className="muted small"> {row.cvss_score.toFixed(1)}</span>}
                  </td>
                  <td>
                    <StatusBadge status={row.shown_status} />
                  </td>
                  <td data-testid="finding-row-author">
                    <AuthorLabel keyId={row.author} compact />
                  </td>
                  <td>{KIND_LABEL[row.kind]}</td>
                  <td className="excerpt" title={row.tags.join(', ')}>
                    {row.tags.length > 0 ? row.tags.join(', ') : <span className="muted">—</span>}
                  </td>
                  <td>
                    <When ts={row.updated_at} />
                  </td>
                </tr>
              );
            })}
            <SpacerRow height={padBottom} columns={COLUMNS.length} />
          </tbody>
        </table>
        {total === 0 && <p className="table-empty">{filtered ? 'No finding matches these filters.' : 'No findings yet.'}</p>}
      </div>
    </div>
  );
}
