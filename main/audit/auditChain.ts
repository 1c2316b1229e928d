import { hash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical';
import { AuditEventBody, type AuditReport } from '../../shared/domain/audit';
import type { Db, Statement } from '../db/open';

const GENESIS = Buffer.alloc(32);
const GENESIS_HEX = GENESIS.toString('hex');

/** One-shot hash: cheaper than createHash for the small inputs every record write hashes. */
export function sha256Hex(data: string | Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** hash_i = SHA-256(hash_{i-1} ‖ SHA-256(canonical(body_i))), over raw 32-byte digests. */
export function linkHash(previousHex: string | null, bodyHashHex: string): string {
  return hash('sha256', Buffer.from((previousHex ?? GENESIS_HEX) + bodyHashHex, 'hex'), 'hex');
}

export type NewEvent = Omit<AuditEventBody, 'seq' | 'salt'>;

/** Prepared once per connection: imports append tens of thousands of events. */
const statementCache = new WeakMap<Db, { head: Statement; insert: Statement }>();
function statements(db: Db) {
  let s = statementCache.get(db);
  if (!s) {
    s = {
      head: db.prepare('SELECT seq, chain_hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare('INSERT INTO audit_events (seq, record_id, body, body_hash, chain_hash) VALUES (?, ?, ?, ?, ?)'),
    };
    statementCache.set(db, s);
  }
  return s;
}

/** Salts drawn from the CSPRNG in blocks: one system call per 256 events. */
let saltPool = Buffer.alloc(0);
function nextSalt(): string {
  if (saltPool.length < 16) saltPool = randomBytes(16 * 256);
  const salt = saltPool.subarray(0, 16).toString('hex');
  saltPool = saltPool.subarray(16);
  return salt;
}

export type AuditAppender = { append(event: NewEvent): AuditEventBody };

/**
 * Appends events for one transaction: reads the chain head once, then carries
 * it in memory (a batch of records appends hundreds of events). Only valid
 * inside that transaction, which keeps every other writer out; drop it when the
 * transaction ends (on a rollback its head is gone along with its events).
 */
export function auditAppender(db: Db): AuditAppender {
  const st = statements(db);
  let head: { seq: number; chain: Buffer } | undefined;
  return {
    append(event) {
      if (!head) {
        const last = st.head.get() as { seq: number; chain_hash: string } | undefined;
        head = { seq: last?.seq ?? 0, chain: last ? Buffer.from(last.chain_hash, 'hex') : GENESIS };
      }
      const body: AuditEventBody = { ...event, seq: head.seq + 1, salt: nextSalt() };
      const text = canonicalJson(body);
      const bodyDigest = hash('sha256', text, 'buffer');
      // Same link as linkHash, over the raw digests without the hex round trip.
      const chain = hash('sha256', Buffer.concat([head.chain, bodyDigest], 64), 'buffer');
      st.insert.run(body.seq, body.id, text, bodyDigest.toString('hex'), chain.toString('hex'));
      head = { seq: body.seq, chain };
      return body;
    },
  };
}

type Row = { seq: number; record_id: string; body: string; body_hash: string; chain_hash: string };

/**
 * Recomputes the chain from the first event and names the first broken link:
 * an edited body, a missing or reordered event, a stored hash that does not
 * follow, or a record whose current revision has no matching event.
 */
export function verifyAuditChain(db: Db): AuditReport {
  let previous: string | null = null;
  let count = 0;
  const broken = (seq: number | null, message: string): AuditReport => ({ ok: false, events: count, head: previous, problem: { seq, message } });
  const latest = new Map<string, { revision: number; record_hash: string }>();

  for (const row of db.prepare('SELECT seq, record_id, body, body_hash, chain_hash FROM audit_events ORDER BY seq').iterate() as IterableIterator<Row>) {
    const expectedSeq = count + 1;
    if (row.seq !== expectedSeq) return broken(row.seq, `Event ${expectedSeq} is missing: the chain jumps from ${count} to ${row.seq}.`);
    let body: AuditEventBody;
    try {
      const parsed = AuditEventBody.safeParse(JSON.parse(row.body));
      if (!parsed.success) return broken(row.seq, `Event ${row.seq} is not a well-formed audit event.`);
      body = parsed.data;
    } catch {
      return broken(row.seq, `Event ${row.seq} is not valid JSON.`);
    }
    if (body.seq !== row.seq) return broken(row.seq, `Event ${row.seq} says it is event ${body.seq}: events were reordered.`);
    if (body.id !== row.record_id) return broken(row.seq, `Event ${row.seq} names another record than its index row.`);
    if (canonicalJson(body) !== row.body || sha256Hex(row.body) !== row.body_hash) {
      return broken(row.seq, `Event ${row.seq} was altered: its content does not match its hash.`);
    }
    const link = linkHash(previous, row.body_hash);
    if (link !== row.chain_hash) return broken(row.seq, `Event ${row.seq} does not follow from event ${row.seq - 1}: the chain is broken here.`);
    previous = link;
    count += 1;
    latest.set(body.id, { revision: body.revision, record_hash: body.record_hash });
  }

  for (const rec of db.prepare('SELECT id, revision, hash FROM records').iterate() as IterableIterator<{ id: string; revision: number; hash: string }>) {
    const event = latest.get(rec.id);
    if (!event) return broken(null, `Record ${rec.id} has no audit event: it was written outside EvalNotes.`);
    if (event.revision !== rec.revision || event.record_hash !== rec.hash) {
      return broken(null, `Record ${rec.id} (revision ${rec.revision}) does not match its last audit event: it was changed outside EvalNotes.`);
    }
  }
  return { ok: true, events: count, head: previous, problem: null };
}
