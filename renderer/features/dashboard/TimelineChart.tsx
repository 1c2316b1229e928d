import { Bar, BarChart, CartesianGrid, ReferenceLine, XAxis, YAxis, type BarShapeProps } from 'recharts';
import { dayNumber } from '../../../shared/dates';
import { routeHash } from '../../lib/route';
import { timelineBars, timelineDomain, type DashboardRow, type TimelineBar } from './dashboardData';

const ROW = 30;
const LABEL_WIDTH = 150;
/** Room after the longest bar for its window label. */
const RIGHT = 230;

const tickDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
const dayLabel = (day: number) => tickDate.format(new Date(day * 86_400_000));

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * One window, start → deadline, as a link to its engagement; the release date
 * (if set) as a diamond on the same row. Urgency is said with ⚠ and words, not
 * colour alone.
 */
function WindowBar(props: BarShapeProps & { labels: Map<string, string> }) {
  const b = props.payload as TimelineBar;
  const x = Math.min(props.x, props.x + props.width);
  const width = Math.max(2, Math.abs(props.width));
  const perDay = width / Math.max(1, b.window[1] - b.window[0]);
  const release = b.release === null ? null : x + (b.release - b.window[0]) * perDay;
  const tone = b.closed ? 'closed' : b.urgent ? 'urgent' : 'open';
  const label = props.labels.get(b.id) ?? '';
  return (
    <a href={routeHash({ page: 'engagement', id: b.id })} aria-label={b.description} className="dash-svg-link">
      <title>{b.description}</title>
      <rect x={x} y={props.y} width={width} height={props.height} rx={4} className={`dash-window dash-window--${tone}`} />
      {release !== null && (
        <path
          d={`M ${release} ${props.y - 3} l 6 ${props.height / 2 + 3} l -6 ${props.height / 2 + 3} l -6 ${-(props.height / 2 + 3)} z`}
          className="dash-release"
        />
      )}
      <text x={Math.max(x + width, release ?? 0) + 10} y={props.y + props.height / 2} dominantBaseline="central" className={`chart-value dash-window-text--${tone}`}>
        {b.urgent ? `⚠ ${label}` : label}
      </text>
    </a>
  );
}

/**
 * Every review window against today: a bar per engagement from access start
 * to deadline, a line at today, a diamond at the planned release. Each bar
 * opens its engagement. Closed engagements stay in the table below.
 */
export function TimelineChart({ rows, today }: { rows: readonly DashboardRow[]; today: string }) {
  const running = rows.filter((r) => !r.closed);
  if (running.length === 0) return <p className="muted">No engagement is running or planned; closed ones are listed below.</p>;
  const bars = timelineBars(running);
  const t = dayNumber(today);
  const domain = timelineDomain(bars, t);
  const labels = new Map(running.map((r) => [r.e.id, r.win.label]));
  const height = 66 + bars.length * ROW;
  return (
    <figure className="chart-figure dash-timeline" aria-labelledby="timeline-caption">
      <figcaption id="timeline-caption" className="chart-caption">
        Review windows against today
      </figcaption>
      <ul className="chart-legend" aria-label="Timeline legend">
        <li>
          <span className="legend-swatch dash-window--open" aria-hidden="true" /> Window, access start to deadline
        </li>
        <li>
          <span className="legend-swatch dash-window--urgent" aria-hidden="true" /> ⚠ 7 days or fewer left, or overdue
        </li>
        <li>
          <span className="legend-diamond" aria-hidden="true" /> Planned release
        </li>
        <li>
          <span className="legend-today" aria-hidden="true" /> Today
        </li>
      </ul>
      <div className="dash-timeline-scroll" role="group" aria-label="Review windows; each opens its engagement">
        <BarChart
          layout="vertical"
          data={bars}
          height={height}
          responsive
          style={{ width: '100%', height }}
          margin={{ top: 4, right: RIGHT, bottom: 22, left: 8 }}
          barCategoryGap="26%"
          accessibilityLayer={false}
        >
          <CartesianGrid horizontal={false} className="chart-grid" />
          <XAxis type="number" orientation="top" domain={domain} tickFormatter={dayLabel} allowDecimals={false} className="chart-axis" />
          <YAxis type="category" dataKey="label" width={LABEL_WIDTH} tickFormatter={(v: string) => truncate(v, 20)} className="chart-axis" />
          <ReferenceLine
            x={t}
            className="dash-today"
            // Below the bars, where no window label or axis tick can sit on it.
            label={{ value: `Today ${dayLabel(t)}`, position: 'bottom', className: 'dash-today-label' }}
          />
          <Bar dataKey="window" shape={(p: BarShapeProps) => <WindowBar {...p} labels={labels} />} isAnimationActive={false} />
        </BarChart>
      </div>
    </figure>
  );
}
