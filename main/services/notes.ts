import type { z } from 'zod';
import { Note, type NoteInput, type NoteTarget } from '../../shared/domain/note';
import { AppError } from '../../shared/result';
import { getRecord } from '../records/readRecords';
import { writeRecord } from '../records/writeRecord';
import type { Workspace } from '../workspace/workspace';

export const noteQueries = {
  /** An engagement's journal, through the parent index (a note's parent is its engagement). */
  journal: "SELECT body FROM records WHERE parent_id = ? AND type = 'note' AND deleted = 0 ORDER BY created_at, id",
  onTarget:
    "SELECT body FROM records WHERE parent_id = ? AND type = 'note' AND deleted = 0 AND json_extract(body, '$.on.id') = ? AND json_extract(body, '$.on.type') = ? ORDER BY created_at, id",
};

/** Markdown notes on an engagement, a run, a sample or a finding; the engagement's journal lists them all. */
export class NoteService {
  constructor(
    private readonly ws: Workspace,
    private readonly changed: (types: string[]) => void = () => {},
  ) {}

  /** The engagement journal, oldest first; or only the notes on one record. */
  list(engagementId: string, on?: NoteTarget): Note[] {
    getRecord(this.ws.db, 'engagement', engagementId);
    const rows = (
      on ? this.ws.db.prepare(noteQueries.onTarget).all(engagementId, on.id, on.type) : this.ws.db.prepare(noteQueries.journal).all(engagementId)
    ) as { body: string }[];
    return rows.map((r) => Note.parse(JSON.parse(r.body)));
  }

  get(id: string): Note {
    return getRecord(this.ws.db, 'note', id);
  }

  create(input: z.output<typeof NoteInput>): Note {
    const engagement_id = this.engagementOf(input.on);
    const note = writeRecord(this.ws.writer(), {
      action: 'create',
      type: 'note',
      fields: { engagement_id, on: input.on, body: input.body },
      refs: this.ownRefs([input.on.id, engagement_id]),
    });
    this.changed(['note']);
    return note;
  }

  /** Saves a note's text. Autosave may send the same text again: that writes nothing. */
  update(id: string, body: string, baseRevision?: number): Note {
    const current = this.get(id);
    const unchanged = current.body === body && this.ws.ownKeyIds().includes(current.author) && (baseRevision === undefined || baseRevision === current.revision);
    if (unchanged) return current;
    const note = writeRecord(this.ws.writer(), { action: 'update', type: 'note', id, fields: { body }, ...(baseRevision !== undefined ? { baseRevision } : {}) });
    this.changed(['note']);
    return note;
  }

  delete(id: string): void {
    writeRecord(this.ws.writer(), { action: 'delete', type: 'note', id });
    this.changed(['note']);
  }

  /** The engagement whose journal holds a note on this target; the target must exist. */
  engagementOf(on: NoteTarget): string {
    const { db } = this.ws;
    switch (on.type) {
      case 'engagement':
        return getRecord(db, 'engagement', on.id).id;
      case 'run':
        return getRecord(db, 'run', on.id).engagement_id;
      case 'sample':
        return getRecord(db, 'run', getRecord(db, 'sample', on.id).run_id).engagement_id;
      case 'finding':
        return getRecord(db, 'finding', on.id).engagement_id;
      default:
        throw new AppError('INVALID_INPUT', 'A note goes on an engagement, a run, a sample or a finding.');
    }
  }

  /** Hard references hold only within one author's records (record_refs); references to others' stay soft. */
  private ownRefs(ids: string[]): string[] {
    const me = this.ws.writer().author;
    const authorOf = this.ws.db.prepare('SELECT author FROM records WHERE id = ?').pluck();
    return ids.filter((id) => authorOf.get(id) === me);
  }
}
