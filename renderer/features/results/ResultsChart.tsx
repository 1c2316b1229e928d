import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis, type BarShapeProps, type TooltipContentProps } from 'recharts';
import type { MetricResult, Threshold } from '../../../shared/domain/run';
import { formatMeasure } from '../../lib/format';
import { isSpreadMetric, thresholdLabel, verdictFor, type ThresholdIndex } from './thresholds';

/** One bar: a result, its plotted length (0 for NaN and ∞, which cannot be drawn) and its threshold. */
type Datum = {
  label: string;
  display: string;
  plotted: number;
  threshold: number | undefined;
  thresholdRule: Threshold | undefined;
  verdict: 'meets' | 'misses' | 'none';
  stderr: number | undefined;
  n: number | undefined;
};

const ROW = 34;
const LABEL_WIDTH = 190;

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function groupByMetric(results: readonly MetricResult[]): Map<string, MetricResult[]> {
  const groups = new Map<string, MetricResult[]>();
  for (const r of results) {
    if (isSpreadMetric(r.metric)) continue;
    groups.set(r.metric, [...(groups.get(r.metric) ?? []), r]);
  }
  return groups;
}

function toData(results: readonly MetricResult[], index: ThresholdIndex): Datum[] {
  const tasks = new Set(results.map((r) => r.task));
  const scorers = new Set(results.map((r) => r.scorer));
  return results.map((r) => {
    const v = verdictFor(r, index);
    const label = [tasks.size > 1 || scorers.size <= 1 ? r.task : null, scorers.size > 1 && r.scorer ? r.scorer : null].filter(Boolean).join(' · ');
    const mark = v ? (v.meets ? ' ✓' : ' ✗') : '';
    // A value that cannot be drawn says so instead of looking like a zero.
    const undrawable = Number.isNaN(r.value) ? ' (unscored, not drawn)' : Number.isFinite(r.value) ? '' : ' (not drawn)';
    return {
      label: label || r.task,
      display: `${formatMeasure(r.value)}${mark}${undrawable}`,
      plotted: Number.isFinite(r.value) ? r.value : 0,
      threshold: v?.threshold.value,
      thresholdRule: v?.threshold,
      verdict: v ? (v.meets ? 'meets' : 'misses') : 'none',
      stderr: r.stderr,
      n: r.n,
    };
  });
}

/** The value bar with its number (and ✓/✗) written after it, so the chart never relies on colour alone. */
function ValueBar(props: BarShapeProps) {
  const d = props.payload as Datum;
  const x = Math.min(props.x, props.x + props.width);
  const width = Math.abs(props.width);
  const negative = d.plotted < 0;
  return (
    <g>
      <rect x={x} y={props.y} width={width} height={props.height} rx={3} className={`chart-bar chart-bar--${d.verdict}`} />
      <text
        x={negative ? x - 6 : x + width + 6}
        y={props.y + props.height / 2}
        dominantBaseline="central"
        textAnchor={negative ? 'end' : 'start'}
        className="chart-value"
      >
        {d.display}
      </text>
    </g>
  );
}

/** The threshold as a dashed tick across the bar's band, at the threshold's value. */
function ThresholdMark(props: BarShapeProps) {
  const d = props.payload as Datum;
  if (d.threshold === undefined) return <g />;
  const at = d.threshold < 0 ? Math.min(props.x, props.x + props.width) : Math.max(props.x, props.x + props.width);
  // A halo in the background colour keeps the dashes visible on top of any bar.
  return (
    <g>
      <line x1={at} x2={at} y1={props.y - 5} y2={props.y + props.height + 5} className="chart-threshold-halo" />
      <line x1={at} x2={at} y1={props.y - 5} y2={props.y + props.height + 5} className="chart-threshold" />
    </g>
  );
}

function ChartTooltip({ active, payload }: TooltipContentProps) {
  const d = (payload[0]?.payload ?? null) as Datum | null;
  if (!active || !d) return null;
  return (
    <div className="chart-tooltip">
      <p className="chart-tooltip-title">{d.label}</p>
      <p>
        Value <strong>{d.display}</strong>
        {d.stderr !== undefined && ` ± ${formatMeasure(d.stderr)}`}
        {d.n !== undefined && ` (n = ${d.n})`}
      </p>
      {d.thresholdRule ? (
        <p>
          {d.verdict === 'meets' ? 'Meets' : 'Misses'} the threshold {thresholdLabel(d.thresholdRule)}
        </p>
      ) : (
        <p className="muted">No threshold set</p>
      )}
    </div>
  );
}

function MetricChart({ metric, results, index }: { metric: string; results: MetricResult[]; index: ThresholdIndex }) {
  const data = toData(results, index);
  const height = 56 + data.length * ROW;
  const summary = data.map((d) => `${d.label}: ${d.display}${d.thresholdRule ? ` (threshold ${thresholdLabel(d.thresholdRule)})` : ''}`).join('; ');
  return (
    <figure className="chart-figure">
      <figcaption className="chart-caption">{metric}</figcaption>
      <div role="img" aria-label={`${metric} per task: ${summary}`}>
        <BarChart
          layout="vertical"
          data={data}
          height={height}
          responsive
          style={{ width: '100%', height }}
          margin={{ top: 8, right: 72, bottom: 8, left: 8 }}
          barCategoryGap="28%"
          accessibilityLayer={false}
        >
          <CartesianGrid horizontal={false} className="chart-grid" />
          <XAxis type="number" domain={[(min: number) => Math.min(0, min), 'auto']} tickFormatter={(v: number) => formatMeasure(v)} className="chart-axis" />
          <YAxis
            yAxisId="value"
            type="category"
            dataKey="label"
            width={LABEL_WIDTH}
            tickFormatter={(v: string) => truncate(v, 26)}
            className="chart-axis"
          />
          <YAxis yAxisId="threshold" type="category" dataKey="label" hide width={0} />
          <ReferenceLine x={0} yAxisId="value" className="chart-zero" />
          <Tooltip content={ChartTooltip} cursor={false} />
          <Bar yAxisId="value" dataKey="plotted" shape={ValueBar} isAnimationActive={false} />
          <Bar yAxisId="threshold" dataKey="threshold" shape={ThresholdMark} isAnimationActive={false} />
        </BarChart>
      </div>
    </figure>
  );
}

/**
 * Results per task compared with their thresholds: one small chart per
 * metric (each on its own scale), a bar per task, the threshold as a dashed
 * tick. The metrics table above says the same in words.
 */
export function ResultsChart({ results, index }: { results: readonly MetricResult[]; index: ThresholdIndex }) {
  const groups = [...groupByMetric(results)];
  if (groups.length === 0) return null;
  return (
    <section className="results-chart" aria-labelledby="chart-title">
      <h2 id="chart-title" className="section-title">
        Results compared with thresholds
      </h2>
      <ul className="chart-legend" aria-label="Legend">
        <li>
          <span className="legend-swatch chart-bar--meets" aria-hidden="true" /> Meets threshold (✓)
        </li>
        <li>
          <span className="legend-swatch chart-bar--misses" aria-hidden="true" /> Misses threshold (✗)
        </li>
        <li>
          <span className="legend-swatch chart-bar--none" aria-hidden="true" /> No threshold
        </li>
        <li>
          <span className="legend-threshold" aria-hidden="true" /> Threshold
        </li>
      </ul>
      <div className="chart-grid-list">
        {groups.map(([metric, rs]) => (
          <MetricChart key={metric} metric={metric} results={rs} index={index} />
        ))}
      </div>
    </section>
  );
}
