import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { SampleOutcome, SampleRow } from '../../../shared/domain/imports';
import { call, errorMessage } from '../../lib/api';
import { oneLine, scoresText } from './samplesText';
import { SpacerRow } from '../../components/SpacerRow';

const PAGE = 200;
const ROW_HEIGHT = 40;
const VIEW_HEIGHT = 440;
const SEARCH_DELAY_MS = 300;

const NO_PAGES = new Map<number, SampleRow[]>();

type Pages = { filter: string; total: number | null; pages: Map<number, SampleRow[]>; error: string | null };

/**
 * Pages of a run's samples fetched as they scroll into view (200 at a time),
 * for one search query and outcome; a new filter starts over. Answers for an
 * old filter are dropped.
 */
function useSamplePages(runId: string, query: string, outcome: SampleOutcome) {
  const filter = `${outcome}\u0000${query}`;
  const [state, setState] = useState<Pages>({ filter, total: null, pages: new Map(), error: null });
  const inFlight = useRef(new Set<string>());
  const current = useRef({ runId, filter });
  current.current = { runId, filter };

  const load = useCallback(
    async (page: number) => {
      const key = `${runId}\u0000${filter}\u0000${page}`;
      if (inFlight.current.has(key)) return;
      inFlight.current.add(key);
      try {
        const result = await call('samples:list', { run_id: runId, query, outcome, offset: page * PAGE, limit: PAGE });
        if (current.current.runId !== runId || current.current.filter !== filter) return;
        setState((s) => {
          const pages = new Map(s.filter === filter ? s.pages : []);
          pages.set(page, result.rows);
          return { filter, total: result.total, pages, error: null };
        });
      } catch (error) {
        if (current.current.filter === filter) setState((s) => ({ ...s, error: errorMessage(error) }));
      } finally {
        inFlight.current.delete(key);
      }
    },
    [runId, filter, query, outcome],
  );

  // A new filter (or run) starts from its first page.
  useEffect(() => {
    setState({ filter, total: null, pages: new Map(), error: null });
    void load(0);
  }, [load, filter]);

  const fresh = state.filter === filter;
  return { total: fresh ? state.total : null, pages: fresh ? state.pages : NO_PAGES, error: state.error, load };
}

function emptyText(query: string, outcome: SampleOutcome): string {
  const which = outcome === 'all' ? 'sample' : `${outcome} sample`;
  if (query) return `No ${which} contains “${query}”.`;
  return outcome === 'all' ? 'This run has no samples.' : `This run has no ${which}s.`;
}

function rowAt(pages: Map<number, SampleRow[]>, index: number): SampleRow | undefined {
  return pages.get(Math.floor(index / PAGE))?.[index % PAGE];
}

/**
 * The run's samples: a search box (words in input, target or output), then a
 * virtualized table. Click a row, or move with Up/Down (Home/End, Page
 * Up/Down) to select it; the full sample shows below.
 */
