import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createSortedRowModel,
  globalFilteringFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
  useTable,
  type Row,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { RunWithResults } from '../../../shared/domain/imports';
import type { MetricResult, Run, RunStatus, Threshold } from '../../../shared/domain/run';
import { calendarDateIn } from '../../../shared/dates';
import { formatTimestamp } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useUiStore } from '../../stores/uiStore';
import { RunStatusBadge, ValueWithError, VerdictBadge } from './bits';
import { indexThresholds, keyResult, verdictFor, type Verdict } from './thresholds';
import { SpacerRow } from '../../components/SpacerRow';

/** One line of the runs table: the run, flattened for sorting and filtering. */
type RunRow = {
  id: string;
  engagementId: string;
  task: string;
  model: string;
  format: Run['format'];
  status: RunStatus;
  key: MetricResult | undefined;
  keyVerdict: Verdict | null;
  /** Sort value of the key metric: NaN sorts after every number. */
  keyValue: number;
  met: number;
  missed: number;
  samples: number | null;
  started: string;
  completed: string;
};

export const FORMAT_LABEL: Record<Run['format'], string> = {
  manual: 'Manual entry',
  'inspect-json': 'Inspect JSON',
  'inspect-eval': 'Inspect .eval',
  'lm-eval-results': 'lm-eval results',
  'lm-eval-samples': 'lm-eval samples',
};

const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
});

const helper = createColumnHelper<typeof features, RunRow>();

/** Numbers ascending with NaN last whichever way the column sorts: unscored is not small. */
function numberSort(a: Row<typeof features, RunRow>, b: Row<typeof features, RunRow>, id: string): number {
  const x = a.getValue<number | null>(id) ?? Number.NaN;
  const y = b.getValue<number | null>(id) ?? Number.NaN;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
  return x - y;
}

const columns = helper.columns([
  helper.accessor('task', {
    header: 'Task',
    sortFn: 'alphanumeric',
    cell: (c) => (
      <>
        <a
          className="run-link"
          href={routeHash({ page: 'run', id: c.row.original.engagementId, runId: c.row.original.id })}
          title={c.getValue().length > 60 ? c.getValue() : undefined}
        >
          {c.getValue()}
        </a>
        <span className="cell-secondary">{FORMAT_LABEL[c.row.original.format]}</span>
      </>
    ),
  }),
  helper.accessor('model', { header: 'Model', sortFn: 'alphanumeric', enableGlobalFilter: false, cell: (c) => <span className="break">{c.getValue()}</span> }),
  helper.accessor('status', {
    header: 'Status',
    sortFn: 'alphanumeric',
    enableGlobalFilter: false,
    cell: (c) => <RunStatusBadge status={c.getValue()} short />,
  }),
  helper.accessor('keyValue', {
    header: 'Key result',
    sortFn: numberSort,
    enableGlobalFilter: false,
    cell: (c) => {
      const { key: r, keyVerdict, met, missed } = c.row.original;
      if (!r) return <span className="muted">No results</span>;
      return (
        <>
          <span className="key-result">
            <span className="key-result-metric">{r.metric}</span> <ValueWithError value={r.value} stderr={r.stderr} />
            {r.n !== undefined && <span className="muted"> (n = {r.n})</span>}
          </span>
          {(keyVerdict || met + missed > 0) && (
            <span className="threshold-tally">
              {keyVerdict && <VerdictBadge verdict={keyVerdict} compact />}
              {/* The tally adds something only when other results have thresholds too. */}
              {met + missed > (keyVerdict ? 1 : 0) && met > 0 && (
                <span className="tally tally--meets">
                  <span aria-hidden="true">✓</span> {met} met
                </span>
              )}
              {met + missed > (keyVerdict ? 1 : 0) && missed > 0 && (
                <span className="tally tally--misses">
                  <span aria-hidden="true">✗</span> {missed} missed
                </span>
              )}
            </span>
          )}
        </>
      );
    },
  }),
  helper.accessor('samples', {
    header: 'Samples',
    sortFn: numberSort,
    enableGlobalFilter: false,
    cell: (c) => c.getValue() ?? <span className="muted">—</span>,
  }),
  helper.accessor('started', {
    header: 'Started',
    sortFn: 'basic',
    enableGlobalFilter: false,
    cell: (c) => <When ts={c.getValue()} />,
  }),
  helper.accessor('completed', {
    header: 'Completed',
    sortFn: 'basic',
    enableGlobalFilter: false,
    cell: (c) => <When ts={c.getValue()} />,
  }),
]);

/** Fixed widths for the short columns; task and model share what is left. */
const COLUMN_WIDTHS: Record<string, number | undefined> = {
  status: 108,
  keyValue: 200,
  samples: 96,
  started: 100,
  completed: 108,
};

const STATUS_WORDS: Record<RunStatus, string> = { success: 'success', error: 'error', cancelled: 'cancelled', started: 'started not finished' };

