import { Bar, BarChart, CartesianGrid, ReferenceLine, XAxis, YAxis, type BarShapeProps } from 'recharts';
import type { EngagementSummary, ResultAgainstThreshold } from '../../../shared/domain/summary';
import { formatMeasure } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { thresholdGroups } from './dashboardData';

const ROW = 34;
const LABEL_WIDTH = 170;

type Datum = {
  r: ResultAgainstThreshold;
  engagementId: string;
  label: string;
  /** The drawn length: 0 for NaN and ∞, which cannot be drawn (the text says so). */
  plotted: number;
  threshold: number;
  display: string;
  name: string;
};

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function toData(e: EngagementSummary, rows: ResultAgainstThreshold[]): Datum[] {
  const scorers = new Set(rows.map((r) => r.scorer));
  return rows.map((r) => {
    const label = scorers.size > 1 && r.scorer ? `${r.task} · ${r.scorer}` : r.task;
    const undrawable = Number.isNaN(r.value) ? ' (unscored, not drawn)' : Number.isFinite(r.value) ? '' : ' (not drawn)';
    const verdict = r.met ? 'meets' : 'misses';
    return {
      r,
      engagementId: e.id,
      label,
      plotted: Number.isFinite(r.value) ? r.value : 0,
      threshold: r.threshold,
      display: `${formatMeasure(r.value)} ${r.met ? '✓' : '✗'}${undrawable}`,
      name: `${r.task}, ${r.scorer || 'no scorer'}, ${r.metric}: ${formatMeasure(r.value)} ${verdict} the threshold ${r.comparison} ${formatMeasure(r.threshold)}; opens its run`,
    };
  });
}

/** The result's bar, a link to its run, with the value and ✓/✗ written after it (never colour alone). */
function ResultBar(props: BarShapeProps) {
  const d = props.payload as Datum;
  const x = Math.min(props.x, props.x + props.width);
  const width = Math.abs(props.width);
  const negative = d.plotted < 0;
  return (
    <a href={routeHash({ page: 'run', id: d.engagementId, runId: d.r.run_id })} aria-label={d.name} className="dash-svg-link">
      <title>{d.name}</title>
      <rect x={x} y={props.y} width={Math.max(width, 2)} height={props.height} rx={3} className={`chart-bar chart-bar--${d.r.met ? 'meets' : 'misses'}`} />
      <text x={negative ? x - 6 : x + width + 8} y={props.y + props.height / 2} dominantBaseline="central" textAnchor={negative ? 'end' : 'start'} className="chart-value">
        {d.display}
      </text>
    </a>
  );
}

/** The threshold as a dashed tick across the result's band (drawn by a second, hidden bar ending at the threshold). */
function ThresholdMark(props: BarShapeProps) {
  const d = props.payload as Datum;
  const at = d.threshold < 0 ? Math.min(props.x, props.x + props.width) : Math.max(props.x, props.x + props.width);
  return (
    <g aria-hidden="true">
      <line x1={at} x2={at} y1={props.y - 5} y2={props.y + props.height + 5} className="chart-threshold-halo" />
      <line x1={at} x2={at} y1={props.y - 5} y2={props.y + props.height + 5} className="chart-threshold" />
    </g>
  );
}

function MetricChart({ e, metric, rows }: { e: EngagementSummary; metric: string; rows: ResultAgainstThreshold[] }) {
  const data = toData(e, rows);
  const height = 56 + data.length * ROW;
  return (
    <figure className="chart-figure">
      <figcaption className="chart-caption">{metric}</figcaption>
      <div role="group" aria-label={`${metric}: each bar opens its run`}>
        <BarChart
          layout="vertical"
          data={data}
          height={height}
          responsive
          style={{ width: '100%', height }}
          margin={{ top: 8, right: 120, bottom: 8, left: 8 }}
          barCategoryGap="28%"
          accessibilityLayer={false}
        >
          <CartesianGrid horizontal={false} className="chart-grid" />
          <XAxis type="number" domain={[(min: number) => Math.min(0, min), 'auto']} tickFormatter={(v: number) => formatMeasure(v)} className="chart-axis" />
          <YAxis yAxisId="value" type="category" dataKey="label" width={LABEL_WIDTH} tickFormatter={(v: string) => truncate(v, 24)} className="chart-axis" />
          <YAxis yAxisId="threshold" type="category" dataKey="label" hide width={0} />
          <ReferenceLine x={0} yAxisId="value" className="chart-zero" />
          <Bar yAxisId="value" dataKey="plotted" shape={ResultBar} isAnimationActive={false} />
          <Bar yAxisId="threshold" dataKey="threshold" shape={ThresholdMark} isAnimationActive={false} />
        </BarChart>
      </div>
    </figure>
  );
}

/**
 * The chosen engagement's results against its thresholds, one small chart per
 * metric. Thresholds are local data, so this appears only where they exist.
 */
export function ThresholdsChart({ e }: { e: EngagementSummary }) {
  const groups = thresholdGroups(e.results.against_thresholds);
  return (
    <section className="results-chart dash-thresholds" aria-labelledby="dash-thresholds-title">
      <h3 id="dash-thresholds-title" className="subheading">
        Results against thresholds
      </h3>
      {groups.length === 0 ? (
        <p className="muted">No result here has a threshold in this workspace. Thresholds are local: they are entered here, never received in a bundle unless chosen.</p>
      ) : (
        <>
          <ul className="chart-legend" aria-label="Legend">
            <li>
              <span className="legend-swatch chart-bar--meets" aria-hidden="true" /> Meets threshold (✓)
            </li>
            <li>
              <span className="legend-swatch chart-bar--misses" aria-hidden="true" /> Misses threshold (✗)
            </li>
            <li>
              <span className="legend-threshold" aria-hidden="true" /> Threshold
            </li>
          </ul>
          <div className="chart-grid-list">
            {groups.map(([metric, rows]) => (
              <MetricChart key={metric} e={e} metric={metric} rows={rows} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
