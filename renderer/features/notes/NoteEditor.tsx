import { useId, useRef } from 'react';
import type { Note, NoteTarget } from '../../../shared/domain/note';
import { call } from '../../lib/api';
import { shortcutLabel } from '../../lib/keys';
import { useNotesStore } from '../../stores/notesStore';
import { MarkdownEditor } from './MarkdownEditor';
import { SaveStatus } from './SaveStatus';
import { useAutosave } from './useAutosave';

type NoteEditorProps = {
  /** The note to edit; absent for a new note on `target` (created by the first save). */
  note?: Note;
  target: NoteTarget;
  label: string;
  onCreated?: (note: Note) => void;
  onDone: () => void;
};

/**
 * Writes a note with autosave: the first save creates it, every later one
 * updates it (with the revision it last saw, so an edit made elsewhere meanwhile
 * is reported, not overwritten). Done saves and closes the editor.
 */
export function NoteEditor({ note, target, label, onCreated, onDone }: NoteEditorProps) {
  const id = useId();
  const labelId = `${id}-label`;
  const statusId = `${id}-status`;
  const saved = useNotesStore((s) => s.saved);
  const current = useRef<Note | null>(note ?? null);
  const { saver, state } = useAutosave<string>(async (body) => {
    const n = current.current;
    if (!n) {
      // Nothing typed yet (or all of it deleted before the first save): no empty note.
      if (body.trim() === '') return;
      const created = await call('note:create', { on: target, body });
      current.current = created;
      saved(created);
      onCreated?.(created);
      return;
    }
    const updated = await call('note:update', { id: n.id, base_revision: n.revision, body });
    current.current = updated;
    saved(updated);
  });

  async function done() {
    await saver.flush();
    if (!saver.dirty) onDone();
  }

  return (
    <div className="note-editor" data-testid="note-editor">
      <div className="note-editor-head">
        <span id={labelId} className="note-editor-label">
          {label}
        </span>
        <SaveStatus state={state} id={statusId} />
      </div>
      <MarkdownEditor
        label={label}
        initial={note?.body ?? ''}
        onChange={(text) => saver.change(text)}
        onBlur={() => void saver.flush()}
        placeholder="Write in Markdown. It saves as you type."
        autoFocus
        testId="note-input"
      />
      <div className="button-row">
        <button type="button" className="button button--small" onClick={() => void done()}>
          Done
        </button>
        <span className="muted small">
          Markdown: **bold** ({shortcutLabel('B')}), _italic_ ({shortcutLabel('I')}), - lists, `code`. Saved as you type.
        </span>
      </div>
    </div>
  );
}
