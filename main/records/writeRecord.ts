/**
 * The single record-write path (DESIGN.md rule 6). It sets author, revision and
 * timestamps, validates the whole record, keeps the superseded revision, and
 * appends the audit event, all in one transaction (one per batch). No other code writes
 * records. Records authored by other keys arrive through mergeForeignRecords
 * (bundle ingest), which applies DESIGN.md's ownership rule instead.
 */
import { v7 as uuidv7 } from 'uuid';
import { canonicalJson } from '../../shared/canonical';
import { parentField, recordSchemas, type RecordOf, type StorableType } from '../../shared/domain/records';
import type { Clock } from '../../shared/reviewWindow';
import { AppError } from '../../shared/result';
import { describeZodError } from '../api/dispatch';
import { auditAppender, sha256Hex, type AuditAppender } from '../audit/auditChain';
import type { Db } from '../db/open';
import { indexRecord, unindexRow } from './searchIndex';

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
    currentForMerge: db.prepare('SELECT rowid, type, author, revision, hash FROM records WHERE id = ?'),
    replace: db.prepare(
      `UPDATE records SET revision = @revision, created_at = @created_at, updated_at = @updated_at, deleted = @deleted,
         body = @body, hash = @hash, parent_id = @parent_id WHERE id = @id`,
    ),
    clearRefs: db.prepare('DELETE FROM record_refs WHERE from_id = ?'),
    addRef: db.prepare('INSERT INTO record_refs (from_id, author, to_id) VALUES (?, ?, ?)'),
  };
}
const ownKeysQueries = new WeakMap<Db, { all(): unknown[] }>();

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
      return ops.map((op) => {
        const record = op.action === 'create' ? newRecord(ctx.author, ctx.clock.now().toISOString(), op, ctx.db) : changedRecord(ctx, op);
        const sealed = seal(op.type, record, op.action === 'delete' ? undefined : op.refs);
        store(ctx, op.action, sealed, audit, opts.deferSearch ? undefined : sealed.record);
        return sealed.record as RecordOf<T>;
      });
    })
    .immediate();
}

/**
 * A record made ready to store: validated, in canonical JSON, hashed. Bulk
 * imports seal their samples on one thread (sealNewRecords) while another
 * stores them (storeSealed); such a record travels with its envelope only, the
 * body being the record.
 */
export type SealedRecord<R extends Envelope = StoredRecord> = { record: R; body: string; hash: string; parent_id: string | null; refs: readonly string[] };
type StoredRecord = RecordOf<StorableType>;
export type Envelope = Pick<StoredRecord, 'id' | 'type' | 'author' | 'revision' | 'created_at' | 'updated_at' | 'deleted'>;

/** The first half of creating records, free of the database. */
export function sealNewRecords<T extends StorableType>(author: string, now: string, ops: readonly CreateOp<T>[]): SealedRecord<Envelope>[] {
  return ops.map((op) => {
    const { record: r, ...rest } = seal(op.type, newRecord(author, now, op), op.refs);
    return { ...rest, record: { id: r.id, type: r.type, author: r.author, revision: r.revision, created_at: r.created_at, updated_at: r.updated_at, deleted: r.deleted } };
  });
}

/**
 * The second half: stores sealed new records with their references and audit
 * events, in one transaction. Bulk only: the caller fills the search index
 * after all rows (searchIndex.indexSamplesOfRun).
 */
export function storeSealed(ctx: WriteContext, sealed: readonly SealedRecord<Envelope>[]): void {
  ctx.db
    .transaction(() => {
      const audit = auditAppender(ctx.db);
      for (const s of sealed) {
        if (s.record.author !== ctx.author || s.record.revision !== 1) throw new AppError('INTERNAL', `Record ${s.record.id} was sealed for another author or revision.`);
        store(ctx, 'create', s, audit);
      }
    })
    .immediate();
}

export type CreateOp<T extends StorableType> = Extract<WriteOp<T>, { action: 'create' }>;

function newRecord<T extends StorableType>(author: string, now: string, op: CreateOp<T>, db?: Db): Record<string, unknown> {
  // Only a caller-chosen id can collide (uuidv7 ids do not): check just those.
  if (op.id !== undefined && db && statements(db).current.get(op.id)) throw new AppError('CONFLICT', `A record with id ${op.id} already exists.`);
  return { ...op.fields, type: op.type, id: op.id ?? uuidv7(), author, revision: 1, created_at: now, updated_at: now, deleted: false };
}

