/** Small pieces the findings screens share: severity, status, and the details as read-only facts. */
import type { Engagement } from '../../../shared/domain/engagement';
import { FindingKind, Severity, type Finding, type ShownStatus } from '../../../shared/domain/finding';
import { formatTimestamp } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { AuthorLabel } from '../keys/AuthorLabel';
import { KIND_LABEL, SEVERITY_LABEL } from './detailsForm';
import { STATUS_LABEL } from './statusActions';

const SEVERITY_MARK: Record<Severity, string> = { critical: '▲▲', high: '▲', medium: '◆', low: '▽', informational: '○' };

/** Severity in words with a sign; colour only adds to it. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge badge--sev-${severity}`}>
      <span aria-hidden="true">{SEVERITY_MARK[severity]}</span> {SEVERITY_LABEL[severity]}
    </span>
  );
}

export function StatusBadge({ status }: { status: ShownStatus }) {
  return <span className={`badge badge--status-${status}`}>{STATUS_LABEL[status]}</span>;
}

/** "9.3 Critical", or null without a vector. */
export function cvssText(f: Pick<Finding, 'cvss'>): string | null {
  return f.cvss ? `${f.cvss.score.toFixed(1)} ${f.cvss.rating}` : null;
}

/** The v3.1 score the same way (CSAF advisories carry it). */
export function cvss31Text(f: Pick<Finding, 'cvss31'>): string | null {
  return f.cvss31 ? `${f.cvss31.score.toFixed(1)} ${f.cvss31.rating}` : null;
}

/** Every detail of a finding, for someone who cannot edit it (another author's, or an earlier revision). */
export function DetailsFacts({ finding: f }: { finding: Finding }) {
  const none = <span className="muted">None</span>;
  return (
    <dl className="facts facts--compact facts--two" data-testid="finding-facts">
      <dt>Kind</dt>
      <dd>{KIND_LABEL[f.kind]}</dd>
      <dt>Severity</dt>
      <dd>
        <SeverityBadge severity={f.severity} />
      </dd>
      <dt>CVSS v4.0</dt>
      <dd>
        {f.cvss ? (
          <>
            <strong>{cvssText(f)}</strong> <span className="mono break muted">{f.cvss.vector}</span>
          </>
        ) : (
          none
        )}
      </dd>
      <dt>CVSS v3.1</dt>
      <dd>
        {f.cvss31 ? (
          <>
            <strong>{cvss31Text(f)}</strong> <span className="mono break muted">{f.cvss31.vector}</span>
          </>
        ) : (
          none
        )}
      </dd>
      <dt>CWE</dt>
      <dd>
        {f.cwe.length === 0
          ? none
          : f.cwe.map((c, i) => (
              <span key={c.id}>
                {i > 0 && ', '}
                <span className="mono">{c.id}</span>
                {c.name && ` ${c.name}`}
              </span>
            ))}
      </dd>
      <dt>MITRE ATLAS</dt>
      <dd>{f.atlas.length === 0 ? none : <span className="mono">{f.atlas.join(', ')}</span>}</dd>
      {f.kind === 'software-vulnerability' && (
        <>
          <dt>Affected</dt>
          <dd>{f.affected ? [f.affected.vendor, f.affected.product, f.affected.version].filter(Boolean).join(' · ') : none}</dd>
          <dt>CVE</dt>
          <dd>{f.cve_id ? <span className="mono">{f.cve_id}</span> : none}</dd>
        </>
      )}
      <dt>Tags</dt>
      <dd>{f.tags.length === 0 ? none : f.tags.join(', ')}</dd>
      <dt>Author</dt>
      <dd data-testid="finding-author">
        <AuthorLabel keyId={f.author} />
      </dd>
      <dt>Revision</dt>
      <dd>
        {f.revision} · updated {formatTimestamp(f.updated_at)}
      </dd>
    </dl>
  );
}

export const SECTIONS = [
  { key: 'description', label: 'Description' },
  { key: 'reproduction', label: 'Reproduction' },
  { key: 'impact', label: 'Impact' },
  { key: 'remediation', label: 'Remediation' },
] as const;
export type SectionKey = (typeof SECTIONS)[number]['key'];

export function Crumbs({ engagement: e }: { engagement: Engagement }) {
  return (
    <p className="eyebrow breadcrumb">
      <a href={routeHash({ page: 'engagement', id: e.id })}>
        {e.model} {e.model_version}
      </a>{' '}
      <span aria-hidden="true">›</span> <a href={routeHash({ page: 'findings', id: e.id })}>Findings</a>
    </p>
  );
}

/** The badges under a finding's title: status, severity, kind, CVSS. */
export function FindingBadges({ finding: f, shown }: { finding: Finding; shown: ShownStatus }) {
  const cvss = cvssText(f);
  return (
    <p className="finding-badges">
      <StatusBadge status={shown} /> <SeverityBadge severity={f.severity} /> <span className="badge badge--plain">{KIND_LABEL[f.kind]}</span>
      {cvss && <span className="badge badge--plain">CVSS {cvss}</span>}
      <span className="muted small">Revision {f.revision}</span>
    </p>
  );
}


/** The kind and severity pickers every finding form starts with. */
export function KindSeverityFields(p: {
  idPrefix: string;
  kind: FindingKind;
  severity: Severity;
  onKind: (kind: FindingKind) => void;
  onSeverity: (severity: Severity) => void;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${p.idPrefix}-kind`}>Kind</label>
        <select id={`${p.idPrefix}-kind`} value={p.kind} onChange={(e) => p.onKind(e.target.value as FindingKind)}>
          {FindingKind.options.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${p.idPrefix}-severity`}>Severity</label>
        <select id={`${p.idPrefix}-severity`} value={p.severity} onChange={(e) => p.onSeverity(e.target.value as Severity)}>
          {Severity.options.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABEL[s]}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}
