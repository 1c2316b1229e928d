import { useEffect, useId, useState } from 'react';
import type { HistoryEntry, RecordHistory } from '../../../shared/domain/history';
import { call, errorMessage } from '../../lib/api';
import { formatTimestamp, shortKey } from '../../lib/format';
import { useIsOwnKey } from '../keys/useIsOwnKey';

const ACTION_LABEL: Record<HistoryEntry['action'], string> = { create: 'Created', update: 'Edited', delete: 'Deleted' };

/** Field names as people say them. */
function fieldLabel(field: string): string {
  const known: Record<string, string> = {
    cvss: 'CVSS',
    cvss31: 'CVSS v3.1',
    cwe: 'CWE',
    atlas: 'ATLAS ids',
    cve_id: 'CVE id',
    affected: 'affected product',
    model_version: 'model version',
    access_start: 'access start',
    window_days: 'window',
    release_date: 'release date',
    weights_digest: 'weights digest',
  };
  return known[field] ?? field.replace(/_/g, ' ');
}

export function describeEntry(e: HistoryEntry): string {
  if (e.status_change) {
    const others = e.changed.filter((f) => f !== 'status');
    return `Status ${e.status_change.from} → ${e.status_change.to}${others.length > 0 ? `; also ${others.map(fieldLabel).join(', ')}` : ''}`;
  }
  if (e.action !== 'update') return ACTION_LABEL[e.action];
  return e.changed.length > 0 ? `Edited ${e.changed.map(fieldLabel).join(', ')}` : 'Saved without changes';
}

type HistoryListProps = {
  recordId: string;
  /** Refetched when this changes (the record's revision). */
  revision: number;
  title?: string;
  /** A link to see the record as it was at a revision (findings). */
  revisionHref?: (revision: number) => string;
  /** The revision on screen, marked in the list. */
  current?: number;
};

/**
 * Who did what to a record and when, from the audit chain: one row per
 * revision, newest first.
 */
export function HistoryList({ recordId, revision, title = 'History', revisionHref, current }: HistoryListProps) {
  const headingId = useId();
  const isOwn = useIsOwnKey();
  const [state, setState] = useState<{ history: RecordHistory | null; error: string | null }>({ history: null, error: null });

  useEffect(() => {
    let live = true;
    call('record:history', { id: recordId }).then(
      (history) => live && setState({ history, error: null }),
      (error: unknown) => live && setState({ history: null, error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [recordId, revision]);

  const entries = state.history ? [...state.history.entries].sort((a, b) => b.seq - a.seq) : [];
  return (
    <section className="history" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-title">
        {title}
      </h2>
      {state.error && (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      )}
      {!state.history && !state.error && (
        <p className="muted" role="status">
          Loading the history…
        </p>
      )}
      {state.history && (
        <div className="table-scroller table-scroller--flat table-scroller--capped">
          <table className="data-table data-table--compact" aria-labelledby={headingId}>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Revision
                </th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                {revisionHref && (
                  <th scope="col">
                    <span className="visually-hidden">View</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq} data-testid="history-row" className={e.revision === current ? 'is-current-revision' : undefined}>
                  <td className="num">{e.revision}</td>
                  <td className="nowrap">
                    <time dateTime={e.at}>{formatTimestamp(e.at)}</time>
                  </td>
                  <td title={e.actor}>
                    {e.actor_name ?? <span className="mono">{shortKey(e.actor)}</span>}
                    {isOwn(e.actor) && <span className="muted"> (you)</span>}
                  </td>
                  <td>
                    {describeEntry(e)}
                    {e.via_bundle && <span className="muted"> (arrived in a bundle)</span>}
                  </td>
                  {revisionHref && (
                    <td>
                      {e.action !== 'delete' &&
                        (e.revision === current ? (
                          <span className="muted">Shown</span>
                        ) : (
                          <a href={revisionHref(e.revision)} aria-label={`View revision ${e.revision}`}>
                            View
                          </a>
                        ))}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
