import { Severity } from '../../../shared/domain/finding';
import { decisionLabel } from '../../../shared/domain/review';
import { TlpChip } from '../../components/HandlingBanner';
import { plural } from '../../lib/format';
import { routeHash, type Route } from '../../lib/route';
import { SEVERITY_LABEL } from '../findings/detailsForm';
import { WindowLabel } from '../engagements/WindowLabel';
import { engagementTitle, type DashboardRow } from './dashboardData';

/** A count that opens the records behind it; a zero has nothing behind it, so it is plain text. */
function CountLink({ n, to, name }: { n: number; to: Route; name: string }) {
  if (n === 0) return <span className="dash-zero">0</span>;
  return (
    <a href={routeHash(to)} aria-label={name} className="dash-count">
      {n.toLocaleString()}
    </a>
  );
}

function Determination({ row }: { row: DashboardRow }) {
  const d = row.e.determination;
  const to = routeHash({ page: 'determination', id: row.e.id });
  const title = engagementTitle(row.e);
  if (!d) {
    return (
      <a href={to} className="dash-decision dash-decision--none" aria-label={`${title}: no determination yet; open the determination`}>
        None yet
      </a>
    );
  }
  return (
    <a href={to} className={`dash-decision dash-decision--${d.decision}`} aria-label={`${title}: ${decisionLabel(d.decision)}; open the determination`}>
      {decisionLabel(d.decision)}
    </a>
  );
}

/** "2 findings: 1 high, 1 medium": the total and each severity present, every number a link to those findings. */
function Findings({ row }: { row: DashboardRow }) {
  const { e } = row;
  const title = engagementTitle(e);
  if (e.findings.total === 0) return <span className="dash-zero">None</span>;
  const present = Severity.options.filter((s) => e.findings.by_severity[s] > 0);
  return (
    <ul className="dash-severities" aria-label={`${title}: findings by severity`}>
      <li>
        <CountLink n={e.findings.total} to={{ page: 'findings', id: e.id }} name={`${title}: all ${plural(e.findings.total, 'finding')}`} /> in all
      </li>
      {present.map((s) => (
        <li key={s}>
          <CountLink
            n={e.findings.by_severity[s]}
            to={{ page: 'findings', id: e.id, severity: s }}
            name={`${title}: ${plural(e.findings.by_severity[s], `${SEVERITY_LABEL[s].toLowerCase()} finding`)}`}
          />{' '}
          <span className={`dash-sev dash-sev--${s}`}>{SEVERITY_LABEL[s].toLowerCase()}</span>
        </li>
      ))}
    </ul>
  );
}

function Thresholds({ row }: { row: DashboardRow }) {
  const r = row.e.results;
  if (r.with_threshold === 0) return <span className="muted">—</span>;
  return (
    <a
      href={routeHash({ page: 'determination', id: row.e.id })}
      aria-label={`${engagementTitle(row.e)}: ${r.met} of ${plural(r.with_threshold, 'result')} with a threshold meet it; open the evidence`}
      className="dash-count"
    >
      {r.met} of {r.with_threshold}
    </a>
  );
}

/**
 * Every engagement at a glance, most pressing first. Each number is a link to
 * the records it counts: findings filtered by severity or status, the
 * determination and its evidence.
 */
export function EngagementsTable({ rows }: { rows: readonly DashboardRow[] }) {
  return (
    <div className="table-scroller table-scroller--flat dash-table">
      <table className="data-table data-table--compact" aria-label="Engagements at a glance">
        <thead>
          <tr>
            <th scope="col">Engagement</th>
            <th scope="col">Review window</th>
            <th scope="col">Determination</th>
            <th scope="col">Findings by severity</th>
            <th scope="col" className="num">
              Awaiting verdict
            </th>
            <th scope="col" className="num">
              Thresholds met
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const { e } = row;
            const title = engagementTitle(e);
            return (
              <tr key={e.id} data-testid="dashboard-row" className={row.urgent ? 'dash-row--urgent' : undefined}>
                <th scope="row">
                  <a href={routeHash({ page: 'engagement', id: e.id })} className="dash-engagement">
                    {title}
                  </a>
                  <span className="cell-secondary">
                    {e.developer} <TlpChip tlp={e.handling.tlp} />
                  </span>
                </th>
                <td data-testid="dashboard-window">
                  <WindowLabel window={row.win} closed={row.closed} />
                  {row.closed && <span className="cell-secondary">Closed</span>}
                </td>
                <td>
                  <Determination row={row} />
                </td>
                <td>
                  <Findings row={row} />
                </td>
                <td className="num" data-testid="dashboard-awaiting">
                  <CountLink
                    n={e.findings.awaiting_verdict}
                    to={{ page: 'findings', id: e.id, status: 'submitted' }}
                    name={`${title}: ${plural(e.findings.awaiting_verdict, 'finding')} awaiting a verdict`}
                  />
                </td>
                <td className="num">
                  <Thresholds row={row} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