export function SamplesTable({ runId, selectedId, onSelect }: { runId: string; selectedId: string | null; onSelect: (row: SampleRow) => void }) {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [outcome, setOutcome] = useState<SampleOutcome>('all');
  const { total, pages, error, load } = useSamplePages(runId, query, outcome);
  const [active, setActive] = useState(0);
  const [focusWanted, setFocusWanted] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    const timer = window.setTimeout(() => setQuery(draft.trim()), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [draft]);
  useEffect(() => setActive(0), [query, outcome]);

  const count = total ?? 0;
  // This build has no React Compiler, so the virtualizer's unmemoizable functions are fine as documented.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();

  // Fetch the pages the visible rows fall in.
  const firstPage = items.length > 0 ? Math.floor((items[0]?.index ?? 0) / PAGE) : 0;
  const lastPage = items.length > 0 ? Math.floor((items[items.length - 1]?.index ?? 0) / PAGE) : 0;
  useEffect(() => {
    for (let p = firstPage; p <= lastPage; p++) if (!pages.has(p)) void load(p);
  }, [firstPage, lastPage, pages, load]);

  // Keyboard moves: once the row is rendered, focus it and select it.
  useEffect(() => {
    if (!focusWanted) return;
    const el = body.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    if (!el) return;
    el.focus({ preventScroll: true });
    setFocusWanted(false);
    const row = rowAt(pages, active);
    if (row) onSelect(row);
  }, [focusWanted, active, items, pages, onSelect]);

  function moveTo(index: number) {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    setFocusWanted(true);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTableSectionElement>) {
    const perPage = Math.max(1, Math.floor(VIEW_HEIGHT / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      Home: 0,
      End: count - 1,
      PageDown: active + perPage,
      PageUp: active - perPage,
    };
    if (e.key in moves) {
      e.preventDefault();
      moveTo(moves[e.key] ?? active);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const row = rowAt(pages, active);
      if (row) onSelect(row);
    }
  }

  // One tab stop in the grid: the active row, or the first one drawn when it has scrolled away.
  const tabStop = items.some((i) => i.index === active) ? active : (items[0]?.index ?? 0);
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const status =
        total === null
      ? 'Loading samples…'
      : `${total} ${outcome === 'all' ? '' : `${outcome} `}${total === 1 ? 'sample' : 'samples'}${query ? ` with “${query}”` : ''}`;

  return (
    <div className="samples-table">
      <div className="table-toolbar">
        <div className="field field--inline">
          <label htmlFor="samples-search">Search samples</label>
          <input
            id="samples-search"
            type="search"
            value={draft}
            placeholder="Words in input, target or output"
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown' && count > 0) {
                e.preventDefault();
                moveTo(active);
              }
            }}
            aria-describedby="samples-count"
          />
        </div>
        <div className="field field--inline field--compact">
          <label htmlFor="samples-outcome">Show</label>
          <select id="samples-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as SampleOutcome)}>
            <option value="all">All samples</option>
            <option value="solved">Solved (scored correct)</option>
            <option value="unsolved">Unsolved (scored incorrect)</option>
          </select>
        </div>
        <p id="samples-count" className="muted" role="status">
          {status}
        </p>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div ref={scroller} className="table-scroller" style={{ maxHeight: VIEW_HEIGHT }}>
        <table className="data-table data-table--samples" role="grid" aria-label="Samples" aria-rowcount={count + 1} aria-readonly="true">
          <colgroup>
            <col style={{ width: '11%' }} />
            <col style={{ width: '7%' }} />
            <col style={{ width: '12%' }} />
            <col style={{ width: '30%' }} />
            <col style={{ width: '30%' }} />
            <col style={{ width: '10%' }} />
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col">Sample</th>
              <th scope="col">Epoch</th>
              <th scope="col">Score</th>
              <th scope="col">Input</th>
              <th scope="col">Output</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody ref={body} onKeyDown={onKeyDown}>
            <SpacerRow height={padTop} columns={6} />
            {items.map((item) => {
              const row = rowAt(pages, item.index);
              const selected = row !== undefined && row.id === selectedId;
              return (
                <tr
                  key={row?.id ?? `loading-${item.index}`}
                  data-index={item.index}
                  aria-rowindex={item.index + 2}
                  aria-selected={selected}
                  tabIndex={item.index === tabStop ? 0 : -1}
                  className={`sample-row ${selected ? 'is-selected' : ''}`}
                  style={{ height: ROW_HEIGHT }}
                  onFocus={() => setActive(item.index)}
                  onClick={() => {
                    setActive(item.index);
                    if (row) onSelect(row);
                  }}
                >
                  {row ? (
                    <>
                      <td className="mono">{row.sample_id}</td>
                      <td>{row.epoch}</td>
                      <td>{scoresText(row.scores)}</td>
                      <td className="excerpt" title={oneLine(row.input, 600)}>
                        {oneLine(row.input)}
                      </td>
                      <td className="excerpt" title={oneLine(row.output, 600)}>
                        {oneLine(row.output)}
                      </td>
                      <td className="excerpt">{row.error ? <span className="error-text">{oneLine(row.error, 80)}</span> : <span className="muted">—</span>}</td>
                    </>
                  ) : (
                    <td colSpan={6} className="muted">
                      Loading…
                    </td>
                  )}
                </tr>
              );
            })}
            <SpacerRow height={padBottom} columns={6} />
          </tbody>
        </table>
        {total === 0 && <p className="table-empty">{emptyText(query, outcome)}</p>}
      </div>
      {count > 0 && selectedId === null && <p className="muted table-hint">Select a sample (click, or Up and Down) to read it in full below.</p>}
    </div>
  );
}
