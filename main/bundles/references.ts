/**
 * The records a record refers to by id. Between one author's records some of
 * these are hard references (record_refs); to another author's records they are
 * soft: a note may arrive before the finding it is on and shows as "waiting for
 * …" until the finding is ingested too (DESIGN.md, "Ownership instead of merge
 * conflicts"). Ingest treats every reference of a record from a bundle as soft.
 */
import type { RecordOf, StorableType } from '../../shared/domain/records';
import type { RecordType } from '../../shared/domain/record';

export type Reference = { id: string; type: RecordType };

/** What a live record refers to, each id once; a tombstone refers to nothing. */
export function referencesOf(record: RecordOf<StorableType>): Reference[] {
  if (record.deleted) return [];
  const refs: Reference[] = [];
  switch (record.type) {
    case 'engagement':
      break;
    case 'threshold':
    case 'run':
    case 'attachment':
      refs.push({ id: record.engagement_id, type: 'engagement' });
      break;
    case 'result':
    case 'sample':
      refs.push({ id: record.run_id, type: 'run' });
      break;
    case 'note':
      refs.push({ id: record.engagement_id, type: 'engagement' }, { id: record.on.id, type: record.on.type });
      break;
    case 'review':
      refs.push({ id: record.engagement_id, type: 'engagement' }, { id: record.finding_id, type: 'finding' });
      break;
    case 'determination':
      // Not the results and thresholds it rests on: thresholds stay local unless chosen, so they may never come.
      refs.push({ id: record.engagement_id, type: 'engagement' });
      break;
    case 'finding':
      refs.push({ id: record.engagement_id, type: 'engagement' });
      for (const e of record.evidence) {
        if (e.kind === 'attachment') refs.push({ id: e.attachment_id, type: 'attachment' });
        else if (e.kind === 'run') refs.push({ id: e.run_id, type: 'run' });
        else if (e.sample_record_id !== undefined) refs.push({ id: e.sample_record_id, type: 'sample' });
      }
      break;
  }
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(r.id) && seen.add(r.id));
}