function changedRecord<T extends StorableType>(ctx: WriteContext, op: Exclude<WriteOp<T>, { action: 'create' }>): Record<string, unknown> {
  const row = statements(ctx.db).current.get(op.id) as Row | undefined;
  const label = op.type;
  if (!row || row.type !== op.type || row.deleted) throw new AppError('NOT_FOUND', `There is no ${label} with id ${op.id}.`);
  if (row.author !== ctx.author && !ownKeysOf(ctx).has(row.author)) {
    throw new AppError('NOT_AUTHOR', `This ${label} was written by key ${row.author.slice(0, 8)}…; only its author can change it.`);
  }
  if (op.baseRevision !== undefined && op.baseRevision !== row.revision) {
    throw new AppError('CONFLICT', `This ${label} was changed meanwhile (now revision ${row.revision}, you edited ${op.baseRevision}); reload and try again.`);
  }
  const previous = JSON.parse(row.body) as Record<string, unknown>;
  const fields = op.action === 'update' ? op.fields : {};
  const now = ctx.clock.now().toISOString();
  return { ...previous, ...fields, revision: row.revision + 1, updated_at: laterThan(now, previous.updated_at), deleted: op.action === 'delete' };
}

function seal(type: StorableType, record: Record<string, unknown>, refs: readonly string[] | undefined): SealedRecord<StoredRecord> {
  const parsed = recordSchemas[type].safeParse(dropCleared(record));
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeZodError(parsed.error));
  const stored = parsed.data;
  const body = canonicalJson(stored);
  const parent = parentField[type];
  const parent_id = parent ? ((stored as Record<string, unknown>)[parent] as string) : null;
  return { record: stored, body, hash: sha256Hex(body), parent_id, refs: refs ?? [] };
}

/** Stores a sealed record: row, history, references, audit event, and (given the whole record) its search entry. */
function store(ctx: WriteContext, action: WriteOp<StorableType>['action'], sealed: SealedRecord<Envelope>, audit: AuditAppender, indexed?: StoredRecord): void {
  const { db } = ctx;
  const st = statements(db);
  const { record, body, hash, parent_id } = sealed;
  // The superseded revision moves to the history table; records holds the current one.
  if (action !== 'create') st.supersede.run(record.id);
  const deleted = record.deleted ? 1 : 0;
  const rowid =
    action === 'create'
      ? Number(st.insert.run(record.id, record.type, record.author, record.revision, record.created_at, record.updated_at, deleted, body, hash, parent_id).lastInsertRowid)
      : (st.upsert.get({ ...pick(record), deleted, body, hash, parent_id }) as { rowid: number }).rowid;
  if (indexed) indexRecord(db, rowid, indexed);
  if (action !== 'delete' && sealed.refs.length > 0) {
    if (action === 'update') st.clearRefs.run(record.id);
    for (const to of new Set(sealed.refs)) st.addRef.run(record.id, ctx.author, to);
  }
  audit.append({ at: record.updated_at, actor: ctx.author, action, entity: record.type, id: record.id, revision: record.revision, record_hash: hash });
}

/**
 * The writer's keys when it writes as this workspace's identity: its current
 * key and every key it succeeded (key rotation, re-assignment; migration
 * 0090). An author is that chain of keys: a record keeps the key it was
 * created under, and any key of the chain may change it.
 */