/** The filter box reads task, model, source and status (in its words and its code), whichever column it is called for. */
function matchesFilter(row: Row<typeof features, RunRow>, _columnId: string, filterValue: unknown): boolean {
  const words = (typeof filterValue === 'string' ? filterValue : '')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
  const r = row.original;
  const haystack = [r.task, r.model, r.status, STATUS_WORDS[r.status], r.format, FORMAT_LABEL[r.format]].join(' ').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

const ROW_HEIGHT = 52;
const VIEW_HEIGHT = 560;

function toRows(runs: readonly RunWithResults[], thresholds: readonly Threshold[]): RunRow[] {
  const index = indexThresholds(thresholds);
  return runs.map(({ run, results }) => {
    const key = keyResult(results);
    const verdicts = results.map((r) => verdictFor(r, index)).filter((v): v is Verdict => v !== null);
    return {
      id: run.id,
      engagementId: run.engagement_id,
      task: run.task,
      model: run.model,
      format: run.format,
      status: run.status,
      key,
      keyVerdict: key ? verdictFor(key, index) : null,
      keyValue: key ? key.value : Number.NaN,
      met: verdicts.filter((v) => v.meets).length,
      missed: verdicts.filter((v) => !v.meets).length,
      samples: run.sample_count ?? null,
      started: run.started_at ?? '',
      completed: run.completed_at ?? '',
    };
  });
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A timestamp in two short lines (ISO date, then local time) so the column stays narrow. */
function When({ ts }: { ts: string }) {
  const t = new Date(ts);
  if (!ts || Number.isNaN(t.getTime())) return <span className="muted">—</span>;
  return (
    <time dateTime={ts} title={formatTimestamp(ts)} className="when">
      {calendarDateIn(t)}
      <span className="cell-secondary">{timeFormat.format(t)}</span>
    </time>
  );
}

const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

/**
 * The engagement's runs: sortable by any column (click a header), filtered by
 * the text box over task, model, source and status, virtualized so thousands
 * of runs stay smooth. Each task is a link to its run page (the keyboard's way
 * in); clicking anywhere on the row opens it too.
 */
export function RunsTable({ runs, thresholds }: { runs: readonly RunWithResults[]; thresholds: readonly Threshold[] }) {
  const navigate = useUiStore((s) => s.navigate);
  const data = useMemo(() => toRows(runs, thresholds), [runs, thresholds]);
  const [sorting, setSorting] = useState<SortingState>([]);
  const [filter, setFilter] = useState('');
  const table = useTable({
    features,
    columns,
    data,
    getRowId: (r) => r.id,
    state: { sorting, globalFilter: filter },
    onSortingChange: setSorting,
    onGlobalFilterChange: (updater: unknown) =>
      setFilter((old) => {
        const next: unknown = typeof updater === 'function' ? (updater as (o: string) => unknown)(old) : updater;
        return typeof next === 'string' ? next : '';
      }),
    globalFilterFn: matchesFilter,
    // One eligible column, so the row-level test runs once per row.
    getColumnCanGlobalFilter: (column) => column.id === 'task',
  });
  const rows = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  // This build has no React Compiler, so the virtualizer's unmemoizable functions are fine as documented.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (i) => rows[i]?.id ?? i,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;

  return (
    <div className="runs-table">
      <div className="table-toolbar">
        <div className="field field--inline">
          <label htmlFor="runs-filter">Filter runs</label>
          <input
            id="runs-filter"
            type="search"
            value={filter}
            placeholder="Task, model, source or status"
            onChange={(e) => setFilter(e.target.value)}
            aria-describedby="runs-count"
          />
        </div>
        <p id="runs-count" className="muted" role="status">
          {rows.length === data.length ? `${data.length} run${data.length === 1 ? '' : 's'}` : `${rows.length} of ${data.length} runs match`}
        </p>
      </div>
      <div ref={scroller} className="table-scroller" style={{ maxHeight: VIEW_HEIGHT }}>
        <table className="data-table" aria-label="Runs" aria-rowcount={rows.length + 1}>
          <colgroup>
            {table.getHeaderGroups()[0]?.headers.map((h) => (
              <col key={h.id} style={COLUMN_WIDTHS[h.id] ? { width: COLUMN_WIDTHS[h.id] } : undefined} />
            ))}
          </colgroup>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} aria-rowindex={1}>
                {group.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  return (
                    <th key={h.id} scope="col" aria-sort={sorted ? ARIA_SORT[sorted] : 'none'}>
                      <button type="button" className="sort-button" onClick={h.column.getToggleSortingHandler()}>
                        <table.FlexRender header={h} />
                        <span className="sort-mark" aria-hidden="true">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            <SpacerRow height={padTop} columns={columns.length} />
            {items.map((item) => {
              const row = rows[item.index];
              if (!row) return null;
              return (
                <tr
                  key={row.id}
                  data-index={item.index}
                  ref={virtualizer.measureElement}
                  aria-rowindex={item.index + 2}
                  className="clickable-row"
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest('a')) return;
                    navigate({ page: 'run', id: row.original.engagementId, runId: row.id });
                  }}
                >
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              );
            })}
            <SpacerRow height={padBottom} columns={columns.length} />
          </tbody>
        </table>
        {rows.length === 0 && data.length > 0 && <p className="table-empty">No run matches “{filter}”.</p>}
      </div>
    </div>
  );
}
