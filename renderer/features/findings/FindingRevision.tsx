import { useEffect, useState } from 'react';
import type { Engagement } from '../../../shared/domain/engagement';
import type { Finding } from '../../../shared/domain/finding';
import { call, errorMessage } from '../../lib/api';
import { formatTimestamp } from '../../lib/format';
import { routeHash } from '../../lib/route';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { MarkdownView } from '../notes/MarkdownView';
import { EngagementTabs } from '../results/EngagementFrame';
import { Crumbs, DetailsFacts, FindingBadges, SECTIONS } from './bits';
import { HistoryList } from './HistoryList';

/** A finding as it was at an earlier revision: everything shown, nothing editable, and said so. */
export function FindingRevision({ engagement: e, findingId, revision, latest }: { engagement: Engagement; findingId: string; revision: number; latest: number | null }) {
  const heading = useFocusHeading<HTMLHeadingElement>(`finding-${findingId}-r${revision}`);
  const [state, setState] = useState<{ key: string; finding: Finding | null; error: string | null }>({ key: '', finding: null, error: null });
  const key = `${findingId}@${revision}`;

  useEffect(() => {
    let live = true;
    call('finding:atRevision', { id: findingId, revision }).then(
      (finding) => live && setState({ key, finding, error: null }),
      (error: unknown) => live && setState({ key, finding: null, error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [findingId, revision, key]);

  const f = state.key === key ? state.finding : null;
  const error = state.key === key ? state.error : null;
  const currentHref = routeHash({ page: 'finding', id: e.id, findingId });
  return (
    <article className="page page--wide finding-page finding-page--old" aria-labelledby="finding-title">
      <header className="page-header">
        <div>
          <Crumbs engagement={e} />
          <h1 id="finding-title" ref={heading} tabIndex={-1}>
            {f ? f.title : error ? 'This revision could not be opened' : 'Loading the revision…'}
          </h1>
          {f && <FindingBadges finding={f} shown={f.status} />}
        </div>
      </header>
      <EngagementTabs engagementId={e.id} current="findings" />
      <div className="callout read-only-banner" role="note" aria-label="Earlier revision">
        <p>
          <strong>Revision {revision}{latest !== null ? ` of ${latest}` : ''}, read-only.</strong>{' '}
          {f ? `This is the finding as it was saved on ${formatTimestamp(f.updated_at)}. ` : ''}
          Nothing here can be changed.
        </p>
        <a className="button button--small" href={currentHref}>
          Back to the current revision
        </a>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {f && (
        <>
          <section aria-labelledby="details-title">
            <h2 id="details-title" className="section-title">
              Details
            </h2>
            <DetailsFacts finding={f} />
          </section>
          <section aria-labelledby="writeup-title" className="finding-sections">
            <h2 id="writeup-title" className="section-title">
              Write-up
            </h2>
            {SECTIONS.map(({ key: k, label }) => (
              <div key={k} className="finding-section">
                <h3>{label}</h3>
                <MarkdownView text={f[k]} />
              </div>
            ))}
          </section>
          <section aria-labelledby="old-evidence-title">
            <h2 id="old-evidence-title" className="section-title">
              Evidence at this revision <span className="count">{f.evidence.length}</span>
            </h2>
            {f.evidence.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="plain-list">
                {f.evidence.map((ev, i) => (
                  <li key={i}>
                    {ev.kind === 'attachment' && `File ${ev.name}`}
                    {ev.kind === 'run' && `Run ${ev.label}`}
                    {ev.kind === 'sample' && `Sample ${ev.sample_id}, epoch ${ev.epoch}`}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <HistoryList
        recordId={findingId}
        revision={latest ?? revision}
        current={revision}
        revisionHref={(r) => (r === latest ? currentHref : routeHash({ page: 'finding', id: e.id, findingId, revision: r }))}
      />
    </article>
  );
}
