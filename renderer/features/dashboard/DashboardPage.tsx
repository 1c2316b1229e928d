import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { tlpTone } from '../../components/HandlingBanner';
import { formatCalendarDate, plural } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useToday } from '../../lib/useToday';
import { followSummary, useSummaryStore } from '../../stores/summaryStore';
import { useWorkspaceStore } from '../../stores/workspaceStore';
import { BundleMarking } from '../bundles/bits';
import { dashboardRows, dashboardTotals, engagementTitle, highestTlp, type DashboardRow } from './dashboardData';
import { EngagementsTable } from './EngagementsTable';
import { SeverityStatusChart } from './SeverityStatusChart';
import { ThresholdsChart } from './ThresholdsChart';
import { TimelineChart } from './TimelineChart';

type Focus = 'all' | 'urgent' | 'awaiting' | 'changed';

const FOCUS_TEST: Record<Focus, (r: DashboardRow) => boolean> = {
  all: () => true,
  urgent: (r) => r.urgent,
  awaiting: (r) => r.e.findings.awaiting_verdict > 0,
  changed: (r) => r.e.findings.changed_since_review > 0,
};

/** A headline number; pressing it narrows the table to the engagements it counts. */
function Tile({ value, label, focus, current, onFocus, tone }: { value: number; label: string; focus: Focus; current: Focus; onFocus: (f: Focus) => void; tone?: 'urgent' }) {
  return (
    <button
      type="button"
      className={`dash-tile ${tone === 'urgent' && value > 0 ? 'dash-tile--urgent' : ''}`}
      aria-pressed={current === focus}
      onClick={() => onFocus(current === focus ? 'all' : focus)}
      data-testid={`tile-${focus}`}
    >
      <span className="dash-tile-value">{value.toLocaleString()}</span>
      <span className="dash-tile-label">{label}</span>
    </button>
  );
}

/** The charts of one engagement: its findings by severity and status, its results against thresholds. */
function EngagementCharts({ rows, chosen, onChoose }: { rows: readonly DashboardRow[]; chosen: DashboardRow; onChoose: (id: string) => void }) {
  const e = chosen.e;
  return (
    <section className="dash-section" aria-labelledby="dash-charts-title">
      <div className="dash-section-head">
        <h2 id="dash-charts-title" className="section-title">
          One engagement in detail
        </h2>
        <div className="field field--inline">
          <label htmlFor="dash-chosen">Engagement</label>
          <select id="dash-chosen" value={e.id} onChange={(ev) => onChoose(ev.target.value)}>
            {rows.map((r) => (
              <option key={r.e.id} value={r.e.id}>
                {engagementTitle(r.e)} · {r.e.developer}
              </option>
            ))}
          </select>
        </div>
      </div>
      <BundleMarking handling={e.handling} label="Marking of this engagement" />
      <p className="muted small">
        <a href={routeHash({ page: 'engagement', id: e.id })}>{engagementTitle(e)}</a>: {plural(e.results.runs, 'run')},{' '}
        {plural(e.results.results, 'result')}, {plural(e.findings.total, 'finding')}
        {e.findings.changed_since_review > 0 && `, ${e.findings.changed_since_review} changed since review`}.
      </p>
      <div className="dash-chart-pair">
        <SeverityStatusChart e={e} />
        <ThresholdsChart e={e} />
      </div>
    </section>
  );
}

/**
 * The supervisor's home: every engagement at a glance from one summary:get,
 * asked again whenever records change. Every figure opens the records behind it.
 */
export function DashboardPage() {
  const heading = useFocusHeading<HTMLHeadingElement>('dashboard');
  const today = useToday();
  const { summary, error } = useSummaryStore(useShallow((s) => ({ summary: s.summary, error: s.error })));
  const role = useWorkspaceStore((s) => s.status?.identity?.role);
  const [focus, setFocus] = useState<Focus>('all');
  const [chosenId, setChosenId] = useState<string | null>(null);

  useEffect(() => followSummary(), []);

  const rows = useMemo(() => (summary ? dashboardRows(summary, today) : []), [summary, today]);
  const totals = useMemo(() => dashboardTotals(rows), [rows]);
  const shown = useMemo(() => rows.filter(FOCUS_TEST[focus]), [rows, focus]);
  const chosen = rows.find((r) => r.e.id === chosenId) ?? rows[0];
  const tlp = highestTlp(rows);

  return (
    <article className="page page--wide dashboard" aria-labelledby="dashboard-title">
      <header className="page-header">
        <div>
          <p className="eyebrow">{formatCalendarDate(today)}</p>
          <h1 id="dashboard-title" ref={heading} tabIndex={-1}>
            Dashboard
          </h1>
          <p className="muted">
            {role === 'supervisor'
              ? 'Every engagement in this workspace: windows, verdicts awaited, determinations.'
              : 'Your engagements at a glance. Verdicts and determinations come from a supervisor.'}
          </p>
        </div>
      </header>
      {tlp && (
        <p className={`callout dash-marking dash-marking--${tlpTone(tlp)}`} data-testid="dashboard-marking">
          This screen shows records marked up to <strong>TLP:{tlp}</strong>; each engagement’s own marking is beside it.
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!summary && !error && <p role="status">Loading the summary…</p>}
      {summary && rows.length === 0 && <p className="muted">No engagements yet. Ingest a bundle or create one to see it here.</p>}
      {summary && rows.length > 0 && (
        <>
          <div className="dash-tiles" role="group" aria-label="Show in the table">
            <Tile value={totals.engagements} label={`engagements · ${plural(totals.findings, 'finding')}`} focus="all" current={focus} onFocus={setFocus} />
            <Tile value={totals.urgent} label="urgent: 7 days or fewer, or overdue" focus="urgent" current={focus} onFocus={setFocus} tone="urgent" />
            <Tile value={totals.awaiting} label="awaiting a verdict" focus="awaiting" current={focus} onFocus={setFocus} />
            <Tile value={totals.changedSinceReview} label="changed since review" focus="changed" current={focus} onFocus={setFocus} />
          </div>

          <section className="dash-section" aria-labelledby="dash-table-title">
            <h2 id="dash-table-title" className="section-title">
              Engagements{' '}
              <span className="count">
                {focus === 'all' ? rows.length : `${shown.length} of ${rows.length}`}
              </span>
            </h2>
            {shown.length === 0 ? <p className="muted">No engagement matches; press the tile again to show all.</p> : <EngagementsTable rows={shown} />}
          </section>

          <section className="dash-section" aria-labelledby="dash-timeline-title">
            <h2 id="dash-timeline-title" className="section-title">
              Timeline
            </h2>
            <TimelineChart rows={rows} today={today} />
          </section>

          {chosen && <EngagementCharts rows={rows} chosen={chosen} onChoose={setChosenId} />}
        </>
      )}
    </article>
  );
}
