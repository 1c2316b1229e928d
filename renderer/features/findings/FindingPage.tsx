import { useEffect, useState, type ClipboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Engagement } from '../../../shared/domain/engagement';
import type { AuthorStatus, FindingChanges, FindingView } from '../../../shared/domain/finding';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ApiCallError, errorMessage } from '../../lib/api';
import { routeHash } from '../../lib/route';
import { useFocusHeading } from '../../lib/useFocusHeading';
import { useFindingsStore } from '../../stores/findingsStore';
import { useUiStore } from '../../stores/uiStore';
import { EvidencePanel } from '../evidence/EvidencePanel';
import { pastedName } from '../evidence/evidenceFiles';
import { useAttachEvidence } from '../evidence/useAttachEvidence';
import { ReadOnlyNotice } from '../keys/AuthorLabel';
import { MarkdownView } from '../notes/MarkdownView';
import { NotesPanel } from '../notes/NotesPanel';
import { EngagementTabs } from '../results/EngagementFrame';
import { ReviewBadges, ReviewPanel } from '../reviews/ReviewPanel';
import { Crumbs, DetailsFacts, FindingBadges, SECTIONS } from './bits';
import { DetailsForm } from './DetailsForm';
import { ExportCsafButton } from './ExportCsafButton';
import { FindingRevision } from './FindingRevision';
import { HistoryList } from './HistoryList';
import { SectionsEditor } from './SectionsEditor';
import { statusActions } from './statusActions';
import { useFindingWriter } from './useFindingWriter';
import { useIsOwnKey } from '../keys/useIsOwnKey';

function StatusButtons({ view, onMove, busy }: { view: FindingView; onMove: (to: AuthorStatus) => void; busy: boolean }) {
  const actions = statusActions(view.finding.status, view.shown_status);
  if (actions.length === 0) return null;
  return (
    <div className="status-actions" role="group" aria-label="Change status">
      {actions.map((a) => (
        <span key={a.to} className="status-action">
          <button
            type="button"
            className={`button ${a.to === 'submitted' ? 'button--primary' : ''}`}
            disabled={busy || a.disabledReason !== null}
            aria-describedby={a.disabledReason ? `why-${a.to}` : undefined}
            onClick={() => onMove(a.to)}
          >
            {a.label}
          </button>
          {a.disabledReason && (
            <span id={`why-${a.to}`} className="muted small status-reason">
              {a.disabledReason}
            </span>
          )}
        </span>
      ))}
    </div>
  );
}

