/**
 * The key successions this workspace knows (migration 0090): its own
 * rotations, the re-assignments it issued as a supervisor, and those that
 * arrived in bundles. Statements are kept as their signed envelope, so a
 * bundle can carry them on byte for byte.
 */
import { keyStatementEntry, type SuccessionKind, type SuccessionLink } from '../../shared/domain/keySuccession';
import type { Db } from '../db/open';
import type { ParsedSuccession } from './successionStatements';

export type SuccessionRow = {
  old_key_id: string;
  new_key_id: string;
  kind: SuccessionKind;
  signed_by: string;
  old_public_key_pem: string;
  new_public_key_pem: string;
  at: string;
  recorded_at: string;
  envelope: string;
};

export function successorOf(db: Db, keyId: string): SuccessionRow | undefined {
  return db.prepare('SELECT * FROM key_successions WHERE old_key_id = ?').get(keyId) as SuccessionRow | undefined;
}

export function predecessorOf(db: Db, keyId: string): SuccessionRow | undefined {
  return db.prepare('SELECT * FROM key_successions WHERE new_key_id = ?').get(keyId) as SuccessionRow | undefined;
}

export function linkOf(row: SuccessionRow, side: 'old' | 'new'): SuccessionLink {
  return { key_id: side === 'old' ? row.old_key_id : row.new_key_id, kind: row.kind, at: row.at, signed_by: row.signed_by };
}

/** Stores a verified statement. Returns false when it is known already (the same statement, or the same link). */
export function insertSuccession(db: Db, parsed: Pick<ParsedSuccession, 'statement' | 'signedBy' | 'envelope'>, recordedAt: string): boolean {
  const s = parsed.statement;
  const known = successorOf(db, s.old_key_id);
  if (known && known.new_key_id === s.new_key_id) return false;
  db.prepare(
    `INSERT INTO key_successions (old_key_id, new_key_id, kind, signed_by, old_public_key_pem, new_public_key_pem, at, recorded_at, envelope)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(s.old_key_id, s.new_key_id, s.kind, parsed.signedBy, s.old_public_key_pem, s.new_public_key_pem, s.at, recordedAt, parsed.envelope);
  return true;
}

/**
 * The statements a bundle signed by `signer` carries (as `keys/<old key
 * id>.dsse.json`): every link of the signer's chain, so a peer who trusts
 * any earlier key of it can follow it to the signer, and the re-assignments
 * any key of that chain issued, so a re-assigned author learns their chain
 * from the supervisor's bundle and passes it on in their own.
 */
export function statementsForBundle(db: Db, signer: string): { name: string; data: Buffer }[] {
  const rows = db
    .prepare(
      `WITH RECURSIVE chain (key_id, depth) AS (
         SELECT ?, 0 UNION SELECT s.old_key_id, chain.depth + 1 FROM key_successions AS s JOIN chain ON s.new_key_id = chain.key_id WHERE chain.depth < 1000
       )
       SELECT old_key_id, envelope FROM key_successions
       WHERE new_key_id IN (SELECT key_id FROM chain) OR (kind = 'reassignment' AND signed_by IN (SELECT key_id FROM chain))
       ORDER BY old_key_id`,
    )
    .all(signer) as { old_key_id: string; envelope: string }[];
  return rows.map((r) => ({ name: keyStatementEntry(r.old_key_id), data: Buffer.from(r.envelope, 'utf8') }));
}

/** `keyId` and every key it succeeded, newest first: a bundle signed by `keyId` may carry records authored by any of them. */
export function chainOf(db: Db, keyId: string): string[] {
  return db
    .prepare(
      `WITH RECURSIVE chain (key_id, depth) AS (
         SELECT ?, 0 UNION SELECT s.old_key_id, chain.depth + 1 FROM key_successions AS s JOIN chain ON s.new_key_id = chain.key_id WHERE chain.depth < 1000
       ) SELECT key_id FROM chain ORDER BY depth`,
    )
    .pluck()
    .all(keyId) as string[];
}

/** Keys that succeeded `keyId`, directly or through others (untrusting a key untrusts them too). */
export function successorsOf(db: Db, keyId: string): string[] {
  return db
    .prepare(
      `WITH RECURSIVE chain (key_id, depth) AS (
         SELECT ?, 0 UNION SELECT s.new_key_id, chain.depth + 1 FROM key_successions AS s JOIN chain ON s.old_key_id = chain.key_id WHERE chain.depth < 1000
       ) SELECT key_id FROM chain WHERE depth > 0 ORDER BY depth`,
    )
    .pluck()
    .all(keyId) as string[];
}
