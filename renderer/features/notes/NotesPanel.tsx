import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Note, NoteTarget } from '../../../shared/domain/note';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorMessage } from '../../lib/api';
import { formatTimestamp, shortKey } from '../../lib/format';
import { noteListOf, useNotesStore } from '../../stores/notesStore';
import { useUiStore } from '../../stores/uiStore';
import { MarkdownView } from './MarkdownView';
import { NoteEditor } from './NoteEditor';
import { TARGET_LABEL, targetRoute } from './targets';
import { useIsOwnKey } from '../keys/useIsOwnKey';

function NoteMeta({ note, mine, showTarget }: { note: Note; mine: boolean; showTarget: boolean }) {
  const { navigate, notify } = useUiStore(useShallow((s) => ({ navigate: s.navigate, notify: s.notify })));
  const edited = note.revision > 1;
  async function open() {
    try {
      navigate(await targetRoute(note.engagement_id, note.on));
    } catch (error) {
      notify('error', errorMessage(error));
    }
  }
  return (
    <p className="note-meta">
      <span title={note.author}>{mine ? 'You' : shortKey(note.author)}</span>
      <span aria-hidden="true"> · </span>
      <time dateTime={note.created_at}>{formatTimestamp(note.created_at)}</time>
      {edited && (
        <span className="muted">
          {' '}
          (edited {formatTimestamp(note.updated_at)}, revision {note.revision})
        </span>
      )}
      {showTarget && note.on.type !== 'engagement' && (
        <>
          <span aria-hidden="true"> · </span>
          <button type="button" className="link-button" onClick={() => void open()}>
            On {TARGET_LABEL[note.on.type]}
          </button>
        </>
      )}
    </p>
  );
}

type NotesPanelProps = {
  engagementId: string;
  /** Notes on this record; for the journal, the engagement itself (new notes go on it). */
  target: NoteTarget;
  /** The engagement journal: every note of the engagement, whatever it is on, oldest first. */
  journal?: boolean;
  title: string;
  /** The heading level where the panel sits (a sample's blocks use h4). */
  level?: 2 | 3 | 4;
};

/**
 * Notes on one record (or the engagement journal): each rendered from its
 * Markdown, the author's own editable in place, and a new one written with
 * autosave at the end, where time order puts it.
 */
export function NotesPanel({ engagementId, target, journal, title, level = 2 }: NotesPanelProps) {
  const id = useId();
  const headingId = `${id}-title`;
  const on = journal ? undefined : target;
  const { list, refresh, remove } = useNotesStore(
    useShallow((s) => ({ list: noteListOf(s, engagementId, on), refresh: s.refresh, remove: s.remove })),
  );
  const isOwn = useIsOwnKey();
  const notify = useUiStore((s) => s.notify);
  const [editing, setEditing] = useState<string | null>(null);
  const [writing, setWriting] = useState(false);
  /** The note the new-note editor created: shown in that editor, not twice. */
  const [draftId, setDraftId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Note | null>(null);
  const [busy, setBusy] = useState(false);

  const onType = on?.type;
  const onId = on?.id;
  useEffect(() => {
    void refresh(engagementId, onType && onId ? { type: onType, id: onId } : undefined);
  }, [engagementId, onType, onId, refresh]);

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    try {
      await remove(deleting);
      notify('info', 'The note is deleted; its history keeps it.');
    } catch (error) {
      notify('error', errorMessage(error));
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  }

  const Heading = (['h2', 'h3', 'h4'] as const)[level - 2] ?? 'h2';
  const items = list.items.filter((n) => n.id !== draftId);
  return (
    <section className="notes-panel" aria-labelledby={headingId}>
      <div className="notes-panel-head">
        <Heading id={headingId} className="section-title">
          {title} {list.loaded && <span className="count">{list.items.length}</span>}
        </Heading>
        {!writing && (
          <button type="button" className="button button--small" onClick={() => setWriting(true)}>
            Write a note
          </button>
        )}
      </div>
      {list.error && (
        <p className="form-error" role="alert">
          {list.error}
        </p>
      )}
      {!list.loaded ? (
        <p className="muted" role="status">
          Loading notes…
        </p>
      ) : items.length === 0 && !writing ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <ol className="note-list" aria-labelledby={headingId}>
          {items.map((n) => {
            const mine = isOwn(n.author);
            return (
              <li key={n.id} className="note-card" data-testid="note">
                <NoteMeta note={n} mine={mine} showTarget={Boolean(journal)} />
                {editing === n.id ? (
                  <NoteEditor note={n} target={n.on} label="Edit note" onDone={() => setEditing(null)} />
                ) : (
                  <>
                    <MarkdownView text={n.body} empty="(empty note)" />
                    {mine && (
                      <div className="button-row note-actions">
                        <button type="button" className="button button--ghost button--small" onClick={() => setEditing(n.id)}>
                          Edit
                        </button>
                        <button type="button" className="button button--ghost button--small" onClick={() => setDeleting(n)}>
                          Delete
                        </button>
                      </div>
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {writing && (
        <NoteEditor
          target={target}
          label="New note"
          onCreated={(n) => setDraftId(n.id)}
          onDone={() => {
            setWriting(false);
            setDraftId(null);
          }}
        />
      )}
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this note?"
        confirmLabel="Delete note"
        busy={busy}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      >
        <p>It disappears from the journal and from search. Its history keeps every revision.</p>
      </ConfirmDialog>
    </section>
  );
}
