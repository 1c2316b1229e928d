import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import { releaseCountdown, reviewWindow } from '../../../shared/reviewWindow';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { TlpChip } from '../../components/HandlingBanner';
import { errorMessage } from '../../lib/api';
import { formatCalendarDate, formatTimestamp } from '../../lib/format';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useToday } from '../../lib/useToday';
import { useEngagementsStore } from '../../stores/engagementsStore';
import { useUiStore } from '../../stores/uiStore';
import { ExportDialog } from '../bundles/ExportDialog';
import { HistoryList } from '../findings/HistoryList';
import { AuthorLabel } from '../keys/AuthorLabel';
import { EngagementTabs } from '../results/EngagementFrame';
import { ReportButton } from '../reports/ReportDialog';
import { DeterminationSummary } from '../reviews/DeterminationPage';
import { WindowLabel } from './WindowLabel';
import { useIsOwnKey } from '../keys/useIsOwnKey';

const STATUS_LABEL: Record<Engagement['status'], string> = { planned: 'Planned', active: 'Active', closed: 'Closed' };

/** One engagement: the window first (it is a race against a date), then every field. */
export function EngagementPage({ engagement: e }: { engagement: Engagement }) {
  const today = useToday();
  const isOwn = useIsOwnKey();
  const { close } = useEngagementsStore(useShallow((s) => ({ close: s.close })));
  const { navigate, notify } = useUiStore(useShallow((s) => ({ navigate: s.navigate, notify: s.notify })));
  const [confirming, setConfirming] = useState(false);
  const [closing, setClosing] = useState(false);
  const [exporting, setExporting] = useState(false);
  const heading = useFocusHeading<HTMLHeadingElement>(e.id);

  const win = reviewWindow(e.access_start, e.window_days, today);
  const mine = isOwn(e.author);
  const title = `${e.model} ${e.model_version}`;
  const daysUsed = Math.min(e.window_days, Math.max(0, e.window_days - win.daysLeft));

  async function confirmClose() {
    setClosing(true);
    try {
      await close(e.id);
      notify('info', `${title} is closed; it is listed under Closed.`);
    } catch (err) {
      notify('error', errorMessage(err));
    } finally {
      setClosing(false);
      setConfirming(false);
    }
  }

  return (
    <article className="page" aria-labelledby="engagement-title">
      <header className="page-header">
        <div>
          <p className="eyebrow">{e.developer}</p>
          <h1 id="engagement-title" ref={heading} tabIndex={-1}>
            {title}
          </h1>
        </div>
        <div className="button-row">
          <button type="button" className="button" onClick={() => setExporting(true)}>
            Export bundle…
          </button>
          <ReportButton engagement={e} />
          {mine ? (
            <button type="button" className="button" onClick={() => navigate({ page: 'edit', id: e.id })}>
              Edit
            </button>
          ) : (
            <span className="muted">Read-only: authored by another key.</span>
          )}
          {mine && e.status !== 'closed' && (
            <button type="button" className="button button--danger-outline" onClick={() => setConfirming(true)}>
              Close engagement
            </button>
          )}
        </div>
      </header>
      <EngagementTabs engagementId={e.id} current="overview" />

      <section className={`window-card ${e.status !== 'closed' && win.urgent ? 'window-card--urgent' : ''}`} aria-label="Review window">
        <p className="window-label" data-testid="window-label">
          <WindowLabel window={win} closed={e.status === 'closed'} />
        </p>
        <div className="window-bar" aria-hidden="true">
          <div className="window-bar-fill" style={{ width: `${(100 * daysUsed) / e.window_days}%` }} />
        </div>
        <p className="window-dates">
          <span>
            Access started <strong>{formatCalendarDate(e.access_start)}</strong>
          </span>
          <span>
            Deadline <strong>{formatCalendarDate(win.deadline)}</strong>
          </span>
          {e.release_date && (
            <span>
              Planned release <strong>{formatCalendarDate(e.release_date)}</strong> ({releaseCountdown(e.release_date, today)})
            </span>
          )}
        </p>
      </section>

      <DeterminationSummary engagementId={e.id} />

      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`status status--${e.status}`}>{STATUS_LABEL[e.status]}</span>
        </dd>
        <dt>Developer</dt>
        <dd>{e.developer}</dd>
        <dt>Model</dt>
        <dd>{e.model}</dd>
        <dt>Model version or checkpoint</dt>
        <dd>{e.model_version}</dd>
        <dt>Window</dt>
        <dd>
          {e.window_days} calendar day{e.window_days === 1 ? '' : 's'} from {formatCalendarDate(e.access_start)}
        </dd>
        <dt>Handling</dt>
        <dd>
          <TlpChip tlp={e.handling.tlp} /> {e.handling.banner}
        </dd>
        <dt>Trusted partners</dt>
        <dd>{e.partners.length > 0 ? e.partners.join(', ') : <span className="muted">None</span>}</dd>
        <dt>Weights digest</dt>
        <dd>{e.weights_digest ? <span className="mono break">{e.weights_digest}</span> : <span className="muted">Not recorded</span>}</dd>
        <dt>Author</dt>
        <dd>
          <AuthorLabel keyId={e.author} />
        </dd>
        <dt>Revision</dt>
        <dd>{e.revision}</dd>
        <dt>Created</dt>
        <dd>{formatTimestamp(e.created_at)}</dd>
        <dt>Updated</dt>
        <dd>{formatTimestamp(e.updated_at)}</dd>
      </dl>

      <HistoryList recordId={e.id} revision={e.revision} title="History of this engagement" />

      <ExportDialog engagement={e} open={exporting} onClose={() => setExporting(false)} />
      <ConfirmDialog
        open={confirming}
        title={`Close ${title}?`}
        confirmLabel="Close engagement"
        busy={closing}
        onConfirm={() => void confirmClose()}
        onCancel={() => setConfirming(false)}
      >
        <p>It moves to the Closed group in the sidebar. Nothing is deleted; you can reopen it by editing its status.</p>
      </ConfirmDialog>
    </article>
  );
}
