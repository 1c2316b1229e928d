import { AuditEventBody } from '../../shared/domain/audit';
import type { HistoryEntry, RecordHistory } from '../../shared/domain/history';
import { AppError } from '../../shared/result';
import type { Workspace } from '../workspace/workspace';

/** Envelope fields change with every revision; "changed" lists what the author changed. */
const ENVELOPE = new Set(['type', 'id', 'author', 'revision', 'created_at', 'updated_at', 'deleted']);

type Body = Record<string, unknown>;

/**
 * A record's history, read from the audit chain (who, what, when, which
 * revision) and the stored revisions (what changed). One entry per revision.
 */
export class HistoryService {
  constructor(private readonly ws: Workspace) {}

  of(id: string): RecordHistory {
    const { db } = this.ws;
    const record = db.prepare('SELECT type FROM records WHERE id = ?').get(id) as { type: string } | undefined;
    if (!record) throw new AppError('NOT_FOUND', `There is no record with id ${id}.`);

    const bodies = new Map<number, Body>();
    const revisions = db
      .prepare('SELECT revision, body FROM record_revisions WHERE id = ? UNION ALL SELECT revision, body FROM records WHERE id = ?')
      .all(id, id) as { revision: number; body: string }[];
    for (const r of revisions) bodies.set(r.revision, JSON.parse(r.body) as Body);

    const own = this.ws.identity();
    const names = new Map((db.prepare('SELECT key_id, name FROM trusted_keys').all() as { key_id: string; name: string }[]).map((k) => [k.key_id, k.name]));
    if (own) names.set(own.key_id, own.name);
    const events = db.prepare('SELECT body FROM audit_events WHERE record_id = ? ORDER BY seq').all(id) as { body: string }[];
    const entries: HistoryEntry[] = [];
    for (const row of events) {
      const parsed = AuditEventBody.safeParse(JSON.parse(row.body));
      if (!parsed.success) throw new AppError('WORKSPACE_DAMAGED', `An audit event of record ${id} is damaged; run \`evalnotes audit verify\` to find where the chain breaks.`);
      const event = parsed.data;
      const body = bodies.get(event.revision);
      const before = bodies.get(event.revision - 1);
      if (event.action === 'ingest') {
        // A revision another author made, merged from a bundle: theirs to name, at their time.
        if (!body) continue;
        const author = String(body.author);
        entries.push({
          seq: event.seq,
          at: String(body.updated_at),
          actor: author,
          actor_name: names.get(author) ?? null,
          action: body.deleted === true ? 'delete' : event.revision === 1 ? 'create' : 'update',
          revision: event.revision,
          changed: before ? changedFields(before, body) : [],
          status_change: before ? statusChange(before, body) : null,
          via_bundle: true,
        });
        continue;
      }
      // Other actions (an export confirmation) are not revisions of the record.
      if (event.action !== 'create' && event.action !== 'update' && event.action !== 'delete') continue;
      const earlier = event.action === 'create' ? undefined : before;
      entries.push({
        seq: event.seq,
        at: event.at,
        actor: event.actor,
        actor_name: names.get(event.actor) ?? null,
        action: event.action,
        revision: event.revision,
        changed: body && earlier ? changedFields(earlier, body) : [],
        status_change: body && earlier ? statusChange(earlier, body) : null,
        via_bundle: false,
      });
    }
    return { id, type: record.type, entries };
  }
}

/** Top-level fields whose values differ between two revisions, in a stable order. */
export function changedFields(before: Body, after: Body): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !ENVELOPE.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

function statusChange(before: Body, after: Body): HistoryEntry['status_change'] {
  const from = before.status;
  const to = after.status;
  return typeof from === 'string' && typeof to === 'string' && from !== to ? { from, to } : null;
}
