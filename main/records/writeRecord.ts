/**
 * The single record-write path (DESIGN.md rule 6). It sets author, revision and
 * timestamps, validates the whole record, keeps the superseded revision, and
 * appends the audit event, all in one transaction (one per batch). No other code writes
 * records.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../../shared/canonical';
import { parentField, recordSchemas, type RecordOf, type StorableType } from '../../shared/domain/records';
import type { Clock } from '../../shared/reviewWindow';
import { AppError } from '../../shared/result';
import { describeZodError } from '../api/dispatch';
import { auditAppender, sha256Hex, type AuditAppender } from '../audit/auditChain';
import type { Db } from '../db/open';
import { indexRecord } from './searchIndex';

export type WriteContext = { db: Db; author: string; clock: Clock };

type Editable<T extends StorableType> = Omit<RecordOf<T>, 'type' | 'id' | 'author' | 'revision' | 'created_at' | 'updated_at' | 'deleted'>;
/** Fields to set; null clears an optional field. */
type Fields<T extends StorableType> = { [K in keyof Editable<T>]?: Editable<T>[K] | null };

export type WriteOp<T extends StorableType> =
  /** `id` only when the caller must know it before writing (records that refer to each other). */
  | { action: 'create'; type: T; id?: string; fields: Fields<T>; refs?: string[] }
  | { action: 'update'; type: T; id: string; fields: Fields<T>; baseRevision?: number; refs?: string[] }
  | { action: 'delete'; type: T; id: string; baseRevision?: number };

type Row = { id: string; type: string; author: string; revision: number; created_at: string; deleted: number; body: string };

/** Prepared once per connection: a bulk import writes tens of thousands of records. */
const statementCache = new WeakMap<Db, ReturnType<typeof prepare>>();
function prepare(db: Db) {
  return {
    current: db.prepare('SELECT id, type, author, revision, created_at, deleted, body FROM records WHERE id = ?'),
    supersede: db.prepare('INSERT INTO record_revisions (id, revision, body, hash) SELECT id, revision, body, hash FROM records WHERE id = ?'),
    upsert: db.prepare(
      `INSERT INTO records (id, type, author, revision, created_at, updated_at, deleted, body, hash, parent_id)
       VALUES (@id, @type, @author, @revision, @created_at, @updated_at, @deleted, @body, @hash, @parent_id)
       ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, updated_at = excluded.updated_at,
         deleted = excluded.deleted, body = excluded.body, hash = excluded.hash
       RETURNING rowid`,
    ),
    insert: db.prepare(
      `INSERT INTO records (id, type, author, revision, created_at, updated_at, deleted, body, hash, parent_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    clearRefs: db.prepare('DELETE FROM record_refs WHERE from_id = ?'),
    addRef: db.prepare('INSERT INTO record_refs (from_id, author, to_id) VALUES (?, ?, ?)'),
  };
}
function statements(db: Db) {
  let s = statementCache.get(db);
  if (!s) statementCache.set(db, (s = prepare(db)));
  return s;
}

export type WriteOptions = {
  /**
   * Bulk imports leave the search index to one statement after all rows
   * (searchIndex.indexSamplesOfRun), in the same transaction.
   */
  deferSearch?: boolean;
};

export function writeRecord<T extends StorableType>(ctx: WriteContext, op: WriteOp<T>): RecordOf<T> {
  return writeRecords(ctx, [op])[0] as RecordOf<T>;
}

/** Several writes in one transaction: all of them, or (on any error) none. */
export function writeRecords<T extends StorableType>(ctx: WriteContext, ops: readonly WriteOp<T>[], opts: WriteOptions = {}): RecordOf<T>[] {
  return ctx.db
    .transaction(() => {
      // One appender per transaction: it keeps the chain head in memory between the batch's events.
      const audit = auditAppender(ctx.db);
      return ops.map((op) => writeOne(ctx, op, opts, audit));
    })
    .immediate();
}

function writeOne<T extends StorableType>(ctx: WriteContext, op: WriteOp<T>, opts: WriteOptions, audit: AuditAppender): RecordOf<T> {
  const { db } = ctx;
  const st = statements(db);
  const now = ctx.clock.now().toISOString();
  let record: Record<string, unknown>;
  if (op.action === 'create') {
    if (op.id !== undefined && st.current.get(op.id)) throw new AppError('CONFLICT', `A record with id ${op.id} already exists.`);
    record = { ...op.fields, type: op.type, id: op.id ?? uuidv7(), author: ctx.author, revision: 1, created_at: now, updated_at: now, deleted: false };
  } else {
    const row = st.current.get(op.id) as Row | undefined;
    const label = op.type;
    if (!row || row.type !== op.type || row.deleted) throw new AppError('NOT_FOUND', `There is no ${label} with id ${op.id}.`);
    if (row.author !== ctx.author) {
      throw new AppError('NOT_AUTHOR', `This ${label} was written by key ${row.author.slice(0, 8)}…; only its author can change it.`);
    }
    if (op.baseRevision !== undefined && op.baseRevision !== row.revision) {
      throw new AppError('CONFLICT', `This ${label} was changed meanwhile (now revision ${row.revision}, you edited ${op.baseRevision}); reload and try again.`);
    }
    const previous = JSON.parse(row.body) as Record<string, unknown>;
    const fields = op.action === 'update' ? op.fields : {};
    record = { ...previous, ...fields, revision: row.revision + 1, updated_at: laterThan(now, previous.updated_at), deleted: op.action === 'delete' };
  }
  const parsed = recordSchemas[op.type].safeParse(dropCleared(record));
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeZodError(parsed.error));
  const stored = parsed.data as RecordOf<T>;
  const body = canonicalJson(stored);
  const hash = sha256Hex(body);

  // The superseded revision moves to the history table; records holds the current one.
  if (op.action !== 'create') st.supersede.run(stored.id);
  const parent = parentField[op.type];
  const parent_id = parent ? ((stored as Record<string, unknown>)[parent] as string) : null;
  const deleted = stored.deleted ? 1 : 0;
  const rowid =
    op.action === 'create'
      ? Number(st.insert.run(stored.id, stored.type, stored.author, stored.revision, stored.created_at, stored.updated_at, deleted, body, hash, parent_id).lastInsertRowid)
      : (st.upsert.get({ ...pick(stored), deleted, body, hash, parent_id }) as { rowid: number }).rowid;
  if (!opts.deferSearch) indexRecord(db, rowid, stored);
  if (op.action !== 'delete' && op.refs) {
    if (op.action === 'update') st.clearRefs.run(stored.id);
    for (const to of new Set(op.refs)) st.addRef.run(stored.id, ctx.author, to);
  }
  audit.append({
    at: stored.updated_at,
    actor: ctx.author,
    action: op.action,
    entity: op.type,
    id: stored.id,
    revision: stored.revision,
    record_hash: hash,
  });
  return stored;
}

function pick(r: { id: string; type: string; author: string; revision: number; created_at: string; updated_at: string }) {
  return { id: r.id, type: r.type, author: r.author, revision: r.revision, created_at: r.created_at, updated_at: r.updated_at };
}

/** A revision's timestamp never goes backwards, even if the clock does. */
function laterThan(now: string, previous: unknown): string {
  if (typeof previous !== 'string' || now > previous) return now;
  return new Date(Date.parse(previous) + 1).toISOString();
}

// Optional fields are absent, never null: a null in an edit clears the field.
function dropCleared(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in o) {
    const v = o[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}