function ownKeysOf(ctx: WriteContext): ReadonlySet<string> {
  // Prepared when first needed (an edit of a record under another key), not with the rest: tests write
  // through this path into workspaces kept at older schema versions, which lack the view.
  let query = ownKeysQueries.get(ctx.db);
  if (!query) ownKeysQueries.set(ctx.db, (query = ctx.db.prepare('SELECT key_id FROM own_keys').pluck()));
  const own = new Set(query.all() as string[]);
  return own.has(ctx.author) ? own : new Set([ctx.author]);
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

// #region records by other authors (bundle ingest)

/** A record another key authored, as a verified bundle carries it: its canonical JSON, byte for byte. */
export type ForeignRecord = { type: StorableType; body: string };

export type MergeOutcome = 'added' | 'updated' | 'skipped';
export type MergedRecord = { record: StoredRecord; hash: string; outcome: MergeOutcome };

/**
 * Stores records authored by other keys by DESIGN.md's ownership rule, in one
 * transaction (a savepoint inside the caller's, if any): an unknown id is
 * inserted; the same id by the same author replaces the stored one when its
 * revision is higher (the superseded revision goes to record_revisions) or, at
 * an equal revision, when its canonical hash is higher; anything else is
 * skipped. So any set of records merged in any order leaves the same rows.
 *
 * - The stored body is the given text exactly (validated against its schema
 *   and required to be canonical JSON), so its hash is the bundle's.
 * - The same id by another author refuses the whole merge (CONFLICT), as does
 *   the same id and author with another type.
 * - A record authored by this workspace's own key (ctx.author), or a key it
 *   succeeded (ownKeysOf), is never written: a bundle cannot change, revive
 *   or replay our own records; it is counted as skipped.
 * - Every stored record appends an 'ingest' event to this workspace's chain
 *   (actor ctx.author, the stored revision and hash), so `audit verify` holds.
 * - The losing content of an equal-revision tie is not kept: it was never a
 *   revision of the record here.
 */
export function mergeForeignRecords(ctx: WriteContext, incoming: readonly ForeignRecord[]): MergedRecord[] {
  return ctx.db
    .transaction(() => {
      const audit = auditAppender(ctx.db);
      const now = ctx.clock.now().toISOString();
      const own = ownKeysOf(ctx);
      return incoming.map((r) => mergeOne(ctx, audit, now, r, own));
    })
    .immediate();
}

type MergeRow = { rowid: number; type: string; author: string; revision: number; hash: string };

function mergeOne(ctx: WriteContext, audit: AuditAppender, now: string, incoming: ForeignRecord, own: ReadonlySet<string>): MergedRecord {
  const { db } = ctx;
  const st = statements(db);
  const sealed = sealForeign(incoming);
  const { record, hash } = sealed;
  const row = st.currentForMerge.get(record.id) as MergeRow | undefined;
  if (row && row.author !== record.author) {
    throw new AppError(
      'CONFLICT',
      `Record ${record.id} is here already by key ${row.author.slice(0, 8)}…, but the bundle holds it by key ${record.author.slice(0, 8)}…; a record has one author, so nothing was ingested.`,
    );
  }
  if (row && row.type !== record.type) {
    throw new AppError('CONFLICT', `Record ${record.id} is ${article(row.type)} here but ${article(record.type)} in the bundle; nothing was ingested.`);
  }
  if (record.author === ctx.author || own.has(record.author)) return { record, hash, outcome: 'skipped' };

  const deleted = record.deleted ? 1 : 0;
  let rowid: number;
  let outcome: MergeOutcome;
  if (!row) {
    rowid = Number(st.insert.run(record.id, record.type, record.author, record.revision, record.created_at, record.updated_at, deleted, sealed.body, hash, sealed.parent_id).lastInsertRowid);
    outcome = 'added';
  } else {
    const newer = record.revision > row.revision || (record.revision === row.revision && hash > row.hash);
    if (!newer) return { record, hash, outcome: 'skipped' };
    if (record.revision > row.revision) st.supersede.run(record.id);
    // Removed while the row still holds what was indexed: a tie leaves no superseded revision to say.
    unindexRow(db, row.rowid);
    st.replace.run({ ...pick(record), deleted, body: sealed.body, hash, parent_id: sealed.parent_id });
    rowid = row.rowid;
    outcome = 'updated';
  }
  indexRecord(db, rowid, record);
  audit.append({ at: now, actor: ctx.author, action: 'ingest', entity: record.type, id: record.id, revision: record.revision, record_hash: hash });
  return { record, hash, outcome };
}

/** Validates a record's text as it arrived: its schema, and canonical JSON (so its hash is the one its author signed). */
function sealForeign({ type, body }: ForeignRecord): SealedRecord<StoredRecord> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new AppError('INVALID_INPUT', `A ${type} record in the bundle is not valid JSON.`);
  }
  const parsed = recordSchemas[type].safeParse(value);
  if (!parsed.success) throw new AppError('INVALID_INPUT', `A ${type} record in the bundle does not match its schema (${describeZodError(parsed.error)}).`);
  const record: StoredRecord = parsed.data;
  if (canonicalJson(value) !== body) throw new AppError('INVALID_INPUT', `Record ${record.id} in the bundle is not canonical JSON.`);
  const parent = parentField[type];
  const parent_id = parent ? ((record as Record<string, unknown>)[parent] as string) : null;
  return { record, body, hash: sha256Hex(body), parent_id, refs: [] };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

// #endregion
