import { Bar, BarChart, CartesianGrid, XAxis, YAxis, type BarShapeProps } from 'recharts';
import { ShownStatus, type Severity } from '../../../shared/domain/finding';
import type { EngagementSummary } from '../../../shared/domain/summary';
import { plural } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { SEVERITY_LABEL } from '../findings/detailsForm';
import { STATUS_LABEL } from '../findings/statusActions';
import { severityRows, type SeverityRow } from './dashboardData';

const ROW = 38;
/** A segment narrower than this has no room for its number (its link still names it). */
const MIN_TEXT_WIDTH = 22;

/** A severity's total after its bar, a link to all its findings. */
function Total({ row, at, y, engagementId }: { row: SeverityRow; at: number; y: number; engagementId: string }) {
  const label = SEVERITY_LABEL[row.severity].toLowerCase();
  return (
    <a href={routeHash({ page: 'findings', id: engagementId, severity: row.severity })} aria-label={`All ${plural(row.total, `${label} finding`)}`} className="dash-svg-link">
      <text x={at + 8} y={y} dominantBaseline="central" className="chart-value">
        {row.total}
      </text>
    </a>
  );
}

/** One status's part of a severity's bar, a link to exactly those findings. */
function Segment(props: BarShapeProps & { status: ShownStatus; engagementId: string }) {
  const row = props.payload as SeverityRow;
  const n = row[props.status];
  if (n === 0) return <g />;
  const x = Math.min(props.x, props.x + props.width);
  const width = Math.abs(props.width);
  const name = `${plural(n, `${SEVERITY_LABEL[row.severity].toLowerCase()} finding`)}, ${STATUS_LABEL[props.status].toLowerCase()}`;
  // The last part of the bar also writes the bar's total after it.
  const last = ShownStatus.options.findLast((st) => row[st] > 0) === props.status;
  return (
    <g>
      <a href={routeHash({ page: 'findings', id: props.engagementId, severity: row.severity, status: props.status })} aria-label={name} className="dash-svg-link">
        <title>{name}</title>
        <rect x={x} y={props.y} width={width} height={props.height} className={`dash-status dash-status--${props.status}`} />
        {width >= MIN_TEXT_WIDTH && (
          <text x={x + width / 2} y={props.y + props.height / 2} dominantBaseline="central" textAnchor="middle" className="dash-segment-text">
            {n}
          </text>
        )}
      </a>
      {last && <Total row={row} at={x + width} y={props.y + props.height / 2} engagementId={props.engagementId} />}
    </g>
  );
}

/**
 * An engagement's findings by severity, each bar split by the status it shows
 * (a supervisor's verdict, else the author's status). Every segment and total
 * opens the findings behind it.
 */
export function SeverityStatusChart({ e }: { e: EngagementSummary }) {
  const rows = severityRows(e);
  const height = 40 + rows.length * ROW;
  const used = ShownStatus.options.filter((s) => rows.some((r) => r[s] > 0));
  return (
    <figure className="chart-figure" aria-labelledby="severity-caption">
      <figcaption id="severity-caption" className="chart-caption">
        Findings by severity and status
      </figcaption>
      {e.findings.total === 0 ? (
        <p className="muted">No findings in this engagement yet.</p>
      ) : (
        <>
          <ul className="chart-legend" aria-label="Statuses">
            {used.map((s) => (
              <li key={s}>
                <span className={`legend-swatch dash-status--${s}`} aria-hidden="true" /> {STATUS_LABEL[s]}
              </li>
            ))}
          </ul>
          <div role="group" aria-label="Findings by severity and status; each part opens those findings">
            <BarChart
              layout="vertical"
              data={rows}
              height={height}
              responsive
              style={{ width: '100%', height }}
              margin={{ top: 4, right: 40, bottom: 4, left: 8 }}
              barCategoryGap="22%"
              accessibilityLayer={false}
            >
              <CartesianGrid horizontal={false} className="chart-grid" />
              <XAxis type="number" allowDecimals={false} className="chart-axis" />
              <YAxis type="category" dataKey="severity" width={110} tickFormatter={(v: Severity) => SEVERITY_LABEL[v]} className="chart-axis" />
              {ShownStatus.options.map((s) => (
                <Bar key={s} dataKey={s} stackId="status" shape={(p: BarShapeProps) => <Segment {...p} status={s} engagementId={e.id} />} isAnimationActive={false} />
              ))}
            </BarChart>
          </div>
        </>
      )}
    </figure>
  );
}
