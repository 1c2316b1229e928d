/** What the verifier and the ingest found, as the Bundles screen shows them. */
import type { IngestSummary, VerifyReport } from '../../../shared/domain/bundle';
import { formatTimestamp, plural } from '../../lib/format';
import { BundleCounts, BundleMarking } from './bits';
import { folderLabel, orderFolders, reasonSentence, shortId, verdictHeadline } from './bundleText';

/** The verdict, large and in words with a sign: valid, or not and why. */
export function VerifyReportView({ report }: { report: VerifyReport }) {
  const s = report.signer;
  return (
    <section className="bundle-report" aria-labelledby="verdict-title">
      <div className={`verdict-card ${report.valid ? 'verdict-card--ok' : 'verdict-card--bad'}`} data-testid="verdict">
        <h2 id="verdict-title" className="verdict">
          <span aria-hidden="true">{report.valid ? '✓' : '✗'}</span> {verdictHeadline(report)}
        </h2>
        {report.valid ? (
          <p>Every entry matches its signed digest, and the signature is by a key you trust.</p>
        ) : (
          <p className="verdict-reason" data-testid="verdict-reason">
            {reasonSentence(report.reason)}
          </p>
        )}
      </div>
      {report.handling && <BundleMarking handling={report.handling} />}
      {(s || report.created_at || report.id || report.counts) && (
        <dl className="facts facts--compact facts--two">
          {s && (
            <>
              <dt>Signed by</dt>
              <dd data-testid="signer">
                {[s.name, s.org].filter((x) => x.trim() !== '').join(' · ') || <span className="muted">Not read: the bundle was refused before its contents</span>}
              </dd>
              <dt>Role</dt>
              <dd className="capitalize">{s.role}</dd>
              <dt>Trusted as</dt>
              <dd>{s.trusted ? (s.trusted_as ?? 'trusted') : <strong className="error-text">Not trusted here</strong>}</dd>
              <dt>Signer key</dt>
              <dd className="mono">{shortId(s.key_id)}</dd>
            </>
          )}
          {report.created_at && (
            <>
              <dt>Created</dt>
              <dd>{formatTimestamp(report.created_at)}</dd>
            </>
          )}
          {report.id && (
            <>
              <dt className="facts-row-start">Bundle id</dt>
              <dd className="mono break facts-wide">{report.id}</dd>
            </>
          )}
          {report.counts && (
            <>
              <dt className="facts-row-start">Holds</dt>
              <dd className="facts-wide">
                <BundleCounts counts={report.counts} label="Records in the bundle" />
              </dd>
            </>
          )}
        </dl>
      )}
      {report.forwarded.length > 0 && (
        <section aria-labelledby="forwarded-title">
          <h3 id="forwarded-title" className="subheading">
            Forwarded bundles inside ({report.forwarded.length})
          </h3>
          <ul className="forwarded-list">
            {report.forwarded.map((f) => (
              <li key={f.sha256} className={f.valid ? 'forwarded--ok' : 'forwarded--bad'}>
                <span aria-hidden="true">{f.valid ? '✓' : '✗'}</span> <strong>{f.valid ? 'Valid' : 'Not valid'}</strong>
                {f.signer_name && <> · signed by {f.signer_name}</>} · <span className="mono">{shortId(f.sha256)}</span>
                {!f.valid && <span className="verdict-reason"> {reasonSentence(f.reason)}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

/** What an ingest merged: each bundle and its signer, per-type counts, attachments, and what is still waiting. */
export function IngestSummaryView({ summary }: { summary: IngestSummary }) {
  const folders = orderFolders(Object.keys(summary.by_type));
  const t = summary.totals;
  return (
    <section className="ingest-summary" aria-labelledby="ingest-title">
      <h2 id="ingest-title" className="verdict verdict--ok">
        <span aria-hidden="true">✓</span> Ingested: {t.added} added, {t.updated} updated, {t.skipped} skipped
      </h2>
      <ul className="ingested-bundles" aria-label="Bundles merged">
        {summary.bundles.map((b) => (
          <li key={b.id}>
            <strong>{b.signer_name}</strong> <span className="capitalize muted">({b.role})</span>
            {b.forwarded ? <span className="badge badge--plain">forwarded</span> : null} · bundle <span className="mono">{shortId(b.id)}</span>
          </li>
        ))}
      </ul>
      <div className="table-scroller table-scroller--flat">
        <table className="data-table data-table--compact" aria-label="Records merged by type">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Added
              </th>
              <th scope="col" className="num">
                Updated
              </th>
              <th scope="col" className="num">
                Skipped
              </th>
            </tr>
          </thead>
          <tbody>
            {folders.map((f) => {
              const c = summary.by_type[f];
              if (!c) return null;
              return (
                <tr key={f}>
                  <th scope="row">{folderLabel(f)}</th>
                  <td className="num">{c.added}</td>
                  <td className="num">{c.updated}</td>
                  <td className="num">{c.skipped}</td>
                </tr>
              );
            })}
            <tr className="total-row">
              <th scope="row">All records</th>
              <td className="num">{t.added}</td>
              <td className="num">{t.updated}</td>
              <td className="num">{t.skipped}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <p>{plural(summary.attachments_added, 'evidence file')} added to the blob store.</p>
      {summary.waiting.length > 0 && (
        <section className="callout" aria-labelledby="waiting-title">
          <h3 id="waiting-title" className="subheading">
            Waiting for {plural(summary.waiting.length, 'record')} not in this workspace yet
          </h3>
          <p className="muted small">They arrive with another bundle; these links resolve themselves once it is ingested.</p>
          <ul className="waiting-list">
            {summary.waiting.map((w) => (
              <li key={`${w.record_id}-${w.waiting_for}`}>
                A {w.type.replace(/s$/, '')} (<span className="mono">{w.record_id.slice(0, 8)}</span>) is waiting for record{' '}
                <span className="mono">{w.waiting_for.slice(0, 8)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