/** A finding, editable by its author: status moves, details, write-up, evidence, notes and history. */
function FindingWorkspace({ engagement: e, view, onReload }: { engagement: Engagement; view: FindingView; onReload: () => Promise<void> }) {
  const f = view.finding;
  const isOwn = useIsOwnKey();
  const mine = isOwn(f.author);
  const { update, setStatus, addEvidence, remove } = useFindingsStore(
    useShallow((s) => ({ update: s.update, setStatus: s.setStatus, addEvidence: s.addEvidence, remove: s.remove })),
  );
  const { navigate, notify } = useUiStore(useShallow((s) => ({ navigate: s.navigate, notify: s.notify })));
  const heading = useFocusHeading<HTMLHeadingElement>(`finding-${f.id}`);
  const writer = useFindingWriter(f.revision);
  const [conflict, setConflict] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);

  // Someone saved a newer revision elsewhere (another window, the CLI) while nothing of ours was on its way.
  const changedElsewhere = writer.pending === 0 && f.revision > writer.knownRevision;

  function noteConflict(error: unknown): never {
    if (error instanceof ApiCallError && error.code === 'CONFLICT') setConflict(error.message);
    throw error;
  }
  const save = (changes: FindingChanges) => writer.run((base) => update(f.id, base, changes)).catch(noteConflict);
  const { progress, attach } = useAttachEvidence(f.engagement_id, (evidence) => writer.run(() => addEvidence(f.id, evidence)));

  async function move(to: AuthorStatus) {
    setMoving(true);
    try {
      const saved = await writer.run((base) => setStatus(f.id, base, to)).catch(noteConflict);
      notify('info', `The finding is now ${saved.status}.`);
    } catch (error) {
      notify('error', errorMessage(error));
    } finally {
      setMoving(false);
    }
  }

  async function confirmDelete() {
    setDeleteBusy(true);
    try {
      await writer.run(async () => {
        await remove(f.id);
        return f;
      });
      notify('info', `“${f.title}” is deleted; its history keeps every revision.`);
      navigate({ page: 'findings', id: e.id });
    } catch (error) {
      notify('error', errorMessage(error));
      setDeleteBusy(false);
      setDeleting(false);
    }
  }

  function onPaste(ev: ClipboardEvent) {
    if (!mine) return;
    const files = Array.from(ev.clipboardData.files);
    if (files.length === 0) return;
    // A screenshot: evidence, not text for the editor.
    ev.preventDefault();
    const now = new Date();
    void attach({ files: files.map((file) => new File([file], pastedName(file, now), { type: file.type })), from: 'paste' });
  }

  return (
    <article className="page page--wide finding-page" aria-labelledby="finding-title" onPaste={onPaste}>
      <header className="page-header">
        <div>
          <Crumbs engagement={e} />
          <h1 id="finding-title" ref={heading} tabIndex={-1}>
            {f.title}
          </h1>
          <FindingBadges finding={f} shown={view.shown_status} />
          <ReviewBadges view={view} />
        </div>
      </header>
      <EngagementTabs engagementId={e.id} current="findings" />

      {(conflict || changedElsewhere) && (
        <div className="callout conflict" role="alert">
          <p>
            <strong>This finding was changed elsewhere</strong>{' '}
            {conflict ?? `(now revision ${f.revision}; this page was working from revision ${writer.knownRevision}).`} Reload to see the newest
            revision; what you typed here since your last save is then replaced.
          </p>
          <button
            type="button"
            className="button button--small"
            onClick={() => {
              setConflict(null);
              void onReload();
            }}
          >
            Reload
          </button>
        </div>
      )}

      {mine ? (
        <StatusButtons view={view} onMove={(to) => void move(to)} busy={moving || writer.pending > 0} />
      ) : (
        <ReadOnlyNotice keyId={f.author} what="finding" />
      )}

      <ExportCsafButton view={view} />

      <section aria-labelledby="details-title">
        <h2 id="details-title" className="section-title">
          Details
        </h2>
        {mine ? <DetailsForm finding={f} save={save} /> : <DetailsFacts finding={f} />}
      </section>

      {mine ? (
        <SectionsEditor finding={f} save={save} />
      ) : (
        <section aria-labelledby="writeup-title" className="finding-sections">
          <h2 id="writeup-title" className="section-title">
            Write-up
          </h2>
          {SECTIONS.map(({ key, label }) => (
            <div key={key} className="finding-section">
              <h3>{label}</h3>
              <MarkdownView text={f[key]} />
            </div>
          ))}
        </section>
      )}

      <EvidencePanel finding={f} mine={mine} progress={progress} attach={attach} />

      <ReviewPanel view={view} />

      <NotesPanel engagementId={e.id} target={{ type: 'finding', id: f.id }} title="Notes on this finding" />

      <HistoryList
        recordId={f.id}
        revision={f.revision}
        current={f.revision}
        revisionHref={(r) => routeHash({ page: 'finding', id: e.id, findingId: f.id, ...(r === f.revision ? {} : { revision: r }) })}
      />

      {mine && (
        <div className="button-row">
          <button type="button" className="button button--danger-outline" onClick={() => setDeleting(true)}>
            Delete finding
          </button>
        </div>
      )}
      <ConfirmDialog
        open={deleting}
        title={`Delete “${f.title}”?`}
        confirmLabel="Delete finding"
        busy={deleteBusy}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(false)}
      >
        <p>It leaves the findings table and search. The deletion is recorded; the history keeps every revision.</p>
      </ConfirmDialog>
    </article>
  );
}

/** A finding page: the current finding (editable by its author), or a read-only earlier revision. */
export function FindingPage({ engagement: e, findingId, revision }: { engagement: Engagement; findingId: string; revision?: number | undefined }) {
  const { view, error, load } = useFindingsStore(useShallow((s) => ({ view: s.views[findingId], error: s.errors[findingId], load: s.load })));
  const [epoch, setEpoch] = useState(0);

  useEffect(() => {
    void load(findingId);
  }, [findingId, load]);

  if (revision !== undefined) return <FindingRevision engagement={e} findingId={findingId} revision={revision} latest={view?.finding.revision ?? null} />;

  if (!view) {
    return (
      <article className="page page--wide" aria-labelledby="finding-title">
        <Crumbs engagement={e} />
        <h1 id="finding-title" tabIndex={-1}>
          {error ? 'This finding could not be opened' : 'Loading the finding…'}
        </h1>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </article>
    );
  }
  if (view.finding.engagement_id !== e.id) {
    return (
      <article className="page page--wide" aria-labelledby="finding-title">
        <Crumbs engagement={e} />
        <h1 id="finding-title" tabIndex={-1}>
          This finding belongs to another engagement
        </h1>
      </article>
    );
  }
  // Reload: fetch the newest revision and start the editors over from it.
  const reload = async () => {
    await load(findingId);
    setEpoch((n) => n + 1);
  };
  return <FindingWorkspace key={epoch} engagement={e} view={view} onReload={reload} />;
}
